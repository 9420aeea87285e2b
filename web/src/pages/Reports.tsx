/** Reports: event counts for a date range (charts by PRTF category and by type); PRTF generation and history (admins). */
import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { BarChart } from '@mantine/charts';
import '@mantine/charts/styles.css';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { formatDate, formatDateTime, humanize, todayIn } from '../lib/format';
import { useSession } from '../session';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';

/** A signed download URL as a path on this server, so it works whatever host the console is opened on. */
export function downloadHref(url: string): string {
  const u = new URL(url, window.location.origin);
  return u.pathname + u.search;
}

export function ReportsPage() {
  const { timeZone, isAdmin } = useSession();
  const today = todayIn(timeZone);
  const [range, setRange] = useState({ start: `${today.slice(0, 8)}01`, end: today });
  const counts = useQuery({
    queryKey: ['counts', range],
    queryFn: () => unwrap(api.GET('/v1/clinic/ecm/events/counts', { params: { query: { start_date: range.start, end_date: range.end } } })),
    enabled: range.start <= range.end,
  });
  const c = counts.data?.counts;
  return (
    <Stack>
      <Title order={2}>Reports</Title>
      <Group align="end">
        <TextInput type="date" label="From" value={range.start} onChange={(e) => setRange((r) => ({ ...r, start: e.currentTarget.value }))} />
        <TextInput type="date" label="To" value={range.end} onChange={(e) => setRange((r) => ({ ...r, end: e.currentTarget.value }))} error={range.start > range.end ? 'The end date is before the start date' : undefined} />
        <Text size="sm" c="dimmed">Days in the clinic's time zone ({timeZone}), inclusive.</Text>
      </Group>
      {counts.isPending && range.start <= range.end ? <Loading label="Counting events…" /> : counts.error ? <ErrorMessages error={counts.error} /> : c && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder>
            <Title order={3} size="h5">By PRTF category</Title>
            <Text size="sm" c="dimmed" mb="sm">{c.total} events in all</Text>
            <div role="img" aria-label="Bar chart of events by PRTF category (the same figures are in the table below)">
            <BarChart h={220} dataKey="category" series={[{ name: 'count', label: 'Events', color: 'indigo.6' }]} withTooltip={false}
              data={Object.entries(c.prtf_categories).map(([k, v]) => ({ category: humanize(k), count: v }))} />
            </div>
            <CountsTable rows={Object.entries(c.prtf_categories)} caption="Events by PRTF category" />
          </Card>
          <Card withBorder>
            <Title order={3} size="h5" mb="sm">By type</Title>
            <div role="img" aria-label="Bar chart of events by type (the same figures are in the table below)">
            <BarChart h={220} dataKey="type" series={[{ name: 'count', label: 'Events', color: 'teal.6' }]} withTooltip={false}
              data={Object.entries(c.by_type).map(([k, v]) => ({ type: humanize(k), count: v }))} />
            </div>
            <CountsTable rows={Object.entries(c.by_type)} caption="Events by type" />
          </Card>
        </SimpleGrid>
      )}
      {isAdmin && <PrtfReports defaultRange={range} />}
    </Stack>
  );
}

function CountsTable({ rows, caption }: { rows: Array<[string, number]>; caption: string }) {
  return (
    <Table mt="sm" withRowBorders={false} fz="sm">
      <caption style={{ position: 'absolute', left: -9999 }}>{caption}</caption>
      <Table.Tbody>{rows.map(([k, v]) => <Table.Tr key={k}><Table.Td>{humanize(k)}</Table.Td><Table.Td ta="right">{v}</Table.Td></Table.Tr>)}</Table.Tbody>
    </Table>
  );
}

function PrtfReports({ defaultRange }: { defaultRange: { start: string; end: string } }) {
  const { timeZone } = useSession();
  const qc = useQueryClient();
  const [form, setForm] = useState({ start: defaultRange.start, end: defaultRange.end, format: 'csv' as 'csv' | 'xlsx', plan: 'all', mcpId: '' });
  const [openId, setOpenId] = useState<number | null>(null);
  const history = useQuery({ queryKey: ['prtf_reports'], queryFn: () => unwrap(api.GET('/v1/admin/clinic/ecm/prtf_reports', { params: { query: { per_page: 20 } } })) });
  const generate = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/clinic/ecm/prtf_reports', {
      body: {
        start_date: form.start, end_date: form.end, format: form.format,
        ...(form.plan === 'all' ? { all_plans: true } : form.plan === 'one' ? { mcp_id: form.mcpId } : {}),
      },
    })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['prtf_reports'] }),
  });
  const markSubmitted = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/v1/admin/clinic/ecm/prtf_reports/{id}/submission', { params: { path: { id } }, body: { submission: {} } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['prtf_reports'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    generate.mutate();
  };
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="sm">PRTF reports</Title>
      <form onSubmit={submit} aria-label="Generate a PRTF report">
        <Group align="end">
          <TextInput type="date" label="Report from" value={form.start} onChange={(e) => setForm((f) => ({ ...f, start: e.currentTarget.value }))} required />
          <TextInput type="date" label="Report to" value={form.end} onChange={(e) => setForm((f) => ({ ...f, end: e.currentTarget.value }))} required />
          <Select label="Plans" data={[{ value: 'all', label: 'Every plan (one file each)' }, { value: 'one', label: 'One plan' }, { value: 'clinic', label: 'Whole clinic, one file' }]} value={form.plan} allowDeselect={false} onChange={(v) => setForm((f) => ({ ...f, plan: v ?? 'all' }))} w={220} />
          {form.plan === 'one' && <TextInput label="MCP identifier" value={form.mcpId} onChange={(e) => setForm((f) => ({ ...f, mcpId: e.currentTarget.value }))} required w={160} />}
          <Select label="Format" data={[{ value: 'csv', label: 'CSV' }, { value: 'xlsx', label: 'Excel (XLSX)' }]} value={form.format} allowDeselect={false} onChange={(v) => setForm((f) => ({ ...f, format: (v ?? 'csv') as 'csv' | 'xlsx' }))} w={150} />
          <Button type="submit" loading={generate.isPending}>Generate PRTF</Button>
        </Group>
      </form>
      {generate.error && <ErrorMessages error={generate.error} title="The report was not generated" />}
      {generate.data && (
        <Alert color="green" mt="sm" role="status" title={generate.data.message}>
          {generate.data.prtf_reports.map((r) => (
            <div key={r.id}>
              {r.mcp_id ?? 'Clinic'}: {r.patient_count} members, {r.validation_summary.members_with_problems} to fix · <Anchor href={downloadHref(r.url)} download={r.filename}>Download {r.filename}</Anchor>
              {r.otf_url && <> · <Anchor href={downloadHref(r.otf_url)} download={r.otf_filename ?? undefined}>Download {r.otf_filename}</Anchor></>}
            </div>
          ))}
        </Alert>
      )}
      <Title order={4} size="h6" mt="md" mb="xs">History</Title>
      {history.isPending ? <Loading /> : history.error ? <ErrorMessages error={history.error} /> : history.data.prtf_reports.length === 0 ? <Empty>No PRTF reports generated yet.</Empty> : (
        <Table>
          <Table.Thead><Table.Tr><Table.Th>File</Table.Th><Table.Th>Plan</Table.Th><Table.Th>Period</Table.Th><Table.Th>Members</Table.Th><Table.Th>To fix</Table.Th><Table.Th>Layout</Table.Th><Table.Th>Submitted</Table.Th><Table.Th>Generated</Table.Th><Table.Th /></Table.Tr></Table.Thead>
          <Table.Tbody>
            {history.data.prtf_reports.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Anchor href={downloadHref(r.url)} download={r.filename}>{r.filename}</Anchor>
                  {r.otf_url && <><br /><Anchor href={downloadHref(r.otf_url)} download={r.otf_filename ?? undefined} fz="sm">{r.otf_filename}</Anchor></>}
                </Table.Td>
                <Table.Td>{r.mcp_id ?? 'All'}</Table.Td>
                <Table.Td>{formatDate(r.start_date)} – {formatDate(r.end_date)}</Table.Td>
                <Table.Td>{r.patient_count}</Table.Td>
                <Table.Td>
                  {r.validation_summary.members_with_problems > 0
                    ? <Anchor component="button" type="button" onClick={() => setOpenId(openId === r.id ? null : r.id)}>{r.validation_summary.members_with_problems}</Anchor>
                    : 0}
                </Table.Td>
                <Table.Td>{r.layout_version}</Table.Td>
                <Table.Td>{r.submitted_on ? formatDate(r.submitted_on) : '–'}</Table.Td>
                <Table.Td>{formatDateTime(r.created_at, timeZone)}</Table.Td>
                <Table.Td>
                  {!r.submitted_on && <Button size="xs" variant="light" loading={markSubmitted.isPending && markSubmitted.variables === r.id} onClick={() => markSubmitted.mutate(r.id)}>Mark submitted</Button>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {markSubmitted.error && <ErrorMessages error={markSubmitted.error} title="The report was not marked submitted" />}
      {openId !== null && <ValidationList id={openId} />}
    </Card>
  );
}

/** A report's validation list: per member, the required fields still empty or invalid, with a link to the member. */
function ValidationList({ id }: { id: number }) {
  const report = useQuery({
    queryKey: ['prtf_report', id],
    queryFn: () => unwrap(api.GET('/v1/admin/clinic/ecm/prtf_reports/{id}', { params: { path: { id } } })),
  });
  if (report.isPending) return <Loading />;
  if (report.error) return <ErrorMessages error={report.error} />;
  const r = report.data.prtf_report;
  return (
    <Card withBorder mt="sm" aria-label={`Fields to fix in ${r.filename}`}>
      <Title order={4} size="h6" mb="xs">To fix before filing {r.filename}</Title>
      <Table>
        <Table.Thead><Table.Tr><Table.Th>Member</Table.Th><Table.Th>Required fields empty or invalid</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {r.validation.map((v) => (
            <Table.Tr key={v.patient_id}>
              <Table.Td><Anchor component={Link} to={`/members/${v.patient_id}`}>{v.member_id}</Anchor></Table.Td>
              <Table.Td>{v.problems.join('; ')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
