/**
 * Residents: the user's locations, active / awaiting move-in / discharged, search by name, room or external id,
 * all in the URL; Discharge from the active list (fires resident.delete) and Reactivate from the discharged one
 * (resident.create, same residentId). A table on wide screens, cards on phones.
 */
import { useEffect, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { Alert, Anchor, Badge, Box, Button, Card, Group, Modal, Pagination, SegmentedControl, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { formatDate } from '../lib/format';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';
import { useCommunitySession } from './session';
import { useLocationTime } from './time';

type Resident = Ok<'/v1/community/residents', 'get'>['residents'][number];
type Status = 'active' | 'awaiting_move_in' | 'discharged';
const STATUSES: Array<{ value: Status; label: string }> = [
  { value: 'active', label: 'Active' },
  { value: 'awaiting_move_in', label: 'Awaiting move-in' },
  { value: 'discharged', label: 'Discharged' },
];

const fullName = (r: Resident) => `${r.firstName} ${r.lastName}`;

export function CommunityResidentsPage() {
  const { me } = useCommunitySession();
  const time = useLocationTime();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const [search, setSearch] = useState(get('search'));
  const [confirm, setConfirm] = useState<Resident | null>(null);
  const added = (useLocation().state as { added?: string } | null)?.added;
  const [notice, setNotice] = useState<string | null>(added ? `${added} was added.` : null);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: 'search' in changes });
  };

  useEffect(() => {
    if (search === get('search')) return;
    const t = setTimeout(() => update({ search: search || null }), 300);
    return () => clearTimeout(t);
  }, [search]);

  const status = (get('status') || 'active') as Status;
  const page = Number(get('page') || 1);
  const query = { page, per_page: 25, status, locationId: get('location') || undefined, search: get('search') || undefined };
  const list = useQuery({
    queryKey: ['community', 'residents', query],
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents', { params: { query } })),
    placeholderData: keepPreviousData,
  });

  const action = useMutation({
    mutationFn: async ({ resident, kind }: { resident: Resident; kind: 'discharge' | 'reactivate' }) => {
      const path = kind === 'discharge' ? '/v1/community/residents/{residentId}/discharge' as const : '/v1/community/residents/{residentId}/reactivate' as const;
      return unwrap(communityApi.POST(path, { params: { path: { residentId: resident.residentId } } }));
    },
    onSuccess: (_r, { resident, kind }) => {
      setConfirm(null);
      setNotice(`${fullName(resident)} ${kind === 'discharge' ? 'was discharged' : 'was reactivated'}.`);
      void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
    },
  });

  const locations = (me?.user.locationsAllowed ?? []).map((l) => ({ value: l.locationId, label: l.name }));
  const rowAction = (r: Resident) => (status === 'discharged'
    ? <Button size="sm" variant="light" onClick={() => action.mutate({ resident: r, kind: 'reactivate' })} loading={action.isPending && action.variables?.resident.residentId === r.residentId} aria-label={`Reactivate ${fullName(r)}`}>Reactivate</Button>
    : status === 'active' ? <Button size="sm" variant="subtle" color="red" onClick={() => setConfirm(r)} aria-label={`Discharge ${fullName(r)}`}>Discharge</Button> : null);
  const statusBadge = (r: Resident) => <Badge variant="light" color={r.status === 'Active' ? 'teal' : 'gray'} style={{ flexShrink: 0 }}>{r.statusDescription ?? r.status}</Badge>;

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Residents</Title>
        <Button component={Link} to="/community/residents/new">Add New Resident</Button>
      </Group>
      <Group align="end" gap="sm" wrap="wrap">
        <SegmentedControl aria-label="Resident status" data={STATUSES} value={status} onChange={(v) => update({ status: v === 'active' ? null : v })} />
        <Select label="Location" placeholder="All my locations" clearable data={locations} value={get('location') || null} onChange={(v) => update({ location: v })} w={{ base: '100%', xs: 240 }} />
        <TextInput label="Search" placeholder="Name, room or external ID" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={{ base: '100%', xs: 240 }} />
      </Group>
      {notice && <Alert color="teal" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>{notice}</Alert>}
      {action.error && <ErrorMessages error={action.error} title="The action failed" />}
      {list.error ? <ErrorMessages error={list.error} /> : list.isPending ? <Loading label="Loading residents…" /> : (
        <>
          <Text size="sm" c="dimmed" aria-live="polite">{list.data.pagination.total_count} residents{list.isFetching ? ' (updating…)' : ''}</Text>
          {list.data.residents.length === 0 ? <Empty>No residents match these filters.</Empty> : (
            <>
              <Box visibleFrom="sm">
                <Table striped highlightOnHover>
                  <caption style={{ captionSide: 'top', textAlign: 'left' }}><VisuallyHidden>Residents</VisuallyHidden></caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th><Table.Th>Location</Table.Th><Table.Th>Room</Table.Th><Table.Th>Date of birth</Table.Th>
                      <Table.Th>{status === 'awaiting_move_in' ? 'Move-in date' : status === 'discharged' ? 'Discharged' : 'Status'}</Table.Th><Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.data.residents.map((r) => (
                      <Table.Tr key={r.residentId}>
                        <Table.Td><Anchor component={Link} to={`/community/residents/${r.residentId}`}>{fullName(r)}</Anchor></Table.Td>
                        <Table.Td>{r.location}</Table.Td>
                        <Table.Td>{[r.building, r.room].filter(Boolean).join(' · ') || '—'}</Table.Td>
                        <Table.Td>{formatDate(r.dateOfBirth)}</Table.Td>
                        <Table.Td>{status === 'awaiting_move_in' ? formatDate(r.moveInDate) : status === 'discharged' ? time(r.dischargedAt, r.locationId) : statusBadge(r)}</Table.Td>
                        <Table.Td>{rowAction(r)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Box>
              <Stack hiddenFrom="sm" gap="sm" component="ul" aria-label="Residents" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {list.data.residents.map((r) => (
                  <Card key={r.residentId} withBorder component="li" padding="sm">
                    <Group justify="space-between" wrap="nowrap" align="start">
                      <div>
                        <Anchor component={Link} to={`/community/residents/${r.residentId}`} fw={600} display="inline-block" py={10}>{fullName(r)}</Anchor>
                        <Text size="sm">{r.location}{r.room ? `, room ${r.room}` : ''}</Text>
                        <Text size="sm" c="dimmed">Born {formatDate(r.dateOfBirth)}{status === 'awaiting_move_in' ? `; moves in ${formatDate(r.moveInDate)}` : ''}{status === 'discharged' ? `; discharged ${time(r.dischargedAt, r.locationId)}` : ''}</Text>
                      </div>
                      {statusBadge(r)}
                    </Group>
                    {rowAction(r) && <Group mt="xs">{rowAction(r)}</Group>}
                  </Card>
                ))}
              </Stack>
            </>
          )}
          {list.data.pagination.total_pages > 1 && (
            <Pagination total={list.data.pagination.total_pages} value={page} onChange={(p) => update({ page: String(p) })} getControlProps={(c) => ({ 'aria-label': c === 'previous' ? 'Previous page' : c === 'next' ? 'Next page' : c === 'first' ? 'First page' : 'Last page' })} getItemProps={(p) => ({ 'aria-label': `Page ${p}` })} />
          )}
        </>
      )}
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title={confirm ? `Discharge ${fullName(confirm)}?` : ''}>
        <Stack>
          <Text size="sm">The resident moves to the Discharged list; contacts, allergies and readings are kept, and they can be reactivated later.</Text>
          <Group justify="end">
            <Button variant="default" onClick={() => setConfirm(null)}>Cancel</Button>
            <Button color="red" loading={action.isPending} onClick={() => confirm && action.mutate({ resident: confirm, kind: 'discharge' })}>Discharge</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
