/** A member: demographics, eligibility and authorizations, status history, case load, the timeline, logging and messaging. */
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Anchor, Badge, Button, Card, Grid, Group, Select, SimpleGrid, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Ok } from '../api/client';
import { formatDate, formatDateTime, humanize } from '../lib/format';
import { useCareTeam } from '../lib/careTeam';
import { useSession } from '../session';
import { ErrorMessages, Loading, Empty } from '../components/QueryState';
import { Timeline } from '../components/Timeline';
import { MemberReporting } from '../components/MemberReporting';
import { ActivityForm } from '../components/ActivityForm';
import { Conversation } from '../components/Conversation';

type Patient = Ok<'/v1/clinic/ecm/patients/{id}', 'get'>['patient'];

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="dt">{label}</Text>
      <Text size="sm" component="dd" m={0}>{children || '—'}</Text>
    </div>
  );
}

export function MemberPage() {
  const id = Number(useParams().id);
  const { me, timeZone } = useSession();
  const qc = useQueryClient();
  const team = useCareTeam();
  const patient = useQuery({ queryKey: ['patient', id], queryFn: () => unwrap(api.GET('/v1/clinic/ecm/patients/{id}', { params: { path: { id } } })), select: (r) => r.patient });

  useEffect(() => {
    if (patient.data) document.title = `${patient.data.name} · Care Console`;
    return () => { document.title = 'Care Console'; };
  }, [patient.data]);

  const createActivity = async (payload: Record<string, unknown>) => {
    const r = await unwrap(api.POST('/v1/clinic/ecm/patients/{patient_id}/activities', { params: { path: { patient_id: id } }, body: { activity: payload } }));
    void qc.invalidateQueries({ queryKey: ['timeline', id] });
    void qc.invalidateQueries({ queryKey: ['my-work'] });
    return r;
  };

  if (patient.isPending) return <Loading label="Loading member…" />;
  if (patient.error) return <ErrorMessages error={patient.error} title="This member could not be loaded" />;
  const p = patient.data;
  const e = p.ecm_eligibility_information;
  const people = (team.data ?? []).filter((u) => u.active).map((u) => ({ id: u.id, name: u.name }));

  return (
    <Stack>
      <Anchor component={Link} to="/members" size="sm">← Members</Anchor>
      <Group justify="space-between">
        <div>
          <Title order={2}>{p.name}</Title>
          <Text c="dimmed" size="sm">Member ID {e.member_id}{e.cin ? ` · CIN ${e.cin}` : ''}</Text>
        </div>
        <Group gap="xs">
          <Badge size="lg" variant="light">{humanize(e.member_record_status)}</Badge>
          {e.acuity_level && <Badge size="lg" variant="light" color={e.acuity_level === 'high' ? 'red' : e.acuity_level === 'medium' ? 'orange' : 'gray'}>Acuity {e.acuity_level}</Badge>}
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder>
          <Title order={3} size="h5" mb="xs">Demographics</Title>
          <SimpleGrid cols={2} component="dl" spacing="xs" m={0}>
            <Field label="Date of birth">{formatDate(p.date_of_birth)}</Field>
            <Field label="Gender">{humanize(p.gender)}</Field>
            <Field label="Phone">{p.phone}</Field>
            <Field label="Email">{p.email}</Field>
            <Field label="Address">{[p.address.street, p.address.city, p.address.state, p.address.zip].filter(Boolean).join(', ')}</Field>
            <Field label="Services">{p.services.join(', ')}</Field>
          </SimpleGrid>
        </Card>
        <Card withBorder>
          <Title order={3} size="h5" mb="xs">Eligibility</Title>
          <SimpleGrid cols={2} component="dl" spacing="xs" m={0}>
            <Field label="ECM provider">{e.ecm_provider_name}</Field>
            <Field label="Service auth ID">{e.ecm_service_auth_id}</Field>
            <Field label="Benefit authorized from">{formatDate(e.ecm_benefit_auth_eff_date)}</Field>
            <Field label="Benefit authorized until">{formatDate(e.ecm_benefit_auth_end_date)}</Field>
            <Field label="Activities">{String(p.activities_count)}</Field>
            <Field label="Last activity">{formatDateTime(p.last_activity_at, timeZone)}</Field>
          </SimpleGrid>
        </Card>
        <CaseLoad patient={p} canEdit={me?.user.role === 'admin'} />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Card withBorder>
            <Tabs defaultValue="timeline" keepMounted={false}>
              <Tabs.List>
                <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
                <Tabs.Tab value="authorizations">Authorizations ({p.ecm_authorizations.length})</Tabs.Tab>
                <Tabs.Tab value="history">Status history</Tabs.Tab>
                <Tabs.Tab value="reporting">DHCS reporting</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="reporting" pt="sm"><MemberReporting patientId={id} /></Tabs.Panel>
              <Tabs.Panel value="timeline" pt="sm"><Timeline patientId={id} /></Tabs.Panel>
              <Tabs.Panel value="authorizations" pt="sm">
                {p.ecm_authorizations.length === 0 ? <Empty>No authorizations on file.</Empty> : (
                  <Table>
                    <Table.Thead><Table.Tr><Table.Th>Auth no.</Table.Th><Table.Th>Type</Table.Th><Table.Th>Status</Table.Th><Table.Th>Start</Table.Th><Table.Th>Expires</Table.Th></Table.Tr></Table.Thead>
                    <Table.Tbody>
                      {p.ecm_authorizations.map((a) => (
                        <Table.Tr key={a.id}><Table.Td>{a.auth_no}</Table.Td><Table.Td>{a.authorization_type ?? a.auth_type ?? '—'}</Table.Td><Table.Td>{a.status}</Table.Td><Table.Td>{formatDate(a.start_date)}</Table.Td><Table.Td>{formatDate(a.expiration_date)}</Table.Td></Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="history" pt="sm">
                {p.ecm_status_history.length === 0 ? <Empty>No status changes recorded.</Empty> : (
                  <Table>
                    <Table.Thead><Table.Tr><Table.Th>Status</Table.Th><Table.Th>Changed</Table.Th><Table.Th>By</Table.Th></Table.Tr></Table.Thead>
                    <Table.Tbody>
                      {p.ecm_status_history.map((h) => (
                        <Table.Tr key={h.id}><Table.Td>{humanize(h.status)}</Table.Td><Table.Td>{formatDateTime(h.changed_at, timeZone)}</Table.Td><Table.Td>{h.changed_by}</Table.Td></Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Tabs.Panel>
            </Tabs>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack>
            <Card withBorder>
              <Title order={3} size="h5" mb="xs">Log an activity</Title>
              <ActivityForm people={people} defaultAssignee={me?.user.id ?? null} onSubmit={createActivity} />
            </Card>
            <Card withBorder>
              <Title order={3} size="h5" mb="xs">Messages and calls</Title>
              <Conversation patientId={id} phone={p.phone} />
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function CaseLoad({ patient, canEdit }: { patient: Patient; canEdit: boolean }) {
  const c = patient.case_load;
  const team = useCareTeam();
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ provider_id: c.provider_id, olcm_user_id: c.olcm_user_id, ilcm_user_id: c.ilcm_user_id });
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/v1/admin/clinic/ecm/patients/{id}/case_load', { params: { path: { id: patient.id } }, body: { case_load: draft } })),
    onSuccess: () => { setEditing(false); void qc.invalidateQueries({ queryKey: ['patient', patient.id] }); void qc.invalidateQueries({ queryKey: ['patients'] }); },
  });
  const options = (role?: string) => (team.data ?? []).filter((u) => u.active && (!role || u.role === role)).map((u) => ({ value: String(u.id), label: u.name }));
  const pick = (label: string, key: keyof typeof draft, role?: string) => (
    <Select label={label} clearable searchable data={options(role)} value={draft[key] === null ? null : String(draft[key])} onChange={(v) => setDraft((d) => ({ ...d, [key]: v ? Number(v) : null }))} />
  );
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">Case load</Title>
        {canEdit && !editing && <Button size="compact-sm" variant="light" onClick={() => setEditing(true)}>Reassign</Button>}
      </Group>
      {editing ? (
        <Stack gap="xs">
          {save.error && <ErrorMessages error={save.error} />}
          {pick('Provider', 'provider_id', 'provider')}
          {pick('Outreach lead care manager', 'olcm_user_id')}
          {pick('In-person lead care manager', 'ilcm_user_id')}
          <Group justify="end" gap="xs">
            <Button variant="default" size="xs" onClick={() => setEditing(false)}>Cancel</Button>
            <Button size="xs" onClick={() => save.mutate()} loading={save.isPending}>Save case load</Button>
          </Group>
        </Stack>
      ) : (
        <SimpleGrid cols={1} component="dl" spacing="xs" m={0}>
          <Field label="Provider">{c.provider_name}</Field>
          <Field label="Outreach lead care manager">{c.olcm_name}</Field>
          <Field label="In-person lead care manager">{c.ilcm_name}</Field>
        </SimpleGrid>
      )}
    </Card>
  );
}
