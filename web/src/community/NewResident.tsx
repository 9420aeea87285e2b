/**
 * Add New Resident (fires resident.create): the partner API's resident fields at one of the user's locations. A
 * future move-in date files the resident under "Awaiting move-in". The API's messages are shown as it words them.
 * Short lists are native selects: the phone's own picker, large enough to touch.
 */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { Alert, Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap } from '../api/client';
import { communityApi } from '../api/community';
import { useCommunitySession } from './session';

const CODE_STATUSES = ['Full Code', 'DNR'] as const;
const GENDERS = ['Male', 'Female', 'Other'] as const;

interface Form {
  firstName: string; lastName: string; middleName: string; nickname: string; dateOfBirth: string; gender: string; locationId: string;
  room: string; building: string; moveInDate: string; codeStatus: string; livingWill: boolean; otherAdvancedDirectives: string; phone: string; email: string;
}

export function CommunityNewResidentPage() {
  const { me } = useCommunitySession();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const locations = (me?.user.locationsAllowed ?? []).map((l) => ({ value: l.locationId, label: l.name }));
  const [form, setForm] = useState<Form>({
    firstName: '', lastName: '', middleName: '', nickname: '', dateOfBirth: '', gender: '', locationId: locations.length === 1 ? locations[0].value : '',
    room: '', building: '', moveInDate: '', codeStatus: '', livingWill: false, otherAdvancedDirectives: '', phone: '', email: '',
  });
  const [problems, setProblems] = useState<string[] | null>(null);
  const set = <K extends keyof Form>(k: K) => (v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const text = (k: keyof Form) => ({ value: form[k] as string, onChange: (e: { currentTarget: { value: string } }) => set(k)(e.currentTarget.value as never) });

  const create = useMutation({
    mutationFn: () => {
      const optional = (v: string) => (v.trim() ? v.trim() : undefined);
      return unwrap(communityApi.POST('/v1/community/residents', {
        body: {
          firstName: form.firstName.trim(), lastName: form.lastName.trim(), dateOfBirth: form.dateOfBirth, locationId: form.locationId,
          middleName: optional(form.middleName), nickname: optional(form.nickname), room: optional(form.room), building: optional(form.building),
          moveInDate: optional(form.moveInDate), phone: optional(form.phone), email: optional(form.email), otherAdvancedDirectives: optional(form.otherAdvancedDirectives),
          gender: (optional(form.gender) as (typeof GENDERS)[number] | undefined), codeStatus: (optional(form.codeStatus) as (typeof CODE_STATUSES)[number] | undefined),
          livingWill: form.livingWill,
        },
      }));
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
      const status = r.resident.statusDescription === 'Awaiting Move-In' ? '?status=awaiting_move_in' : '';
      navigate(`/community/residents${status}`, { state: { added: `${r.resident.firstName} ${r.resident.lastName}` } });
    },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The resident could not be added']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const missing = [
      !form.firstName.trim() && "First name can't be blank", !form.lastName.trim() && "Last name can't be blank",
      !form.dateOfBirth && "Date of birth can't be blank", !form.locationId && 'Choose a location',
    ].filter(Boolean) as string[];
    if (missing.length) return setProblems(missing);
    setProblems(null);
    create.mutate();
  }

  return (
    <Stack maw={760}>
      <Title order={2}>Add New Resident</Title>
      <form onSubmit={submit} noValidate aria-label="Add New Resident">
        <Stack>
          {problems && <Alert color="red" role="alert" title="The resident was not added">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="First name" required maxLength={30} autoComplete="off" {...text('firstName')} />
            <TextInput label="Last name" required maxLength={30} autoComplete="off" {...text('lastName')} />
            <TextInput label="Middle initial" maxLength={1} autoComplete="off" {...text('middleName')} />
            <TextInput label="Nickname" maxLength={30} autoComplete="off" {...text('nickname')} />
            <TextInput label="Date of birth" type="date" required {...text('dateOfBirth')} />
            <NativeSelect label="Gender" data={[{ value: '', label: 'Not given' }, ...GENDERS]} {...text('gender')} />
            <NativeSelect label="Location" required data={[{ value: '', label: 'Choose a location', disabled: true }, ...locations]} {...text('locationId')} />
            <TextInput label="Move-in date" type="date" description="A future date files the resident as awaiting move-in." {...text('moveInDate')} />
            <TextInput label="Building" maxLength={150} {...text('building')} />
            <TextInput label="Room" maxLength={16} {...text('room')} />
            <TextInput label="Phone" type="tel" maxLength={16} {...text('phone')} />
            <TextInput label="Email" type="email" maxLength={100} {...text('email')} />
            <NativeSelect label="Code status" data={[{ value: '', label: 'Not given' }, ...CODE_STATUSES]} {...text('codeStatus')} />
          </SimpleGrid>
          <Checkbox label="Living will" checked={form.livingWill} onChange={(e) => set('livingWill')(e.currentTarget.checked)} />
          <Textarea label="Other advanced directives" maxLength={300} autosize minRows={2} {...text('otherAdvancedDirectives')} />
          <Group>
            <Button type="submit" loading={create.isPending}>Add resident</Button>
            <Button variant="default" onClick={() => navigate('/community/residents')}>Cancel</Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
