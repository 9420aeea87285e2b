/** Log an activity of any type with the fields its type requires; the API's messages when it refuses. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, NumberInput, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { ACTIVITY_TYPES, humanize, type ActivityType } from '../lib/format';
import { activityFormErrors, activityPayload, emptyActivityForm, type ActivityForm as Draft } from '../lib/validation';

export interface Person {
  id: number;
  name: string;
}

/** Every type but SMS, which the conversation panel sends through the Communications API. */
const FORM_TYPES = ACTIVITY_TYPES.filter((t) => t !== 'sms');

export function ActivityForm({ people, defaultAssignee, onSubmit }: {
  people: Person[];
  defaultAssignee: number | null;
  /** Sends the payload; rejects with the API's messages (an `ApiError`). */
  onSubmit: (payload: Record<string, unknown>) => Promise<unknown>;
}) {
  const [draft, setDraft] = useState<Draft>(() => emptyActivityForm('task', defaultAssignee));
  const [errors, setErrors] = useState<ReturnType<typeof activityFormErrors>>({});
  const [apiErrors, setApiErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const t = draft.activity_type;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems = activityFormErrors(draft);
    setErrors(problems);
    setApiErrors([]);
    if (Object.keys(problems).length) return;
    setBusy(true);
    try {
      await onSubmit(activityPayload(draft));
      setDraft(emptyActivityForm(t, draft.assigned_to_id));
    } catch (err) {
      setApiErrors((err as { messages?: string[] }).messages ?? [String(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Log an activity">
      <Stack gap="sm">
        {apiErrors.length > 0 && <Alert color="red" role="alert" title="The activity was not saved">{apiErrors.map((m) => <div key={m}>{m}</div>)}</Alert>}
        <Group grow align="start">
          <Select label="Type" data={FORM_TYPES.map((v) => ({ value: v, label: humanize(v) }))} value={t} allowDeselect={false}
            onChange={(v) => { setDraft((d) => ({ ...d, activity_type: (v ?? 'task') as ActivityType })); setErrors({}); }} />
          <Select label="Assigned to" data={people.map((p) => ({ value: String(p.id), label: p.name }))} value={draft.assigned_to_id === null ? null : String(draft.assigned_to_id)}
            onChange={(v) => set('assigned_to_id', v ? Number(v) : null)} error={errors.assigned_to_id} searchable required />
        </Group>
        {t !== 'note' && <TextInput label="Subject" value={draft.subject} onChange={(e) => set('subject', e.currentTarget.value)} />}
        {t === 'task' && (
          <>
            <Textarea label="Message" value={draft.message} onChange={(e) => set('message', e.currentTarget.value)} error={errors.message} required autosize minRows={2} />
            <TextInput label="Due" type="datetime-local" value={draft.due_at} onChange={(e) => set('due_at', e.currentTarget.value)} />
          </>
        )}
        {t === 'email' && <TextInput label="Email to" type="email" value={draft.email_to} onChange={(e) => set('email_to', e.currentTarget.value)} error={errors.email_to} required />}
        {(t === 'note' || t === 'email') && (
          <Textarea label="Body" value={draft.body} onChange={(e) => set('body', e.currentTarget.value)} error={errors.body} required autosize minRows={3} />
        )}
        {(t === 'in_person_appointment' || t === 'meeting') && (
          <Group grow align="start">
            <TextInput label="Booked at" type="datetime-local" value={draft.booked_at} onChange={(e) => set('booked_at', e.currentTarget.value)} error={errors.booked_at} required />
            <Select label="Modality" clearable data={[{ value: 'in_person', label: 'In person' }, { value: 'video', label: 'Video' }, { value: 'phone', label: 'Phone' }]} value={draft.modality || null} onChange={(v) => set('modality', v ?? '')} />
          </Group>
        )}
        {(t === 'call' || t === 'in_person_appointment' || t === 'meeting') && (
          <>
            <Group grow align="start">
              <Select label="Outcome" clearable required={t === 'call'} error={errors.outcome}
                data={[{ value: 'reached', label: 'Reached' }, { value: 'not_reached', label: 'Not reached' }, { value: 'no_show', label: 'No show' }]}
                value={draft.outcome || null} onChange={(v) => set('outcome', v ?? '')} />
              <NumberInput label="Duration (minutes)" min={0} allowDecimal={false} required={t === 'call'} error={errors.duration}
                value={draft.duration === '' ? '' : Number(draft.duration)} onChange={(v) => set('duration', v === '' ? '' : String(v))} />
            </Group>
            <Textarea label="Notes" value={draft.body} onChange={(e) => set('body', e.currentTarget.value)} autosize minRows={2} />
          </>
        )}
        <Group justify="end">
          <Button type="submit" loading={busy}>Log {humanize(t).toLowerCase()}</Button>
        </Group>
      </Stack>
    </form>
  );
}
