/**
 * Audit log (System Admins): who read or changed which records of the company, and sign-ins, newest first, with
 * filters (user, action, days) in the URL and "Show older" keyset pages; times in the workspace's zone. Shows what
 * the audit rows hold: ids, never PHI values.
 */
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Badge, Button, Card, Group, NativeSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { unwrap } from '../api/client';
import { communityApi } from '../api/community';
import { formatDateTime, humanize } from '../lib/format';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';

const ACTIONS = ['read', 'list', 'create', 'update', 'delete', 'export', 'import', 'sign_in', 'sign_in_failed', 'sign_out', 'token_granted', 'token_refused', 'access_denied'] as const;
type Action = (typeof ACTIONS)[number];

export function CommunityAuditLogPage() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const [user, setUser] = useState(get('user'));
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v); else next.delete(k);
    setParams(next, { replace: k === 'user' });
  };
  useEffect(() => {
    if (user === get('user')) return;
    const t = setTimeout(() => set('user', user.trim()), 300);
    return () => clearTimeout(t);
  }, [user]);

  const filters = { user: get('user') || undefined, action: (get('action') || undefined) as Action | undefined, from: get('from') || undefined, to: get('to') || undefined };
  const log = useInfiniteQuery({
    queryKey: ['community', 'audit', filters],
    queryFn: ({ pageParam }) => unwrap(communityApi.GET('/v1/community/audit_events', { params: { query: { ...filters, limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = log.data?.pages.flatMap((p) => p.auditEvents) ?? [];
  const zone = log.data?.pages[0]?.timeZone;

  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <Group align="end" gap="sm" wrap="wrap">
        <TextInput label="User" placeholder="Name or id" value={user} onChange={(e) => setUser(e.currentTarget.value)} w={{ base: '100%', xs: 220 }} maxLength={100} />
        <NativeSelect label="Action" data={[{ value: '', label: 'Any action' }, ...ACTIONS.map((a) => ({ value: a, label: humanize(a) }))]} value={get('action')} onChange={(e) => set('action', e.currentTarget.value)} w={{ base: '100%', xs: 180 }} />
        <TextInput type="date" label="From" value={get('from')} onChange={(e) => set('from', e.currentTarget.value)} w={{ base: '100%', xs: 170 }} />
        <TextInput type="date" label="To" value={get('to')} onChange={(e) => set('to', e.currentTarget.value)} w={{ base: '100%', xs: 170 }} />
      </Group>
      {zone && <Text size="sm" c="dimmed">Times in {zone}.</Text>}
      {log.error ? <ErrorMessages error={log.error} /> : log.isPending ? <Loading label="Loading the audit log…" /> : rows.length === 0 ? <Empty>No audit rows match these filters.</Empty> : (
        <>
          <Stack gap="xs" component="ul" aria-label="Audit rows" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {rows.map((a) => (
              <Card key={a.id} withBorder component="li" padding="xs">
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Text size="sm" fw={600}>{a.actorName ?? a.actorId ?? 'System'}</Text>
                  <Text size="sm" c="dimmed">{formatDateTime(a.at, zone ?? 'UTC')}</Text>
                </Group>
                <Group gap="xs" wrap="wrap">
                  <Badge variant="light" color={a.action === 'access_denied' || a.action === 'sign_in_failed' ? 'red' : 'blue'}>{humanize(a.action)}</Badge>
                  <Text size="sm">{humanize(a.entityType)}</Text>
                  <Text size="xs" c="dimmed">{a.actorType === 'ecp_user' ? 'staff' : a.actorType}{a.ip ? ` · ${a.ip}` : ''}</Text>
                </Group>
                {a.entityIds.length > 0 && (
                  <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                    {a.entityIds.slice(0, 5).join(', ')}{a.entityIds.length > 5 ? ` and ${a.entityIds.length - 5} more` : ''}
                  </Text>
                )}
              </Card>
            ))}
          </Stack>
          {log.hasNextPage && <Group><Button variant="default" onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>Show older</Button></Group>}
        </>
      )}
    </Stack>
  );
}
