/**
 * Transfers (System Admins): offer one of the company's residents to another ECP company by that company's ID (no
 * directory of companies is shown: the other company's System Admin gives theirs); incoming offers to accept into one
 * of the admin's locations (the resident moves with their contacts, vitals, allergies, diagnoses and assessments:
 * resident.delete for the sender, resident.create for us) or decline; outgoing offers to withdraw; the history.
 * Times are shown in the location's zone.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, Card, Code, Group, Modal, NativeSelect, SegmentedControl, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { formatDate } from '../lib/format';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';
import { useCommunitySession } from './session';
import { useLocationTime } from './time';

type Offer = Ok<'/v1/community/transfer_offers', 'get'>['offers'][number];
type View = 'incoming' | 'outgoing' | 'history';

const STATUS_COLORS: Record<string, string> = { offered: 'blue', accepted: 'teal', declined: 'red', withdrawn: 'gray' };

export function CommunityTransfersPage() {
  const { me } = useCommunitySession();
  const qc = useQueryClient();
  const time = useLocationTime();
  const [view, setView] = useState<View>('incoming');
  const [accepting, setAccepting] = useState<Offer | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const query = view === 'history' ? [{ direction: 'incoming' as const, status: 'all' as const }, { direction: 'outgoing' as const, status: 'all' as const }]
    : [{ direction: view, status: 'open' as const }];
  const offers = useQuery({
    queryKey: ['community', 'transfer_offers', view],
    queryFn: async () => (await Promise.all(query.map((q) => unwrap(communityApi.GET('/v1/community/transfer_offers', { params: { query: q } }))))).flatMap((r) => r.offers)
      .sort((a, b) => b.offeredAt.localeCompare(a.offeredAt)),
  });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['community', 'transfer_offers'] });
    void qc.invalidateQueries({ queryKey: ['community', 'residents'] });
  };
  const close = useMutation({
    mutationFn: ({ offer, kind }: { offer: Offer; kind: 'decline' | 'withdraw' }) => unwrap(kind === 'decline'
      ? communityApi.POST('/v1/community/transfer_offers/{offerId}/decline', { params: { path: { offerId: offer.offerId } } })
      : communityApi.POST('/v1/community/transfer_offers/{offerId}/withdraw', { params: { path: { offerId: offer.offerId } } })),
    onSuccess: (r) => { setNotice(`The offer of ${r.offer.residentName} was ${r.offer.status}.`); refresh(); },
  });
  // The offer's own side: an incoming one is shown in our first location's zone until accepted, then in the receiving location's.
  const when = (o: Offer, iso: string | null) => time(iso, o.direction === 'incoming' ? o.toLocationId : null);

  return (
    <Stack>
      <Title order={2}>Transfers</Title>
      <Text size="sm">Your company ID, for companies that transfer residents to you: <Code>{me?.company.companyId}</Code></Text>
      <OfferForm onOffered={(o) => { setNotice(`${o.residentName} was offered to ${o.toCompany.name}.`); refresh(); }} />
      <SegmentedControl aria-label="Transfer offers" value={view} onChange={(v) => setView(v as View)}
        data={[{ value: 'incoming', label: 'Incoming' }, { value: 'outgoing', label: 'Sent' }, { value: 'history', label: 'History' }]} />
      {notice && <Alert color="teal" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>{notice}</Alert>}
      {close.error && <ErrorMessages error={close.error} title="The action failed" />}
      {offers.error ? <ErrorMessages error={offers.error} /> : offers.isPending ? <Loading label="Loading offers…" /> : offers.data.length === 0 ? <Empty>No transfer offers here.</Empty> : (
        <Stack component="ul" aria-label="Transfer offers" style={{ listStyle: 'none', padding: 0, margin: 0 }} gap="sm">
          {offers.data.map((o) => (
            <Card key={o.offerId} withBorder component="li" padding="sm">
              <Group justify="space-between" wrap="nowrap" align="start">
                <div>
                  <Text fw={600}>{o.residentName}</Text>
                  <Text size="sm">Born {formatDate(o.dateOfBirth)}</Text>
                  <Text size="sm">{o.direction === 'incoming' ? `From ${o.fromCompany.name} (${o.fromLocation})` : `To ${o.toCompany.name}, from ${o.fromLocation}`}</Text>
                  {o.note && <Text size="sm" c="dimmed">“{o.note}”</Text>}
                  <Text size="sm" c="dimmed">Offered {when(o, o.offeredAt)}{o.decidedAt ? `; ${o.status} ${when(o, o.decidedAt)}` : ''}{o.toLocation ? ` into ${o.toLocation}` : ''}</Text>
                </div>
                <Badge color={STATUS_COLORS[o.status]} variant="light" style={{ flexShrink: 0 }}>{o.status}</Badge>
              </Group>
              {o.status === 'offered' && (
                <Group mt="xs">
                  {o.direction === 'incoming' ? (
                    <>
                      <Button size="sm" onClick={() => setAccepting(o)} aria-label={`Accept ${o.residentName}`}>Accept</Button>
                      <Button size="sm" variant="subtle" color="red" onClick={() => close.mutate({ offer: o, kind: 'decline' })} aria-label={`Decline ${o.residentName}`}>Decline</Button>
                    </>
                  ) : <Button size="sm" variant="subtle" color="red" onClick={() => close.mutate({ offer: o, kind: 'withdraw' })} aria-label={`Withdraw the offer of ${o.residentName}`}>Withdraw</Button>}
                </Group>
              )}
            </Card>
          ))}
        </Stack>
      )}
      {accepting && <AcceptForm offer={accepting} onClose={() => setAccepting(null)} onAccepted={(o) => { setAccepting(null); setNotice(`${o.residentName} moved into ${o.toLocation}.`); refresh(); }} />}
    </Stack>
  );
}

function OfferForm({ onOffered }: { onOffered: (o: Offer) => void }) {
  const [search, setSearch] = useState('');
  const [residentId, setResidentId] = useState<string | null>(null);
  const [companyId, setCompanyId] = useState('');
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<string[] | null>(null);
  const residents = useQuery({
    queryKey: ['community', 'residents', 'transfer-picker', search],
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents', { params: { query: { search: search || undefined, per_page: 50 } } })),
  });
  const offer = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/residents/{residentId}/transfer_offers', { params: { path: { residentId: residentId! } }, body: { companyId: companyId.trim(), note: note.trim() || undefined } })),
    onSuccess: (r) => { setResidentId(null); setCompanyId(''); setNote(''); setProblems(null); onOffered(r.offer); },
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The offer was not sent']),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const missing = [!residentId && 'Choose a resident', !companyId.trim() && 'Enter the receiving company\'s ID'].filter(Boolean) as string[];
    if (missing.length) return setProblems(missing);
    offer.mutate();
  }
  const data = (residents.data?.residents ?? []).map((r) => ({ value: r.residentId, label: `${r.firstName} ${r.lastName} (${r.location}${r.room ? `, room ${r.room}` : ''})` }));
  return (
    <Card withBorder padding="md">
      <form onSubmit={submit} noValidate aria-label="Offer a transfer">
        <Stack gap="sm">
          <Title order={3} size="h4">Offer a resident to another company</Title>
          {problems && <Alert color="red" role="alert" title="The offer was not sent">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
          <Select label="Resident" searchable required data={data} value={residentId} onChange={setResidentId} searchValue={search} onSearchChange={setSearch} filter={({ options }) => options} nothingFoundMessage="No active resident matches" />
          <TextInput label="Receiving company ID" required description="Ask the other company's System Admin: it is shown on their Transfers screen." maxLength={36} value={companyId} onChange={(e) => setCompanyId(e.currentTarget.value)} autoComplete="off" />
          <Textarea label="Note for the receiving company" maxLength={500} autosize minRows={2} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
          <Group><Button type="submit" loading={offer.isPending}>Offer transfer</Button></Group>
        </Stack>
      </form>
    </Card>
  );
}

function AcceptForm({ offer, onClose, onAccepted }: { offer: Offer; onClose: () => void; onAccepted: (o: Offer) => void }) {
  const { me } = useCommunitySession();
  const locations = (me?.user.locationsAllowed ?? []).map((l) => ({ value: l.locationId, label: l.name }));
  const [locationId, setLocationId] = useState(locations[0]?.value ?? '');
  const accept = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/transfer_offers/{offerId}/accept', { params: { path: { offerId: offer.offerId } }, body: { locationId } })),
    onSuccess: (r) => onAccepted(r.offer),
  });
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={`Accept ${offer.residentName}`}>
      <form onSubmit={(e) => { e.preventDefault(); accept.mutate(); }} aria-label="Accept transfer">
        <Stack>
          <Text size="sm">The resident moves from {offer.fromCompany.name} into your location with their contacts, vitals, allergies, diagnoses and assessments.</Text>
          {accept.error && <ErrorMessages error={accept.error} title="The transfer failed" />}
          <NativeSelect label="Into location" data={locations} value={locationId} onChange={(e) => setLocationId(e.currentTarget.value)} />
          <Group justify="end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={accept.isPending}>Accept transfer</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
