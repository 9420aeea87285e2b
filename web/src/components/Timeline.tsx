/**
 * One timeline of a member's activities and events, newest first: each activity
 * with its event's PRTF category, its comments and subtasks, and its actions
 * (complete, cancel, delete, comment); events whose activity is not listed stand alone.
 */
import { useState, type FormEvent } from 'react';
import { ActionIcon, Badge, Button, Group, Modal, Paper, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Ok } from '../api/client';
import { PRTF_COLORS, TYPE_ICONS, formatDateTime, humanize } from '../lib/format';
import { useSession } from '../session';
import { Empty, ErrorMessages, Loading } from './QueryState';

type Activity = Ok<'/v1/clinic/ecm/patients/{patient_id}/activities', 'get'>['activities'][number];
type Event = Ok<'/v1/clinic/ecm/patients/{patient_id}/events', 'get'>['events'][number];
type Item = { key: string; at: string; activity?: Activity; event?: Event; subtasks: Activity[] };

const STATUS_COLOR: Record<string, string> = { created: 'blue', complete: 'green', cancelled: 'gray', scheduled: 'blue' };

/** Merges activities and events into timeline items, newest first; subtasks under their parent. */
export function timelineItems(activities: Activity[], events: Event[]): Item[] {
  const eventByActivity = new Map(events.map((e) => [e.activity_id, e]));
  const ids = new Set(activities.map((a) => a.id));
  const items: Item[] = activities
    .filter((a) => a.parent_id === null || !ids.has(a.parent_id))
    .map((a) => ({ key: `a${a.id}`, at: a.booked_at ?? a.occurred_at, activity: a, event: eventByActivity.get(a.id), subtasks: activities.filter((s) => s.parent_id === a.id) }));
  for (const e of events) if (!ids.has(e.activity_id)) items.push({ key: `e${e.id}`, at: e.occurred_at, event: e, subtasks: [] });
  return items.sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
}

export function Timeline({ patientId }: { patientId: number }) {
  const { timeZone } = useSession();
  const qc = useQueryClient();
  const timeline = useQuery({
    queryKey: ['timeline', patientId],
    queryFn: async () => {
      const path = { patient_id: patientId };
      const [a, e] = await Promise.all([
        unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/activities', { params: { path, query: { per_page: 100 } } })),
        unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/events', { params: { path, query: { per_page: 100 } } })),
      ]);
      return { items: timelineItems(a.activities, e.events), total: a.pagination.total_count };
    },
  });
  const [commenting, setCommenting] = useState<Activity | null>(null);
  const [actionError, setActionError] = useState<string[]>([]);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['timeline', patientId] });
    void qc.invalidateQueries({ queryKey: ['my-work'] });
  };
  const change = useMutation({
    mutationFn: ({ id, status }: { id: number; status: 'complete' | 'cancelled' }) =>
      unwrap(api.PUT('/v1/clinic/ecm/patients/{patient_id}/activities/{id}', { params: { path: { patient_id: patientId, id } }, body: { activity: { status } } })),
    onSuccess: () => { setActionError([]); refresh(); },
    onError: (err) => setActionError((err as { messages?: string[] }).messages ?? [String(err)]),
  });
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/v1/clinic/ecm/patients/{patient_id}/activities/{id}', { params: { path: { patient_id: patientId, id } } })),
    onSuccess: () => { setActionError([]); refresh(); },
    onError: (err) => setActionError((err as { messages?: string[] }).messages ?? [String(err)]),
  });

  if (timeline.isPending) return <Loading label="Loading timeline…" />;
  if (timeline.error) return <ErrorMessages error={timeline.error} />;
  if (timeline.data.items.length === 0) return <Empty>Nothing logged for this member yet.</Empty>;

  const row = (a: Activity) => (
    <Group gap={4}>
      {a.status === 'created' && (
        <>
          <Button size="compact-xs" variant="light" color="green" onClick={() => change.mutate({ id: a.id, status: 'complete' })} aria-label={`Complete ${a.activity_type} ${a.subject ?? a.message ?? a.id}`}>Complete</Button>
          <Button size="compact-xs" variant="subtle" color="gray" onClick={() => change.mutate({ id: a.id, status: 'cancelled' })} aria-label={`Cancel ${a.activity_type} ${a.subject ?? a.message ?? a.id}`}>Cancel</Button>
        </>
      )}
      <Button size="compact-xs" variant="subtle" onClick={() => setCommenting(a)} aria-label={`Comments on ${a.activity_type} ${a.subject ?? a.message ?? a.id}`}>Comments ({a.comments_count})</Button>
      <Tooltip label="Delete">
        <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Delete ${a.activity_type} ${a.subject ?? a.message ?? a.id}`}
          onClick={() => { if (window.confirm('Delete this activity? Its event leaves the counts and reports.')) remove.mutate(a.id); }}>✕</ActionIcon>
      </Tooltip>
    </Group>
  );

  return (
    <Stack gap="xs">
      {actionError.length > 0 && <ErrorMessages error={{ messages: actionError }} title="The change was not saved" />}
      {timeline.data.total > 100 && <Text size="xs" c="dimmed">Showing the latest 100 of {timeline.data.total} activities.</Text>}
      <Stack component="ol" gap="xs" aria-label="Timeline" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {timeline.data.items.map((it) => {
          const a = it.activity;
          const type = a?.activity_type ?? it.event!.event_type;
          return (
            <Paper component="li" key={it.key} withBorder p="sm" data-testid={a ? `activity-${a.id}` : `event-${it.event!.id}`}>
              <Group justify="space-between" align="start" wrap="nowrap">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Group gap={6}>
                    <Text aria-hidden fw={700} w={18} ta="center">{TYPE_ICONS[type] ?? '•'}</Text>
                    <Badge variant="outline" size="sm">{humanize(type)}</Badge>
                    <Badge variant="light" size="sm" color={STATUS_COLOR[a?.status ?? it.event!.status] ?? 'gray'}>{a?.status ?? it.event!.status}</Badge>
                    {it.event?.prtf_category && <Badge size="sm" variant="outline" color={PRTF_COLORS[it.event.prtf_category] ?? 'gray'}>PRTF: {humanize(it.event.prtf_category)}</Badge>}
                    {a?.email_status && <Badge size="sm" variant="dot">email {a.email_status}</Badge>}
                  </Group>
                  <Text fw={600} size="sm">{a?.subject ?? it.event?.subject ?? (a ? humanize(a.activity_type) : '')}</Text>
                  {(a?.message || a?.body || it.event?.body) && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{a?.message ?? a?.body ?? it.event?.body}</Text>}
                  <Text size="xs" c="dimmed">
                    {formatDateTime(it.at, timeZone)}
                    {a?.performed_by_name ? ` · by ${a.performed_by_name}` : ''}
                    {a ? ` · assigned to ${a.assigned_to_name ?? '—'}` : ''}
                    {a?.due_at ? ` · due ${formatDateTime(a.due_at, timeZone)}` : ''}
                    {a?.duration ? ` · ${a.duration} min` : ''}
                    {a?.outcome ? ` · ${humanize(a.outcome)}` : ''}
                  </Text>
                  {it.subtasks.length > 0 && (
                    <Stack component="ul" gap={2} pl="md" aria-label="Subtasks" style={{ listStyle: 'none' }}>
                      {it.subtasks.map((s) => (
                        <Group component="li" key={s.id} gap={6}>
                          <Text size="sm">↳ {s.subject ?? s.message}</Text>
                          <Badge size="xs" variant="light" color={STATUS_COLOR[s.status]}>{s.status}</Badge>
                          {row(s)}
                        </Group>
                      ))}
                    </Stack>
                  )}
                </Stack>
                {a && row(a)}
              </Group>
            </Paper>
          );
        })}
      </Stack>
      {commenting && <Comments patientId={patientId} activity={commenting} onClose={() => { setCommenting(null); refresh(); }} />}
    </Stack>
  );
}

function Comments({ patientId, activity, onClose }: { patientId: number; activity: Activity; onClose: () => void }) {
  const { timeZone } = useSession();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const key = ['activity', patientId, activity.id];
  const detail = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/activities/{id}', { params: { path: { patient_id: patientId, id: activity.id } } })) });
  const add = useMutation({
    mutationFn: (body: string) => unwrap(api.POST('/v1/clinic/ecm/patients/{patient_id}/activities/{id}/comments', { params: { path: { patient_id: patientId, id: activity.id } }, body: { comment: { body } } })),
    onSuccess: () => { setText(''); setError(null); void qc.invalidateQueries({ queryKey: key }); },
    onError: (err) => setError(((err as { messages?: string[] }).messages ?? [String(err)]).join(' ')),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError("Body can't be blank");
    add.mutate(text.trim());
  };
  return (
    <Modal opened onClose={onClose} title={`Comments: ${activity.subject ?? humanize(activity.activity_type)}`}>
      {detail.isPending ? <Loading /> : detail.error ? <ErrorMessages error={detail.error} /> : (
        <Stack gap="xs">
          {detail.data.activity.comments.length === 0 && <Empty>No comments yet.</Empty>}
          {detail.data.activity.comments.map((c) => (
            <Paper key={c.id} withBorder p="xs">
              <Text size="sm">{c.body}</Text>
              <Text size="xs" c="dimmed">{c.user_name} · {formatDateTime(c.created_at, timeZone)}</Text>
            </Paper>
          ))}
        </Stack>
      )}
      <form onSubmit={submit}>
        <Group align="end" mt="sm">
          <TextInput label="New comment" value={text} onChange={(e) => setText(e.currentTarget.value)} error={error} style={{ flex: 1 }} data-autofocus />
          <Button type="submit" loading={add.isPending}>Add</Button>
        </Group>
      </form>
    </Modal>
  );
}
