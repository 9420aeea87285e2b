/**
 * The Resident File's Diet tab (fires diet.update): diet plans, food texture, fluid consistency and special orders,
 * with the seed's values (the lists of `src/ecp/residents/schemas.ts`). Saving sends the whole tab.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import type { paths } from '../api/schema';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];
type DietBody = NonNullable<paths['/v1/community/residents/{residentId}/diet']['put']['requestBody']>['content']['application/json'];

const DIET_PLANS = [
  '2-gram Sodium', '45-gram CCHO (Consistent Carbohydrate)', '60-gram CCHO (Consistent Carbohydrate)', '75-gram CCHO (Consistent Carbohydrate)',
  'Clear Liquid', 'Diabetic Plate Method', 'Fat-Restricted', 'Fiber-Restricted', 'Full Liquid', 'Gluten-Free', 'Heart-Healthy (Cardiac)',
  'HiCal/HiPro (High Calorie/High Protein)', 'Lactose Intolerant', 'Low-Fat Low-Cholesterol 2-gram Na+ (Cardiac)', 'No Added Salt (NAS)',
  'No Concentrated Sweets (NCS)', 'Nothing By Mouth (NPO)', 'Pescatarian', 'Reduced Concentrated Sweets', 'Reduced Gluten', 'Regular/General',
  'Renal', 'Renal Diabetic', 'Tube Feeding', 'Vegan', 'Vegetarian (+Lacto)', 'Vegetarian (+Lacto-Ovo)', 'Vegetarian (+Ovo)',
];
const FOOD_TEXTURES = ['Finger Food', 'Liquidized', 'Mechanical Soft', 'Minced & Moist', 'Pureed', 'Regular/Easy to Chew', 'Soft & Bite-Sized'];
const FLUID_CONSISTENCIES = ['Thin', 'Slightly Thick', 'Mildly Thick', 'Moderately Thick', 'Extremely Thick'];

export function DietTab({ resident, onSaved }: { resident: Resident; onSaved: (r: Resident) => void }) {
  const qc = useQueryClient();
  const discharged = resident.dischargedAt !== null;
  const [plans, setPlans] = useState<string[]>(resident.diet.dietPlans);
  const [foodTexture, setFoodTexture] = useState(resident.diet.foodTexture ?? '');
  const [fluidConsistency, setFluid] = useState(resident.diet.fluidConsistency ?? '');
  const [orders, setOrders] = useState(resident.diet.specialDietOrders.join('\n'));
  const [problems, setProblems] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);

  const save = useMutation({
    mutationFn: () => unwrap(communityApi.PUT('/v1/community/residents/{residentId}/diet', {
      params: { path: { residentId: resident.residentId } },
      body: {
        dietPlans: plans as DietBody['dietPlans'],
        foodTexture: (foodTexture || null) as DietBody['foodTexture'],
        fluidConsistency: (fluidConsistency || null) as DietBody['fluidConsistency'],
        specialDietOrders: orders.split('\n').map((o) => o.trim()).filter(Boolean),
      },
    })),
    onSuccess: (r) => {
      setProblems(null);
      setSaved(true);
      onSaved(r.resident);
      void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
    },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The diet was not saved']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  const changed = () => setSaved(false);

  return (
    <form onSubmit={submit} noValidate aria-label="Diet">
      <Stack>
        {problems && <Alert color="red" role="alert" title="The diet was not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        {saved && <Alert color="teal" role="status">Diet saved.</Alert>}
        <Checkbox.Group label="Diet plans" value={plans} onChange={(v) => { changed(); setPlans(v); }}>
          <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
            {DIET_PLANS.map((p) => <Checkbox key={p} value={p} label={p} disabled={discharged} />)}
          </SimpleGrid>
        </Checkbox.Group>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NativeSelect label="Food texture" disabled={discharged} data={[{ value: '', label: 'Not given' }, ...FOOD_TEXTURES]} value={foodTexture} onChange={(e) => { changed(); setFoodTexture(e.currentTarget.value); }} />
          <NativeSelect label="Fluid consistency" disabled={discharged} data={[{ value: '', label: 'Not given' }, ...FLUID_CONSISTENCIES]} value={fluidConsistency} onChange={(e) => { changed(); setFluid(e.currentTarget.value); }} />
        </SimpleGrid>
        <Textarea label="Special diet orders" description="One order a line (for example 1500 Calorie)." disabled={discharged} autosize minRows={2} value={orders} onChange={(e) => { changed(); setOrders(e.currentTarget.value); }} />
        <Group><Button type="submit" loading={save.isPending} disabled={discharged}>Save diet</Button></Group>
      </Stack>
    </form>
  );
}
