/**
 * CRM leads: prospective residents at the user's locations (name, contact, desired move-in date, source, status).
 * Converting a lead creates the resident (fires resident.create, seed 000 "via ECP CRM lead profile"); a future
 * desired move-in date files them under "Awaiting move-in". Times in the location's zone.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert, Anchor, Badge, Button, Card, Group, Modal, NativeSelect, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { formatDate } from '../lib/format';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';
import { useCommunitySession } from './session';
import { useLocationTime } from './time';

type Lead = Ok<'/v1/community/leads', 'get'>['leads'][number];
const OPEN = ['New', 'Contacted', 'Tour Scheduled', 'Lost'] as const;
type OpenStatus = (typeof OPEN)[number];

interface Form { firstName: string; lastName: string; dateOfBirth: string; contactName: string; contactPhone: string; contactEmail: string; desiredMoveInDate: string; source: string; locationId: string; notes: string }

export function CommunityLeadsPage() {
  const qc = useQueryClient();
  const time = useLocationTime();
  const [adding, setAdding] = useState(false);
  const [converting, setConverting] = useState<Lead | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['community', 'leads'], queryFn: () => unwrap(communityApi.GET('/v1/community/leads')) });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['community', 'leads'] });
  const status = useMutation({
    mutationFn: ({ lead, value }: { lead: Lead; value: OpenStatus }) => unwrap(communityApi.PUT('/v1/community/leads/{leadId}', { params: { path: { leadId: lead.leadId } }, body: { status: value } })),
    onSuccess: refresh,
  });

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>CRM leads</Title>
        <Button onClick={() => setAdding(true)}>Add lead</Button>
      </Group>
      {notice && <Alert color="teal" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>{notice}</Alert>}
      {status.error && <ErrorMessages error={status.error} title="The status was not saved" />}
      {list.error ? <ErrorMessages error={list.error} /> : list.isPending ? <Loading label="Loading leads…" /> : list.data.leads.length === 0 ? <Empty>No leads yet.</Empty> : (
        <Stack component="ul" aria-label="Leads" style={{ listStyle: 'none', padding: 0, margin: 0 }} gap="sm">
          {list.data.leads.map((l) => (
            <Card key={l.leadId} withBorder component="li" padding="sm">
              <Group justify="space-between" wrap="nowrap" align="start">
                <div>
                  <Text fw={600}>{l.firstName} {l.lastName}</Text>
                  <Text size="sm">{l.location}{l.desiredMoveInDate ? ` · wants to move in ${formatDate(l.desiredMoveInDate)}` : ''}{l.source ? ` · ${l.source}` : ''}</Text>
                  {(l.contactName || l.contactPhone || l.contactEmail) && <Text size="sm" c="dimmed">Contact: {[l.contactName, l.contactPhone, l.contactEmail].filter(Boolean).join(', ')}</Text>}
                  <Text size="sm" c="dimmed">Added {time(l.createdAt, l.locationId)}{l.convertedAt ? `; converted ${time(l.convertedAt, l.locationId)}` : ''}</Text>
                  {l.residentId && <Anchor component={Link} to={`/community/residents/${l.residentId}`} size="sm" display="inline-block" py={10}>Open the resident file</Anchor>}
                </div>
                <Badge variant="light" color={l.status === 'Converted' ? 'teal' : l.status === 'Lost' ? 'gray' : 'blue'} style={{ flexShrink: 0 }}>{l.status}</Badge>
              </Group>
              {!l.residentId && (
                <Group mt="xs" align="end" wrap="wrap">
                  <NativeSelect label="Status" aria-label={`Status of ${l.firstName} ${l.lastName}`} data={[...OPEN]} value={l.status} onChange={(e) => status.mutate({ lead: l, value: e.currentTarget.value as OpenStatus })} w={{ base: '100%', xs: 200 }} />
                  <Button onClick={() => setConverting(l)} aria-label={`Convert to resident: ${l.firstName} ${l.lastName}`}>Convert to resident</Button>
                </Group>
              )}
            </Card>
          ))}
        </Stack>
      )}
      {adding && <LeadForm onClose={() => setAdding(false)} onSaved={(l) => { setAdding(false); setNotice(`${l.firstName} ${l.lastName} was added.`); refresh(); }} />}
      {converting && <ConvertForm lead={converting} onClose={() => setConverting(null)} onConverted={(l) => {
        setConverting(null); setNotice(`${l.firstName} ${l.lastName} is now a resident.`); refresh(); void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
      }} />}
    </Stack>
  );
}

function LeadForm({ onClose, onSaved }: { onClose: () => void; onSaved: (l: Lead) => void }) {
  const { me } = useCommunitySession();
  const locations = (me?.user.locationsAllowed ?? []).map((l) => ({ value: l.locationId, label: l.name }));
  const [form, setForm] = useState<Form>({ firstName: '', lastName: '', dateOfBirth: '', contactName: '', contactPhone: '', contactEmail: '', desiredMoveInDate: '', source: '', locationId: locations[0]?.value ?? '', notes: '' });
  const [problems, setProblems] = useState<string[] | null>(null);
  const text = (k: keyof Form) => ({ value: form[k], onChange: (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [k]: value }));
  } });
  const optional = (v: string) => (v.trim() ? v.trim() : undefined);
  const save = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/leads', {
      body: {
        firstName: form.firstName.trim(), lastName: form.lastName.trim(), locationId: form.locationId, dateOfBirth: optional(form.dateOfBirth), contactName: optional(form.contactName),
        contactPhone: optional(form.contactPhone), contactEmail: optional(form.contactEmail), desiredMoveInDate: optional(form.desiredMoveInDate), source: optional(form.source), notes: optional(form.notes),
      },
    })),
    onSuccess: (r) => onSaved(r.lead),
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The lead was not added']),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const missing = [!form.firstName.trim() && "First name can't be blank", !form.lastName.trim() && "Last name can't be blank", !form.locationId && 'Choose a location'].filter(Boolean) as string[];
    if (missing.length) return setProblems(missing);
    save.mutate();
  }
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title="Add lead" size="lg">
      <form onSubmit={submit} noValidate aria-label="Add lead">
        <Stack>
          {problems && <Alert color="red" role="alert" title="The lead was not added">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="First name" required maxLength={30} {...text('firstName')} />
            <TextInput label="Last name" required maxLength={30} {...text('lastName')} />
            <TextInput label="Date of birth" type="date" {...text('dateOfBirth')} />
            <NativeSelect label="Location" required data={locations} {...text('locationId')} />
            <TextInput label="Contact name" maxLength={60} {...text('contactName')} />
            <TextInput label="Contact phone" type="tel" maxLength={16} {...text('contactPhone')} />
            <TextInput label="Contact email" type="email" maxLength={100} {...text('contactEmail')} />
            <TextInput label="Desired move-in date" type="date" {...text('desiredMoveInDate')} />
            <TextInput label="Source" maxLength={60} placeholder="Website, referral, …" {...text('source')} />
          </SimpleGrid>
          <Textarea label="Notes" maxLength={1000} autosize minRows={2} {...text('notes')} />
          <Group justify="end"><Button variant="default" onClick={onClose}>Cancel</Button><Button type="submit" loading={save.isPending}>Add lead</Button></Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ConvertForm({ lead, onClose, onConverted }: { lead: Lead; onClose: () => void; onConverted: (l: Lead) => void }) {
  const [dateOfBirth, setDob] = useState(lead.dateOfBirth ?? '');
  const [moveInDate, setMoveIn] = useState(lead.desiredMoveInDate ?? '');
  const [room, setRoom] = useState('');
  const convert = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/leads/{leadId}/convert', {
      params: { path: { leadId: lead.leadId } }, body: { dateOfBirth: dateOfBirth || undefined, moveInDate: moveInDate || undefined, room: room.trim() || undefined },
    })),
    onSuccess: (r) => onConverted(r.lead),
  });
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={`Convert ${lead.firstName} ${lead.lastName} to a resident`}>
      <form onSubmit={(e) => { e.preventDefault(); convert.mutate(); }} noValidate aria-label="Convert lead">
        <Stack>
          <Text size="sm">Creates the resident at {lead.location}. A future move-in date files them as awaiting move-in.</Text>
          {convert.error && <ErrorMessages error={convert.error} title="The lead was not converted" />}
          <TextInput label="Date of birth" type="date" required value={dateOfBirth} onChange={(e) => setDob(e.currentTarget.value)} />
          <TextInput label="Move-in date" type="date" value={moveInDate} onChange={(e) => setMoveIn(e.currentTarget.value)} />
          <TextInput label="Room" maxLength={16} value={room} onChange={(e) => setRoom(e.currentTarget.value)} />
          <Group justify="end"><Button variant="default" onClick={onClose}>Cancel</Button><Button type="submit" loading={convert.isPending}>Convert</Button></Group>
        </Stack>
      </form>
    </Modal>
  );
}
