/**
 * A member's DHCS reporting data, as the RTF reads it: Populations of Focus and homelessness, care plan revisions,
 * assessments, closed-loop referrals and discontinuations. Staff add and edit each through the ECM API (the same
 * endpoints a client uses); recording a discontinuation is for admins, as the API says. The API's messages are shown
 * when it refuses.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Group, Modal, MultiSelect, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { formatDate, humanize } from '../lib/format';
import { useSession } from '../session';
import { Empty, ErrorMessages, Loading } from './QueryState';

/** One field of a record form: a date, a line of text, a longer text or a choice. */
interface Field {
  name: string;
  label: string;
  kind: 'date' | 'text' | 'textarea' | 'select';
  required?: boolean;
  options?: Array<{ value: string; label: string }>;
  description?: string;
}

type Values = Record<string, string>;

/**
 * A small form over `fields`; `onSubmit` gets the values (empty optional fields as null) and rejects with the
 * API's messages, which the form shows.
 */
function RecordForm({ label, fields, initial, submitLabel, onSubmit, onDone }: {
  label: string;
  fields: Field[];
  initial: Values;
  submitLabel: string;
  onSubmit: (values: Record<string, string | null>) => Promise<unknown>;
  onDone: () => void;
}) {
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const set = (name: string, v: string) => setValues((d) => ({ ...d, [name]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing = fields.filter((f) => f.required && !values[f.name]?.trim()).map((f) => `${f.label} can't be blank`);
    setErrors(missing);
    if (missing.length) return;
    setBusy(true);
    try {
      await onSubmit(Object.fromEntries(fields.map((f) => [f.name, values[f.name]?.trim() ? values[f.name].trim() : null])));
      onDone();
    } catch (err) {
      setErrors((err as { messages?: string[] }).messages ?? [String(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={label}>
      <Stack gap="sm">
        {errors.length > 0 && <Alert color="red" role="alert" title="Not saved">{errors.map((m) => <div key={m}>{m}</div>)}</Alert>}
        {fields.map((f) => {
          const common = { label: f.label, required: f.required, description: f.description };
          if (f.kind === 'select') {
            return <Select key={f.name} {...common} data={f.options ?? []} value={values[f.name] || null} onChange={(v) => set(f.name, v ?? '')} allowDeselect={!f.required} clearable={!f.required} />;
          }
          if (f.kind === 'textarea') return <Textarea key={f.name} {...common} value={values[f.name] ?? ''} onChange={(e) => set(f.name, e.currentTarget.value)} autosize minRows={2} />;
          return <TextInput key={f.name} {...common} type={f.kind === 'date' ? 'date' : 'text'} value={values[f.name] ?? ''} onChange={(e) => set(f.name, e.currentTarget.value)} />;
        })}
        <Group justify="flex-end"><Button type="submit" loading={busy}>{submitLabel}</Button></Group>
      </Stack>
    </form>
  );
}

/** What the open dialog edits: a kind of record and, for an edit, the record's id and values. */
interface Editing {
  kind: 'revision' | 'assessment' | 'referral' | 'discontinuation';
  id?: number;
  initial: Values;
}

const today = () => new Date().toISOString().slice(0, 10);

export function MemberReporting({ patientId }: { patientId: number }) {
  const { isAdmin } = useSession();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Editing | null>(null);
  const p = { params: { path: { patient_id: patientId } } };
  const values = useQuery({ queryKey: ['dhcs_values'], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/dhcs_values')), staleTime: 60 * 60_000 });
  const attributes = useQuery({ queryKey: ['member_attributes', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/member_attributes', p)) });
  const revisions = useQuery({ queryKey: ['care_plan_revisions', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions', p)) });
  const assessments = useQuery({ queryKey: ['assessments', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/assessments', p)) });
  const referrals = useQuery({ queryKey: ['referrals', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/referrals', p)) });
  const discontinuations = useQuery({ queryKey: ['discontinuations', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/discontinuations', p)) });
  const all = [values, attributes, revisions, assessments, referrals, discontinuations];
  const failed = all.find((q) => q.error);
  if (failed) return <ErrorMessages error={failed.error} />;
  if (!values.data || !attributes.data || !revisions.data || !assessments.data || !referrals.data || !discontinuations.data) return <Loading />;
  const a = attributes.data.member_attributes;
  const dhcs = values.data;
  const refresh = (key: string) => void qc.invalidateQueries({ queryKey: [key, patientId] });

  const forms: Record<Editing['kind'], { title: string; fields: Field[]; save: (v: Record<string, string | null>, id?: number) => Promise<unknown>; key: string }> = {
    revision: {
      title: 'Care plan revision',
      key: 'care_plan_revisions',
      fields: [
        { name: 'revised_on', label: 'Revised on', kind: 'date', required: true },
        { name: 'summary', label: 'Summary', kind: 'textarea', required: true },
      ],
      save: (v, id) => {
        const body = { care_plan_revision: { revised_on: v.revised_on!, summary: v.summary! } };
        return unwrap(id === undefined
          ? api.POST('/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions', { ...p, body })
          : api.PUT('/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions/{id}', { params: { path: { patient_id: patientId, id } }, body }));
      },
    },
    assessment: {
      title: 'Assessment',
      key: 'assessments',
      fields: [
        { name: 'title', label: 'Assessment', kind: 'text' },
        { name: 'started_on', label: 'Started on', kind: 'date', required: true },
        { name: 'completed_on', label: 'Completed on', kind: 'date', description: 'Empty while in progress' },
      ],
      save: (v, id) => {
        const body = { assessment: { title: v.title, started_on: v.started_on!, completed_on: v.completed_on } };
        return unwrap(id === undefined
          ? api.POST('/v1/clinic/ecm/patients/{patient_id}/assessments', { ...p, body })
          : api.PUT('/v1/clinic/ecm/patients/{patient_id}/assessments/{id}', { params: { path: { patient_id: patientId, id } }, body }));
      },
    },
    referral: {
      title: 'Closed-loop referral',
      key: 'referrals',
      fields: [
        { name: 'received_on', label: 'Received on', kind: 'date', required: true },
        { name: 'source', label: 'From (referring entity)', kind: 'text', required: true },
        { name: 'service', label: 'Service', kind: 'text', required: true },
        { name: 'status', label: 'Status', kind: 'select', required: true, options: dhcs.referral_statuses.values.map((s) => ({ value: s.key, label: humanize(s.key) })) },
        { name: 'status_date', label: 'Status date', kind: 'date', required: true },
        { name: 'loop_closure_reason', label: 'Reason for loop closure', kind: 'select', options: dhcs.loop_closure_reasons.values.map((r) => ({ value: r.value, label: r.value })) },
      ],
      save: (v, id) => {
        const body = { referral: { received_on: v.received_on!, source: v.source!, service: v.service!, status: v.status as 'received' | 'accepted' | 'declined' | 'closed', status_date: v.status_date!, loop_closure_reason: v.loop_closure_reason } };
        return unwrap(id === undefined
          ? api.POST('/v1/clinic/ecm/patients/{patient_id}/referrals', { ...p, body })
          : api.PUT('/v1/clinic/ecm/patients/{patient_id}/referrals/{id}', { params: { path: { patient_id: patientId, id } }, body }));
      },
    },
    discontinuation: {
      title: 'Discontinue ECM',
      key: 'discontinuations',
      fields: [
        { name: 'discontinued_on', label: 'Discontinued on', kind: 'date', required: true },
        {
          name: 'reason_code', label: 'Reason code', kind: dhcs.discontinuation_reason_codes.values.length ? 'select' : 'text', required: true,
          options: dhcs.discontinuation_reason_codes.values.map((c) => ({ value: c.code, label: `${c.code} — ${c.reason}` })),
          description: "The member's plan's code",
        },
        { name: 'reason', label: 'Reason', kind: 'textarea', required: true },
      ],
      save: (v) => unwrap(api.POST('/v1/admin/clinic/ecm/patients/{patient_id}/discontinuations', { ...p, body: { discontinuation: { discontinued_on: v.discontinued_on!, reason_code: v.reason_code!, reason: v.reason! } } })),
    },
  };
  const open = editing ? forms[editing.kind] : null;
  const editButton = (label: string, e: Editing) => <Button size="compact-xs" variant="subtle" aria-label={label} onClick={() => setEditing(e)}>Edit</Button>;

  return (
    <Stack gap="md">
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={open ? `${editing?.id === undefined ? 'New' : 'Edit'}: ${open.title}` : ''}>
        {editing && open && (
          <RecordForm label={open.title} fields={open.fields} initial={editing.initial} submitLabel="Save"
            onSubmit={async (v) => {
              await open.save(v, editing.id);
              refresh(open.key);
              if (editing.kind === 'discontinuation') void qc.invalidateQueries({ queryKey: ['patient', patientId] });
            }}
            onDone={() => setEditing(null)} />
        )}
      </Modal>
      <PopulationsAndHomelessness key={`${a.homeless}-${a.populations_of_focus.map((f) => f.key).join()}`} patientId={patientId}
        choices={dhcs.populations_of_focus.values.map((f) => ({ value: f.key, label: f.name }))}
        selected={a.populations_of_focus.map((f) => f.key)} homeless={a.homeless}
        sources={Object.fromEntries(a.populations_of_focus.map((f) => [f.key, f.source]))}
        onSaved={() => refresh('member_attributes')} />
      <div>
        <Group justify="space-between" mb={4}>
          <Title order={4} size="h6">Care plan revisions</Title>
          <Button size="compact-sm" variant="light" onClick={() => setEditing({ kind: 'revision', initial: { revised_on: today() } })}>Add revision</Button>
        </Group>
        {revisions.data.care_plan_revisions.length === 0 ? <Empty>No care plan revisions.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Revised</Table.Th><Table.Th>By</Table.Th><Table.Th>Summary</Table.Th><Table.Th /></Table.Tr></Table.Thead>
            <Table.Tbody>{revisions.data.care_plan_revisions.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{formatDate(r.revised_on)}</Table.Td><Table.Td>{r.author_name}</Table.Td><Table.Td>{r.summary}</Table.Td>
                <Table.Td>{editButton(`Edit the revision of ${formatDate(r.revised_on)}`, { kind: 'revision', id: r.id, initial: { revised_on: r.revised_on, summary: r.summary } })}</Table.Td>
              </Table.Tr>
            ))}</Table.Tbody>
          </Table>
        )}
      </div>
      <div>
        <Group justify="space-between" mb={4}>
          <Title order={4} size="h6">Assessments</Title>
          <Button size="compact-sm" variant="light" onClick={() => setEditing({ kind: 'assessment', initial: { started_on: today() } })}>Add assessment</Button>
        </Group>
        {assessments.data.assessments.length === 0 ? <Empty>No assessments.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Assessment</Table.Th><Table.Th>Started</Table.Th><Table.Th>Completed</Table.Th><Table.Th>By</Table.Th><Table.Th /></Table.Tr></Table.Thead>
            <Table.Tbody>{assessments.data.assessments.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{s.title ?? '—'}</Table.Td><Table.Td>{formatDate(s.started_on)}</Table.Td><Table.Td>{s.completed_on ? formatDate(s.completed_on) : 'in progress'}</Table.Td><Table.Td>{s.assessed_by_name}</Table.Td>
                <Table.Td>{editButton(`Edit the assessment started ${formatDate(s.started_on)}`, { kind: 'assessment', id: s.id, initial: { title: s.title ?? '', started_on: s.started_on, completed_on: s.completed_on ?? '' } })}</Table.Td>
              </Table.Tr>
            ))}</Table.Tbody>
          </Table>
        )}
      </div>
      <div>
        <Group justify="space-between" mb={4}>
          <Title order={4} size="h6">Closed-loop referrals</Title>
          <Button size="compact-sm" variant="light" onClick={() => setEditing({ kind: 'referral', initial: { received_on: today(), status: 'received', status_date: today() } })}>Add referral</Button>
        </Group>
        {referrals.data.referrals.length === 0 ? <Empty>No referrals.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Received</Table.Th><Table.Th>From</Table.Th><Table.Th>Service</Table.Th><Table.Th>Status</Table.Th><Table.Th>Loop closure</Table.Th><Table.Th /></Table.Tr></Table.Thead>
            <Table.Tbody>{referrals.data.referrals.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{formatDate(r.received_on)}</Table.Td><Table.Td>{r.source}</Table.Td><Table.Td>{r.service}</Table.Td>
                <Table.Td>{humanize(r.status)} ({formatDate(r.status_date)})</Table.Td><Table.Td>{r.loop_closure_reason ?? '—'}</Table.Td>
                <Table.Td>{editButton(`Edit the referral received ${formatDate(r.received_on)}`, {
                  kind: 'referral', id: r.id,
                  initial: { received_on: r.received_on, source: r.source, service: r.service, status: r.status, status_date: r.status_date, loop_closure_reason: r.loop_closure_reason ?? '' },
                })}</Table.Td>
              </Table.Tr>
            ))}</Table.Tbody>
          </Table>
        )}
      </div>
      <div>
        <Group justify="space-between" mb={4}>
          <Title order={4} size="h6">Discontinuations</Title>
          {isAdmin && <Button size="compact-sm" variant="light" color="red" onClick={() => setEditing({ kind: 'discontinuation', initial: { discontinued_on: today() } })}>Discontinue ECM</Button>}
        </Group>
        {discontinuations.data.discontinuations.length === 0 ? <Empty>ECM not discontinued.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Reason code</Table.Th><Table.Th>Reason</Table.Th><Table.Th>In force</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{discontinuations.data.discontinuations.map((d) => <Table.Tr key={d.id}><Table.Td>{formatDate(d.discontinued_on)}</Table.Td><Table.Td>{d.reason_code}</Table.Td><Table.Td>{d.reason}</Table.Td><Table.Td>{d.in_force ? 'yes' : 'no'}</Table.Td></Table.Tr>)}</Table.Tbody>
          </Table>
        )}
      </div>
    </Stack>
  );
}

const HOMELESS = [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }, { value: 'unknown', label: 'Not known' }];

/** The member's Populations of Focus and homelessness, saved together (`PUT .../member_attributes`). */
function PopulationsAndHomelessness({ patientId, choices, selected, homeless, sources, onSaved }: {
  patientId: number;
  choices: Array<{ value: string; label: string }>;
  selected: string[];
  homeless: boolean | null;
  sources: Record<string, string>;
  onSaved: () => void;
}) {
  const [pofs, setPofs] = useState<string[]>(selected);
  const [home, setHome] = useState(homeless === null ? 'unknown' : homeless ? 'yes' : 'no');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const changed = pofs.join() !== selected.join() || home !== (homeless === null ? 'unknown' : homeless ? 'yes' : 'no');

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors([]);
    try {
      await unwrap(api.PUT('/v1/clinic/ecm/patients/{patient_id}/member_attributes', {
        params: { path: { patient_id: patientId } },
        body: { member_attributes: { populations_of_focus: pofs as never, homeless: home === 'unknown' ? null : home === 'yes' } },
      }));
      onSaved();
    } catch (err) {
      setErrors((err as { messages?: string[] }).messages ?? [String(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} aria-label="Populations of Focus and homelessness">
      <Title order={4} size="h6" mb={4}>Populations of Focus</Title>
      {selected.length === 0 && <Text size="sm" c="dimmed">None recorded (the RTF needs at least one).</Text>}
      {selected.length > 0 && <Group gap={6} mb={4}>{selected.map((k) => <Badge key={k} variant="light" title={`Source: ${sources[k] === 'mif' ? 'MIF' : 'staff'}`}>{choices.find((c) => c.value === k)?.label ?? k}</Badge>)}</Group>}
      {errors.length > 0 && <Alert color="red" role="alert" title="Not saved" mb="xs">{errors.map((m) => <div key={m}>{m}</div>)}</Alert>}
      <Group align="end" gap="sm">
        <MultiSelect label="Populations of Focus" data={choices} value={pofs} onChange={setPofs} style={{ flex: 1, minWidth: 240 }} clearable />
        <Select label="Experiencing homelessness" data={HOMELESS} value={home} onChange={(v) => setHome(v ?? 'unknown')} allowDeselect={false} w={180} />
        <Button type="submit" disabled={!changed} loading={busy}>Save</Button>
      </Group>
    </form>
  );
}
