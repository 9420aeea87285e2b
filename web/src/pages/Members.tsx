/** Members: search, filters, sort and pages, all in the URL so a filtered view can be bookmarked. */
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Anchor, Badge, Box, Card, Group, Pagination, Select, Stack, Table, Text, TextInput, Title, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ACUITY_LEVELS, MEMBER_STATUSES, formatDate, humanize } from '../lib/format';
import { useCareTeam } from '../lib/careTeam';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';

type SortField = 'name' | 'member_id' | 'acuity_level' | 'member_record_status' | 'last_activity_at' | 'date_of_birth';
const COLUMNS: Array<{ key: SortField; label: string }> = [
  { key: 'name', label: 'Name' },
  { key: 'member_id', label: 'Member ID' },
  { key: 'date_of_birth', label: 'Date of birth' },
  { key: 'member_record_status', label: 'Status' },
  { key: 'acuity_level', label: 'Acuity' },
];
const ACUITY_COLOR: Record<string, string> = { high: 'red', medium: 'orange', low: 'gray' };

export function MembersPage() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const [search, setSearch] = useState(get('search'));
  const team = useCareTeam();

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) if (v) next.set(k, v); else next.delete(k);
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: 'search' in changes });
  };

  // Search as you type, a moment after the last key.
  useEffect(() => {
    if (search === get('search')) return;
    const t = setTimeout(() => update({ search: search || null }), 300);
    return () => clearTimeout(t);
  }, [search]);

  const sortBy = (get('sort') || 'name') as SortField;
  const sortDir = get('dir') === 'desc' ? 'DESC' : 'ASC';
  const page = Number(get('page') || 1);
  const num = (k: string) => (get(k) ? Number(get(k)) : undefined);
  const query = {
    page,
    per_page: 25,
    search: get('search') || undefined,
    status: (get('status') || undefined) as (typeof MEMBER_STATUSES)[number] | undefined,
    acuity_level: (get('acuity') || undefined) as (typeof ACUITY_LEVELS)[number] | undefined,
    provider_id: num('provider'),
    olcm_user_id: num('olcm'),
    ilcm_user_id: num('ilcm'),
    assigned_to_me: get('mine') === '1' ? true : undefined,
    sort_by: sortBy,
    sort_dir: sortDir,
  };
  const list = useQuery({
    queryKey: ['patients', query],
    queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients', { params: { query } })),
    placeholderData: keepPreviousData,
  });

  const people = (role?: string) => (team.data ?? []).filter((u) => !role || u.role === role).map((u) => ({ value: String(u.id), label: u.active ? u.name : `${u.name} (inactive)` }));

  const sortHeader = (c: { key: SortField; label: string }) => {
    const active = sortBy === c.key;
    return (
      <Table.Th key={c.key} aria-sort={active ? (sortDir === 'ASC' ? 'ascending' : 'descending') : 'none'}>
        <UnstyledButton onClick={() => update({ sort: c.key, dir: active && sortDir === 'ASC' ? 'desc' : null })} fw={600}>
          {c.label} {active ? (sortDir === 'ASC' ? '▲' : '▼') : ''}
          <VisuallyHidden>{active ? `, sorted ${sortDir === 'ASC' ? 'ascending' : 'descending'}` : ', sort'}</VisuallyHidden>
        </UnstyledButton>
      </Table.Th>
    );
  };

  return (
    <Stack>
      <Title order={2}>Members</Title>
      <Group align="end" gap="sm" wrap="wrap">
        <TextInput label="Search" placeholder="Name or member ID" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={220} />
        <Select label="Status" placeholder="Any" clearable data={MEMBER_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} value={get('status') || null} onChange={(v) => update({ status: v })} w={180} />
        <Select label="Acuity" placeholder="Any" clearable data={ACUITY_LEVELS.map((s) => ({ value: s, label: humanize(s) }))} value={get('acuity') || null} onChange={(v) => update({ acuity: v })} w={120} />
        <Select label="Provider" placeholder="Any" clearable searchable data={people('provider')} value={get('provider') || null} onChange={(v) => update({ provider: v })} w={180} />
        <Select label="Outreach lead care manager" placeholder="Any" clearable searchable data={people()} value={get('olcm') || null} onChange={(v) => update({ olcm: v })} w={210} />
        <Select label="In-person lead care manager" placeholder="Any" clearable searchable data={people()} value={get('ilcm') || null} onChange={(v) => update({ ilcm: v })} w={210} />
        <Select label="Case load" data={[{ value: '', label: 'Everyone' }, { value: '1', label: 'Assigned to me' }]} value={get('mine')} onChange={(v) => update({ mine: v || null })} w={150} allowDeselect={false} />
      </Group>
      {list.error ? <ErrorMessages error={list.error} /> : list.isPending ? <Loading label="Loading members…" /> : (
        <>
          <Text size="sm" c="dimmed" aria-live="polite">{list.data.pagination.total_count} members{list.isFetching ? ' (updating…)' : ''}</Text>
          {list.data.patients.length === 0 ? <Empty>No members match these filters.</Empty> : (
            <>
            <Box visibleFrom="sm">
            <Table striped highlightOnHover stickyHeader>
              <caption style={{ captionSide: 'top', textAlign: 'left' }}><VisuallyHidden>Members, sortable by column</VisuallyHidden></caption>
              <Table.Thead>
                <Table.Tr>
                  {COLUMNS.map(sortHeader)}
                  <Table.Th>Provider</Table.Th>
                  <Table.Th>Lead care managers</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.patients.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td><Anchor component={Link} to={`/members/${p.id}`}>{p.name}</Anchor></Table.Td>
                    <Table.Td>{p.ecm_eligibility_information.member_id}</Table.Td>
                    <Table.Td>{formatDate(p.date_of_birth)}</Table.Td>
                    <Table.Td>{humanize(p.ecm_eligibility_information.member_record_status)}</Table.Td>
                    <Table.Td>{p.ecm_eligibility_information.acuity_level ? <Badge variant="light" color={ACUITY_COLOR[p.ecm_eligibility_information.acuity_level]}>{p.ecm_eligibility_information.acuity_level}</Badge> : '—'}</Table.Td>
                    <Table.Td>{p.case_load.provider_name ?? '—'}</Table.Td>
                    <Table.Td>{[p.case_load.olcm_name, p.case_load.ilcm_name].filter(Boolean).join(' / ') || '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            </Box>
            {/* Phones: one card per member instead of a table that would scroll sideways. */}
            <Stack hiddenFrom="sm" gap="sm" component="ul" aria-label="Members" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {list.data.patients.map((p) => (
                <Card key={p.id} withBorder component="li" padding="sm">
                  <Group justify="space-between" wrap="nowrap" align="start">
                    <Anchor component={Link} to={`/members/${p.id}`} fw={600} display="inline-block" py={10}>{p.name}</Anchor>
                    {p.ecm_eligibility_information.acuity_level && <Badge variant="light" color={ACUITY_COLOR[p.ecm_eligibility_information.acuity_level]} style={{ flexShrink: 0 }}>{p.ecm_eligibility_information.acuity_level}</Badge>}
                  </Group>
                  <Text size="sm">{p.ecm_eligibility_information.member_id} · {humanize(p.ecm_eligibility_information.member_record_status)}</Text>
                  <Text size="sm" c="dimmed">Born {formatDate(p.date_of_birth)}{p.case_load.provider_name ? ` · ${p.case_load.provider_name}` : ''}</Text>
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
    </Stack>
  );
}
