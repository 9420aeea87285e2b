/**
 * Text and call a member at the phone on file; the thread polls while any
 * message or call is still moving (queued, sending, ringing...), so status
 * callbacks show up without a reload.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Group, Paper, ScrollArea, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { formatDateTime, smsSegments } from '../lib/format';
import { useSession } from '../session';
import { Empty, ErrorMessages, Loading } from './QueryState';

const FINAL = new Set(['delivered', 'undelivered', 'failed', 'received', 'read', 'completed', 'busy', 'no-answer', 'canceled']);
const STATUS_COLOR: Record<string, string> = { delivered: 'green', read: 'green', completed: 'green', received: 'blue', failed: 'red', undelivered: 'red', busy: 'orange', 'no-answer': 'orange', canceled: 'gray' };

export function Conversation({ patientId, phone }: { patientId: number; phone: string | null }) {
  const { timeZone } = useSession();
  const qc = useQueryClient();
  const [body, setBody] = useState('');
  const [error, setError] = useState<string[]>([]);
  const key = ['communications', patientId];
  const thread = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/communications', { params: { path: { patient_id: patientId }, query: { per_page: 50 } } })),
    refetchInterval: (q) => (q.state.data?.communications.some((c) => !FINAL.has(c.status)) ? 2000 : 15000),
  });
  const refreshAll = () => {
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: ['timeline', patientId] });
  };
  const send = useMutation({
    mutationFn: (text: string) => unwrap(api.POST('/v1/clinic/ecm/communications/patients/{patient_id}/sms', {
      params: { path: { patient_id: patientId } },
      // One key per composed message: a retried click never texts the member twice.
      headers: { 'Idempotency-Key': `console-${patientId}-${Date.now()}-${Math.random().toString(36).slice(2)}` },
      body: { sms: { phone_number: phone ?? '', body: text } },
    })),
    onSuccess: () => { setBody(''); setError([]); refreshAll(); },
    onError: (err) => setError((err as { messages?: string[] }).messages ?? [String(err)]),
  });
  const dial = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/clinic/ecm/communications/patients/{patient_id}/call', { params: { path: { patient_id: patientId } }, body: { call: { phone_number: phone ?? '' } } })),
    onSuccess: () => { setError([]); refreshAll(); },
    onError: (err) => setError((err as { messages?: string[] }).messages ?? [String(err)]),
  });

  // A status change (a callback arrived) also changes the linked activity (an SMS completes once sent): refresh the timeline.
  const statuses = thread.data?.communications.map((c) => `${c.type}${c.id}:${c.status}`).join(',');
  useEffect(() => {
    if (statuses !== undefined) void qc.invalidateQueries({ queryKey: ['timeline', patientId] });
  }, [statuses, qc, patientId]);

  const optedOut = thread.data?.sms_opted_out ?? false;
  const count = smsSegments(body);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return setError(["Body can't be blank"]);
    send.mutate(body);
  };

  return (
    <Stack gap="sm">
      {!phone && <Alert color="yellow" title="No phone on file">Add the member's phone number before texting or calling.</Alert>}
      {optedOut && (
        <Alert color="orange" title="This member opted out of texts" role="status">
          They replied STOP to the clinic's number. Texts are blocked until they reply START; you can still call.
        </Alert>
      )}
      {error.length > 0 && <Alert color="red" role="alert" title="Not sent">{error.map((m) => <div key={m}>{m}</div>)}</Alert>}
      <form onSubmit={submit} aria-label="Send an SMS">
        <Stack gap={4}>
          <Textarea label="Text message" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} disabled={optedOut || !phone} aria-describedby="sms-counter" />
          <Group justify="space-between">
            <Text id="sms-counter" size="xs" c={count.length > 160 ? 'orange' : 'dimmed'} aria-live="polite">
              {count.length}/160 characters · {count.segments} {count.segments === 1 ? 'segment' : 'segments'}
            </Text>
            <Group gap="xs">
              <Button variant="default" onClick={() => dial.mutate()} loading={dial.isPending} disabled={!phone}>Call member</Button>
              <Button type="submit" loading={send.isPending} disabled={optedOut || !phone}>Send SMS</Button>
            </Group>
          </Group>
        </Stack>
      </form>
      {thread.isPending ? <Loading label="Loading conversation…" /> : thread.error ? <ErrorMessages error={thread.error} /> : thread.data.communications.length === 0 ? <Empty>No messages or calls yet.</Empty> : (
        <ScrollArea.Autosize mah={360} type="auto">
          <Stack gap="xs" component="ul" aria-label="Conversation" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {thread.data.communications.map((c) => (
              <Paper component="li" key={`${c.type}-${c.id}`} withBorder p="xs" bg={c.direction === 'inbound' ? 'gray.0' : undefined} data-testid={`comm-${c.type}-${c.id}`}>
                <Group justify="space-between" gap="xs">
                  <Text size="sm" fw={600}>{c.type === 'call' ? '☎ Call' : '✉ SMS'} · {c.direction === 'inbound' ? 'from member' : 'to member'}</Text>
                  <Badge size="sm" variant="light" color={STATUS_COLOR[c.status] ?? 'gray'} aria-label={`Status ${c.status}`}>{c.status}</Badge>
                </Group>
                {c.body && <Text size="sm">{c.body}</Text>}
                <Text size="xs" c="dimmed">{formatDateTime(c.created_at, timeZone)}{c.duration ? ` · ${c.duration} s` : ''}{c.error_code ? ` · error ${c.error_code}` : ''}</Text>
              </Paper>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}
