/**
 * The clinic's settings (admins): what the reports use. Today the reporting day, the day of the month on which the
 * monthly run makes last month's PRTF and Outreach Tracker files for every plan (1-28, in the clinic's time zone);
 * the other settings are shown as the API holds them.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { QueryState } from '../components/QueryState';

export function SettingsPage() {
  const org = useQuery({ queryKey: ['organization'], queryFn: () => unwrap(api.GET('/v1/admin/organization')) });
  return (
    <Stack gap="md" maw={640}>
      <Title order={2}>Clinic settings</Title>
      <QueryState query={org}>{(data) => <ReportingDayForm organization={data.organization} />}</QueryState>
    </Stack>
  );
}

function ReportingDayForm({ organization }: { organization: { name: string; npi: string | null; time_zone: string; mcp_id: string | null; reporting_day: number } }) {
  const qc = useQueryClient();
  const [day, setDay] = useState<number | string>(organization.reporting_day);
  const [errors, setErrors] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save(e: FormEvent) {
    e.preventDefault();
    setErrors([]);
    setSaved(false);
    setBusy(true);
    try {
      await unwrap(api.PUT('/v1/admin/organization', { body: { organization: { reporting_day: Number(day) } } }));
      setSaved(true);
      void qc.invalidateQueries({ queryKey: ['organization'] });
    } catch (err) {
      setErrors((err as { messages?: string[] }).messages ?? [String(err)]);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md">
      <Table>
        <Table.Tbody>
          <Table.Tr><Table.Th>Clinic</Table.Th><Table.Td>{organization.name}</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>NPI</Table.Th><Table.Td>{organization.npi ?? '—'}</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>Time zone</Table.Th><Table.Td>{organization.time_zone}</Table.Td></Table.Tr>
          <Table.Tr><Table.Th>Default plan (MCP)</Table.Th><Table.Td>{organization.mcp_id ?? '—'}</Table.Td></Table.Tr>
        </Table.Tbody>
      </Table>
      <form onSubmit={save} noValidate aria-label="Reporting day">
        <Stack gap="sm">
          {errors.length > 0 && <Alert color="red" role="alert" title="Not saved">{errors.map((m) => <div key={m}>{m}</div>)}</Alert>}
          {saved && <Alert color="green" role="status">Reporting day saved.</Alert>}
          <NumberInput label="Reporting day" description="Day of the month (1-28) on which last month's PRTF and Outreach Tracker files are made for every plan, and the admins are mailed"
            min={1} max={28} clampBehavior="none" allowDecimal={false} value={day} onChange={setDay} w={280} />
          <Group><Button type="submit" loading={busy}>Save</Button></Group>
          <Text size="xs" c="dimmed">In the clinic's time zone; a run missed that day catches up later in the month.</Text>
        </Stack>
      </form>
    </Stack>
  );
}
