/** Admin: the audit log (who read or changed what), filterable and paged. */
import { useState, type FormEvent } from 'react';
import { Button, Code, Group, Pagination, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { formatDateTime } from '../lib/format';
import { useSession } from '../session';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';

const EMPTY = { entity_type: '', entity_id: '', actor_id: '', action: '', start_date: '', end_date: '' };

export function AuditPage() {
  const { timeZone } = useSession();
  const [draft, setDraft] = useState(EMPTY);
  const [filters, setFilters] = useState(EMPTY);
  const [page, setPage] = useState(1);
  const query = { page, per_page: 50, ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v.trim() !== '')) };
  const log = useQuery({ queryKey: ['audit', query], queryFn: () => unwrap(api.GET('/v1/admin/audit_events', { params: { query } })), placeholderData: keepPreviousData });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
    setPage(1);
  };
  const field = (key: keyof typeof EMPTY, label: string, type = 'text') => (
    <TextInput label={label} type={type} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.currentTarget.value })} w={150} />
  );
  return (
    <Stack>
      <Title order={2}>Audit log</Title>
      <form onSubmit={submit} aria-label="Filter the audit log">
        <Group align="end">
          {field('entity_type', 'Record type')}
          {field('entity_id', 'Record ID')}
          {field('actor_id', 'User ID')}
          {field('action', 'Action')}
          {field('start_date', 'From', 'date')}
          {field('end_date', 'To', 'date')}
          <Button type="submit">Filter</Button>
          <Button variant="default" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); setPage(1); }}>Clear</Button>
        </Group>
      </form>
      {log.isPending ? <Loading label="Loading the audit log…" /> : log.error ? <ErrorMessages error={log.error} /> : log.data.audit_events.length === 0 ? <Empty>No audit events match.</Empty> : (
        <>
          <Text size="sm" c="dimmed">{log.data.pagination.total_count} events</Text>
          <Table striped fz="sm">
            <Table.Thead><Table.Tr><Table.Th>When</Table.Th><Table.Th>Who</Table.Th><Table.Th>Action</Table.Th><Table.Th>Record</Table.Th><Table.Th>IDs</Table.Th><Table.Th>From</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {log.data.audit_events.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{formatDateTime(a.created_at, timeZone)}</Table.Td>
                  <Table.Td>{a.actor_name ?? a.actor_type}{a.actor_id ? ` (#${a.actor_id})` : ''}</Table.Td>
                  <Table.Td>{a.action}</Table.Td>
                  <Table.Td>{a.entity_type}</Table.Td>
                  <Table.Td><Code>{a.entity_ids.slice(0, 8).join(', ')}{a.entity_ids.length > 8 ? ` +${a.entity_ids.length - 8}` : ''}</Code></Table.Td>
                  <Table.Td>{a.ip ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {log.data.pagination.total_pages > 1 && <Pagination total={log.data.pagination.total_pages} value={page} onChange={setPage} getControlProps={(c) => ({ 'aria-label': c === 'previous' ? 'Previous page' : c === 'next' ? 'Next page' : c === 'first' ? 'First page' : 'Last page' })} getItemProps={(p) => ({ 'aria-label': `Page ${p}` })} />}
        </>
      )}
    </Stack>
  );
}
