/** The Resident File's Care Plan tab: the Level of Care Status set by hand (fires levelOfCare.update), and assessments (AssessmentsPanel). */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Button, Group, NativeSelect, NumberInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { AssessmentsPanel } from './AssessmentsPanel';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];
const FREQUENCIES = ['Monthly', 'Daily'] as const;

export function CarePlanTab({ resident, onSaved }: { resident: Resident; onSaved: (r: Resident) => void }) {
  const qc = useQueryClient();
  const discharged = resident.dischargedAt !== null;
  const [name, setName] = useState(resident.levelOfCare.name ?? '');
  const [amount, setAmount] = useState<number | string>(resident.levelOfCare.amount ?? '');
  const [frequency, setFrequency] = useState(resident.levelOfCare.amountFrequency ?? '');
  const [problems, setProblems] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  // A completed assessment sets the level of care: show it.
  useEffect(() => {
    setName(resident.levelOfCare.name ?? '');
    setAmount(resident.levelOfCare.amount ?? '');
    setFrequency(resident.levelOfCare.amountFrequency ?? '');
  }, [resident.levelOfCare]);

  const save = useMutation({
    mutationFn: () => unwrap(communityApi.PUT('/v1/community/residents/{residentId}/level_of_care', {
      params: { path: { residentId: resident.residentId } },
      body: {
        name: name.trim(),
        amount: amount === '' ? null : Number(amount),
        amountFrequency: (frequency || null) as (typeof FREQUENCIES)[number] | null,
      },
    })),
    onSuccess: (r) => {
      setProblems(null);
      setSaved(true);
      onSaved(r.resident);
    },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The level of care was not saved']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setProblems(["Level of care can't be blank"]);
    save.mutate();
    void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
  }

  return (
    <Stack gap="xl">
      <form onSubmit={submit} noValidate aria-label="Level of care">
        <Stack>
          {problems && <Alert color="red" role="alert" title="The level of care was not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
          {saved && <Alert color="teal" role="status">Level of care saved.</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="Level of care" required maxLength={100} disabled={discharged} value={name} onChange={(e) => { setSaved(false); setName(e.currentTarget.value); }} />
            <NumberInput label="Amount ($)" min={0} max={1_000_000} decimalScale={2} fixedDecimalScale hideControls disabled={discharged} value={amount} onChange={(v) => { setSaved(false); setAmount(v); }} />
            <NativeSelect label="Charged" disabled={discharged} data={[{ value: '', label: 'Not given' }, ...FREQUENCIES]} value={frequency} onChange={(e) => { setSaved(false); setFrequency(e.currentTarget.value); }} />
          </SimpleGrid>
          <Group><Button type="submit" loading={save.isPending} disabled={discharged}>Save level of care</Button></Group>
        </Stack>
      </form>
      <AssessmentsPanel resident={resident} onSaved={onSaved} />
    </Stack>
  );
}
