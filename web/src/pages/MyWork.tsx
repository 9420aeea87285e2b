/** My work: the signed-in user's open tasks across members, grouped by due state, with one-click complete. */
import { Link } from 'react-router';
import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Ok } from '../api/client';
import { formatDateTime, todayIn } from '../lib/format';
import { useSession } from '../session';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';

type Task = Ok<'/v1/clinic/ecm/activities', 'get'>['activities'][number];
const GROUPS = [
  { key: 'overdue', label: 'Overdue', color: 'red' },
  { key: 'today', label: 'Due today', color: 'orange' },
  { key: 'upcoming', label: 'Upcoming', color: 'blue' },
  { key: 'none', label: 'No due date', color: 'gray' },
] as const;

/** The due state of a task in the clinic's time zone. */
export function dueState(task: { due_at: string | null }, timeZone: string, now = new Date()): (typeof GROUPS)[number]['key'] {
  if (!task.due_at) return 'none';
  const due = new Date(task.due_at);
  if (due < now) return 'overdue';
  return todayIn(timeZone, due) === todayIn(timeZone, now) ? 'today' : 'upcoming';
}

export function MyWorkPage() {
  const { me, timeZone } = useSession();
  const qc = useQueryClient();
  const tasks = useQuery({
    queryKey: ['my-work', me?.user.id],
    queryFn: () => unwrap(api.GET('/v1/clinic/ecm/activities', { params: { query: { assigned_to_id: me!.user.id, status: 'created', activity_type: 'task', per_page: 100 } } })),
  });
  const complete = useMutation({
    mutationFn: (t: Task) => unwrap(api.PUT('/v1/clinic/ecm/patients/{patient_id}/activities/{id}', { params: { path: { patient_id: t.patient_id, id: t.id } }, body: { activity: { status: 'complete' } } })),
    onSuccess: (_r, t) => {
      void qc.invalidateQueries({ queryKey: ['my-work'] });
      void qc.invalidateQueries({ queryKey: ['timeline', t.patient_id] });
    },
  });

  return (
    <Stack>
      <Title order={2}>My work</Title>
      {complete.error && <ErrorMessages error={complete.error} title="The task was not completed" />}
      {tasks.isPending ? <Loading label="Loading your tasks…" /> : tasks.error ? <ErrorMessages error={tasks.error} /> : tasks.data.activities.length === 0 ? <Empty>No open tasks. Nice work.</Empty> : (
        <>
          <Text size="sm" c="dimmed">{tasks.data.pagination.total_count} open tasks{tasks.data.pagination.total_count > 100 ? ' (showing 100)' : ''}</Text>
          {GROUPS.map((g) => {
            const list = tasks.data.activities.filter((t) => dueState(t, timeZone) === g.key).sort((a, b) => (a.due_at ?? '').localeCompare(b.due_at ?? ''));
            if (list.length === 0) return null;
            return (
              <section key={g.key} aria-labelledby={`group-${g.key}`}>
                <Group gap="xs" mb="xs"><Title order={3} size="h5" id={`group-${g.key}`}>{g.label}</Title><Badge color={g.color} variant="light">{list.length}</Badge></Group>
                <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                  {list.map((t) => (
                    <Card component="li" withBorder p="sm" key={t.id} data-testid={`task-${t.id}`}>
                      <Group justify="space-between" wrap="nowrap">
                        <div>
                          <Text fw={600} size="sm">{t.subject ?? t.message}</Text>
                          {t.subject && t.message && <Text size="sm">{t.message}</Text>}
                          <Text size="xs" c="dimmed">
                            <Anchor component={Link} to={`/members/${t.patient_id}`} size="xs" underline="always">{t.patient_name}</Anchor>
                            {t.due_at ? ` · due ${formatDateTime(t.due_at, timeZone)}` : ''}
                          </Text>
                        </div>
                        <Button size="xs" color="green" variant="light" onClick={() => complete.mutate(t)} loading={complete.isPending && complete.variables?.id === t.id} aria-label={`Complete ${t.subject ?? t.message} for ${t.patient_name}`}>Complete</Button>
                      </Group>
                    </Card>
                  ))}
                </Stack>
              </section>
            );
          })}
        </>
      )}
    </Stack>
  );
}
