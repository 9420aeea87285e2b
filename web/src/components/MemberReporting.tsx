/**
 * A member's DHCS reporting data, as the RTF reads it: Populations of Focus and homelessness, care plan revisions,
 * assessments, closed-loop referrals and discontinuations (read-only here; the API changes them).
 */
import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { formatDate, humanize } from '../lib/format';
import { Empty, ErrorMessages, Loading } from './QueryState';

export function MemberReporting({ patientId }: { patientId: number }) {
  const p = { params: { path: { patient_id: patientId } } };
  const attributes = useQuery({ queryKey: ['member_attributes', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/member_attributes', p)) });
  const revisions = useQuery({ queryKey: ['care_plan_revisions', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/care_plan_revisions', p)) });
  const assessments = useQuery({ queryKey: ['assessments', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/assessments', p)) });
  const referrals = useQuery({ queryKey: ['referrals', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/referrals', p)) });
  const discontinuations = useQuery({ queryKey: ['discontinuations', patientId], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{patient_id}/discontinuations', p)) });
  const all = [attributes, revisions, assessments, referrals, discontinuations];
  const failed = all.find((q) => q.error);
  if (failed) return <ErrorMessages error={failed.error} />;
  if (!attributes.data || !revisions.data || !assessments.data || !referrals.data || !discontinuations.data) return <Loading />;
  const a = attributes.data.member_attributes;
  return (
    <Stack gap="md">
      <div>
        <Title order={4} size="h6" mb={4}>Populations of Focus</Title>
        {a.populations_of_focus.length === 0 ? <Text size="sm" c="dimmed">None recorded (the RTF needs at least one).</Text> : (
          <Group gap={6}>{a.populations_of_focus.map((f) => <Badge key={f.key} variant="light" title={`Source: ${f.source === 'mif' ? 'MIF' : 'staff'}`}>{f.name}</Badge>)}</Group>
        )}
        <Text size="sm" mt={4}>Experiencing homelessness: {a.homeless === null ? 'not known' : a.homeless ? 'yes' : 'no'}</Text>
      </div>
      <div>
        <Title order={4} size="h6" mb={4}>Care plan revisions</Title>
        {revisions.data.care_plan_revisions.length === 0 ? <Empty>No care plan revisions.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Revised</Table.Th><Table.Th>By</Table.Th><Table.Th>Summary</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{revisions.data.care_plan_revisions.map((r) => <Table.Tr key={r.id}><Table.Td>{formatDate(r.revised_on)}</Table.Td><Table.Td>{r.author_name}</Table.Td><Table.Td>{r.summary}</Table.Td></Table.Tr>)}</Table.Tbody>
          </Table>
        )}
      </div>
      <div>
        <Title order={4} size="h6" mb={4}>Assessments</Title>
        {assessments.data.assessments.length === 0 ? <Empty>No assessments.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Assessment</Table.Th><Table.Th>Started</Table.Th><Table.Th>Completed</Table.Th><Table.Th>By</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{assessments.data.assessments.map((s) => <Table.Tr key={s.id}><Table.Td>{s.title ?? '—'}</Table.Td><Table.Td>{formatDate(s.started_on)}</Table.Td><Table.Td>{s.completed_on ? formatDate(s.completed_on) : 'in progress'}</Table.Td><Table.Td>{s.assessed_by_name}</Table.Td></Table.Tr>)}</Table.Tbody>
          </Table>
        )}
      </div>
      <div>
        <Title order={4} size="h6" mb={4}>Closed-loop referrals</Title>
        {referrals.data.referrals.length === 0 ? <Empty>No referrals.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Received</Table.Th><Table.Th>From</Table.Th><Table.Th>Service</Table.Th><Table.Th>Status</Table.Th><Table.Th>Loop closure</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{referrals.data.referrals.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{formatDate(r.received_on)}</Table.Td><Table.Td>{r.source}</Table.Td><Table.Td>{r.service}</Table.Td>
                <Table.Td>{humanize(r.status)} ({formatDate(r.status_date)})</Table.Td><Table.Td>{r.loop_closure_reason ?? '—'}</Table.Td>
              </Table.Tr>
            ))}</Table.Tbody>
          </Table>
        )}
      </div>
      <div>
        <Title order={4} size="h6" mb={4}>Discontinuations</Title>
        {discontinuations.data.discontinuations.length === 0 ? <Empty>ECM not discontinued.</Empty> : (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>Date</Table.Th><Table.Th>Reason code</Table.Th><Table.Th>Reason</Table.Th><Table.Th>In force</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{discontinuations.data.discontinuations.map((d) => <Table.Tr key={d.id}><Table.Td>{formatDate(d.discontinued_on)}</Table.Td><Table.Td>{d.reason_code}</Table.Td><Table.Td>{d.reason}</Table.Td><Table.Td>{d.in_force ? 'yes' : 'no'}</Table.Td></Table.Tr>)}</Table.Tbody>
          </Table>
        )}
      </div>
    </Stack>
  );
}
