/**
 * The Resident File (General, Diet, Care Plan, Allergies, Contacts, Diagnoses and Vitals tabs; Discharge). General: demographics, location, room and building, code status, living will, advanced
 * directives and external ids. Saving sends the whole tab (the partner API's PUT without status); the API fires
 * resident.update only when something changed. A discharged resident is read-only until reactivated.
 */
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Anchor, Badge, Button, Checkbox, Group, NativeSelect, SimpleGrid, Stack, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { Loading, QueryState } from '../components/QueryState';
import { useCommunitySession } from './session';
import { DietTab } from './DietTab';
import { CarePlanTab } from './CarePlanTab';
import { AllergiesTab } from './AllergiesTab';
import { ContactsTab } from './ContactsTab';
import { DiagnosesTab } from './DiagnosesTab';
import { DischargeResident } from './DischargeResident';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];
// The charting library is loaded with the Vitals tab only (as with the clinic's Reports).
const VitalsTab = lazy(() => import('./VitalsTab').then((m) => ({ default: m.VitalsTab })));
const CODE_STATUSES = ['Full Code', 'DNR'] as const;
const GENDERS = ['Male', 'Female', 'Other'] as const;
const TEXT_FIELDS = ['firstName', 'lastName', 'middleName', 'nickname', 'suffix', 'dateOfBirth', 'gender', 'locationId', 'building', 'room', 'moveInDate', 'phone', 'email', 'codeStatus', 'otherAdvancedDirectives'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
type Form = Record<TextField, string> & { livingWill: boolean; externalIds: Array<{ name: string; value: string }> };

/** The stored code status as the form's choice ("DNR (Do Not Resuscitate)" from a partner is "DNR"). */
const codeChoice = (v: string | null) => (v?.startsWith('DNR') ? 'DNR' : v?.startsWith('Full') ? 'Full Code' : '');

function formOf(r: Resident): Form {
  const text = Object.fromEntries(TEXT_FIELDS.map((k) => [k, String((r as Record<string, unknown>)[k] ?? '')])) as Record<TextField, string>;
  return { ...text, codeStatus: codeChoice(r.codeStatus), livingWill: r.livingWill, externalIds: Object.entries(r.externalIds).map(([name, value]) => ({ name, value })) };
}

export function CommunityResidentFilePage() {
  const { residentId = '' } = useParams();
  const resident = useQuery({
    queryKey: ['community', 'resident', residentId],
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents/{residentId}', { params: { path: { residentId } } })).then((r) => r.resident),
  });
  return (
    <Stack maw={760}>
      <Anchor component={Link} to="/community/residents" size="sm">← Residents</Anchor>
      <QueryState query={resident} loadingLabel="Loading the resident…">
        {(r) => <ResidentFile resident={r} />}
      </QueryState>
    </Stack>
  );
}

function ResidentFile({ resident }: { resident: Resident }) {
  const qc = useQueryClient();
  const onSaved = (r: Resident) => qc.setQueryData(['community', 'resident', r.residentId], r);
  return (
    <Stack>
      <Group gap="sm" wrap="wrap">
        <Title order={2}>{resident.firstName} {resident.lastName}</Title>
        <Badge variant="light" color={resident.status === 'Active' ? 'teal' : 'gray'}>{resident.statusDescription}</Badge>
        <DischargeResident resident={resident} onChanged={onSaved} />
      </Group>
      <Text size="sm" c="dimmed">{resident.location}{resident.room ? `, room ${resident.room}` : ''}</Text>
      {resident.dischargedAt !== null && <Alert color="gray" title="Discharged">This resident is discharged: reactivate them from the Discharged list to change their file.</Alert>}
      <Tabs defaultValue="general" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="general">General</Tabs.Tab>
          <Tabs.Tab value="diet">Diet</Tabs.Tab>
          <Tabs.Tab value="care-plan">Care Plan</Tabs.Tab>
          <Tabs.Tab value="allergies">Allergies</Tabs.Tab>
          <Tabs.Tab value="contacts">Contacts</Tabs.Tab>
          <Tabs.Tab value="diagnoses">Diagnoses</Tabs.Tab>
          <Tabs.Tab value="vitals">Vitals</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="general" pt="md"><GeneralTab resident={resident} /></Tabs.Panel>
        <Tabs.Panel value="diet" pt="md"><DietTab resident={resident} onSaved={onSaved} /></Tabs.Panel>
        <Tabs.Panel value="care-plan" pt="md"><CarePlanTab resident={resident} onSaved={onSaved} /></Tabs.Panel>
        <Tabs.Panel value="allergies" pt="md"><AllergiesTab resident={resident} /></Tabs.Panel>
        <Tabs.Panel value="contacts" pt="md"><ContactsTab resident={resident} /></Tabs.Panel>
        <Tabs.Panel value="diagnoses" pt="md"><DiagnosesTab resident={resident} /></Tabs.Panel>
        <Tabs.Panel value="vitals" pt="md"><Suspense fallback={<Loading label="Loading vitals…" />}><VitalsTab resident={resident} /></Suspense></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function GeneralTab({ resident }: { resident: Resident }) {
  const { me } = useCommunitySession();
  const qc = useQueryClient();
  const [form, setForm] = useState<Form>(() => formOf(resident));
  const [problems, setProblems] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setForm(formOf(resident)), [resident]);
  const discharged = resident.dischargedAt !== null;
  const locations = (me?.user.locationsAllowed ?? []).map((l) => ({ value: l.locationId, label: l.name }));
  const text = (k: TextField) => ({ value: form[k], disabled: discharged, onChange: (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setSaved(false);
    setForm((f) => ({ ...f, [k]: value }));
  } });

  const save = useMutation({
    mutationFn: () => {
      const orNull = (v: string) => (v.trim() ? v.trim() : null);
      return unwrap(communityApi.PUT('/v1/community/residents/{residentId}', {
        params: { path: { residentId: resident.residentId } },
        body: {
          firstName: form.firstName.trim(), lastName: form.lastName.trim(), dateOfBirth: form.dateOfBirth, locationId: form.locationId,
          middleName: orNull(form.middleName), nickname: orNull(form.nickname), suffix: orNull(form.suffix), building: orNull(form.building), room: orNull(form.room),
          moveInDate: orNull(form.moveInDate), phone: orNull(form.phone), email: orNull(form.email), otherAdvancedDirectives: orNull(form.otherAdvancedDirectives),
          gender: orNull(form.gender) as (typeof GENDERS)[number] | null, codeStatus: orNull(form.codeStatus) as (typeof CODE_STATUSES)[number] | null,
          livingWill: form.livingWill,
          externalIds: Object.fromEntries(form.externalIds.filter((x) => x.name.trim()).map((x) => [x.name.trim(), x.value.trim()])),
        },
      }));
    },
    onSuccess: (r) => {
      setProblems(null);
      setSaved(true);
      qc.setQueryData(['community', 'resident', resident.residentId], r.resident);
      void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
    },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The changes were not saved']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const missing = [!form.firstName.trim() && "First name can't be blank", !form.lastName.trim() && "Last name can't be blank", !form.dateOfBirth && "Date of birth can't be blank"].filter(Boolean) as string[];
    if (missing.length) return setProblems(missing);
    save.mutate();
  }

  const setExternal = (i: number, change: Partial<{ name: string; value: string }>) => setForm((f) => ({ ...f, externalIds: f.externalIds.map((x, j) => (j === i ? { ...x, ...change } : x)) }));

  return (
    <Stack>
      <form onSubmit={submit} noValidate aria-label="General">
        <Stack>
          {problems && <Alert color="red" role="alert" title="The changes were not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
          {saved && <Alert color="teal" role="status">Saved.</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="First name" required maxLength={30} {...text('firstName')} />
            <TextInput label="Last name" required maxLength={30} {...text('lastName')} />
            <TextInput label="Middle initial" maxLength={1} {...text('middleName')} />
            <TextInput label="Nickname" maxLength={30} {...text('nickname')} />
            <TextInput label="Suffix" maxLength={6} {...text('suffix')} />
            <TextInput label="Date of birth" type="date" required {...text('dateOfBirth')} />
            <NativeSelect label="Gender" data={[{ value: '', label: 'Not given' }, ...GENDERS]} {...text('gender')} />
            <NativeSelect label="Location" required data={locations} {...text('locationId')} />
            <TextInput label="Building" maxLength={150} {...text('building')} />
            <TextInput label="Room" maxLength={16} {...text('room')} />
            <TextInput label="Move-in date" type="date" {...text('moveInDate')} />
            <TextInput label="Phone" type="tel" maxLength={16} {...text('phone')} />
            <TextInput label="Email" type="email" maxLength={100} {...text('email')} />
            <NativeSelect label="Code status" data={[{ value: '', label: 'Not given' }, ...CODE_STATUSES]} {...text('codeStatus')} />
          </SimpleGrid>
          <Checkbox label="Living will" checked={form.livingWill} disabled={discharged} onChange={(e) => { const checked = e.currentTarget.checked; setSaved(false); setForm((f) => ({ ...f, livingWill: checked })); }} />
          <Textarea label="Other advanced directives" maxLength={300} autosize minRows={2} {...text('otherAdvancedDirectives')} />
          <fieldset style={{ border: 0, padding: 0, margin: 0 }} disabled={discharged}>
            <legend style={{ fontWeight: 600, fontSize: 'var(--mantine-font-size-sm)', marginBottom: 4 }}>External IDs</legend>
            <Stack gap="xs">
              {form.externalIds.map((x, i) => (
                <Group key={i} gap="xs" align="end" wrap="wrap">
                  <TextInput label={`ID name ${i + 1}`} maxLength={60} value={x.name} onChange={(e) => setExternal(i, { name: e.currentTarget.value })} style={{ flex: '1 1 140px' }} />
                  <TextInput label={`ID value ${i + 1}`} maxLength={150} value={x.value} onChange={(e) => setExternal(i, { value: e.currentTarget.value })} style={{ flex: '1 1 140px' }} />
                  <Button variant="subtle" color="red" onClick={() => setForm((f) => ({ ...f, externalIds: f.externalIds.filter((_, j) => j !== i) }))} aria-label={`Remove external ID ${i + 1}`}>Remove</Button>
                </Group>
              ))}
              <Group><Button variant="light" size="sm" onClick={() => setForm((f) => ({ ...f, externalIds: [...f.externalIds, { name: '', value: '' }] }))}>Add external ID</Button></Group>
            </Stack>
          </fieldset>
          <Group>
            <Button type="submit" loading={save.isPending} disabled={discharged}>Save</Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
