/**
 * Integrations (System Admins): the company's partner clients. Create one (scopes, locations; the client secret and
 * Api-Key are shown this once), and per client: enable or disable it, rotate its secret or Api-Key, register its JWK
 * Set for SMART Backend Services (paste or choose a .json file), subscribe callback URLs to the seed's events, read
 * each subscription's delivery log with every attempt, retry a delivery, replay the last day's failed ones and Send test
 * event.
 */
import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import {
  Alert, Anchor, Badge, Button, Card, Checkbox, Code, CopyButton, FileButton, Group, Modal, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { formatDateTime } from '../lib/format';
import { Empty, ErrorMessages, QueryState } from '../components/QueryState';
import { useCommunitySession } from './session';

type Client = Ok<'/v1/community/integrations/clients', 'get'>['clients'][number];
type Subscription = Ok<'/v1/community/integrations/clients/{clientId}/subscriptions', 'get'>['subscriptions'][number];

/** The ECP scopes (the create form's choices), as the API lists them. */
const SCOPES = [
  'location.read', 'resident.read', 'resident.write', 'contact.write', 'vital.read', 'vital.write', 'allergy.read', 'allergy.write',
  'diagnosis.read', 'diagnosis.write', 'user.read', 'user.write', 'webhook.read', 'webhook.write',
];
/** The 12 event names of seed 000. */
const EVENTS = [
  'allergy.update', 'contact.create', 'contact.delete', 'contact.update', 'diet.update', 'levelOfCare.update',
  'resident.create', 'resident.delete', 'resident.update', 'user.create', 'user.update', 'user.delete',
];

const clientsKey = ['community', 'integrations', 'clients'];
const messagesOf = (err: unknown, fallback: string) => (err instanceof ApiError ? err.messages : [fallback]);

/** Something shown once (a secret, an Api-Key): a read-only field to select from, and a copy button. */
function ShownOnce({ label, value }: { label: string; value: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="end">
      <TextInput label={label} value={value} readOnly style={{ flex: 1, minWidth: 0 }} styles={{ input: { fontFamily: 'monospace' } }} onFocus={(e) => e.currentTarget.select()} />
      <CopyButton value={value}>{({ copied, copy }) => <Button variant="light" onClick={copy} aria-label={`Copy ${label}`}>{copied ? 'Copied' : 'Copy'}</Button>}</CopyButton>
    </Group>
  );
}

function Secrets({ title, items, onDone }: { title: string; items: Array<[string, string]>; onDone: () => void }) {
  return (
    <Alert color="yellow" role="status" title={title}>
      <Stack gap="sm">
        <Text size="sm">Copy these now: they are shown only this once and cannot be read again.</Text>
        {items.map(([label, value]) => <ShownOnce key={label} label={label} value={value} />)}
        <Group><Button size="sm" variant="default" onClick={onDone}>Done</Button></Group>
      </Stack>
    </Alert>
  );
}

export function CommunityIntegrationsPage() {
  const list = useQuery({ queryKey: clientsKey, queryFn: () => unwrap(communityApi.GET('/v1/community/integrations/clients')).then((r) => r.clients) });
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Integrations</Title>
        {!creating && <Button onClick={() => setCreating(true)}>New partner client</Button>}
      </Group>
      <Text size="sm" c="dimmed">Partner clients reach the company&apos;s data at their locations through the partner API and FHIR, and receive its webhooks.</Text>
      {creating && <NewClientForm onClose={() => setCreating(false)} />}
      <QueryState query={list} loadingLabel="Loading partner clients…">
        {(clients) => clients.length === 0 ? <Empty>No partner clients yet.</Empty> : (
          <Stack gap="sm" component="ul" aria-label="Partner clients" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {clients.map((c) => <ClientCard key={c.clientId} client={c} />)}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

function ClientCard({ client }: { client: Client }) {
  return (
    <Card withBorder component="li" padding="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Anchor component={Link} to={`/community/integrations/clients/${client.clientId}`} fw={600} py={10} style={{ overflowWrap: 'anywhere' }}>
          Client {client.clientId}
        </Anchor>
        <Group gap="xs">
          {client.jwksKeyIds.length > 0 && <Badge variant="light" color="grape">JWKS</Badge>}
          <Badge variant="light" color={client.enabled ? 'teal' : 'gray'}>{client.enabled ? 'Enabled' : 'Disabled'}</Badge>
        </Group>
      </Group>
      <Text size="sm">{client.locations.map((l) => l.name).join(', ')}</Text>
      <Text size="sm" c="dimmed">{client.scopes.length === SCOPES.length ? 'All scopes' : client.scopes.join(', ')}</Text>
    </Card>
  );
}

function NewClientForm({ onClose }: { onClose: () => void }) {
  const { me } = useCommunitySession();
  const qc = useQueryClient();
  const locations = me?.user.locationsAllowed ?? [];
  const [chosen, setChosen] = useState<string[]>(locations.length === 1 ? [locations[0].locationId] : []);
  const [scopes, setScopes] = useState<string[]>(SCOPES);
  const [jwks, setJwks] = useState('');
  const [problems, setProblems] = useState<string[] | null>(null);
  const create = useMutation({
    mutationFn: async () => {
      let parsed: unknown;
      if (jwks.trim()) {
        try {
          parsed = JSON.parse(jwks);
        } catch {
          throw new ApiError(422, ['The JWKS is not valid JSON']);
        }
      }
      return unwrap(communityApi.POST('/v1/community/integrations/clients', { body: { locationIds: chosen, scopes: scopes as never, ...(parsed ? { jwks: parsed as never } : {}) } }));
    },
    onSuccess: () => { setProblems(null); void qc.invalidateQueries({ queryKey: clientsKey }); },
    onError: (err) => setProblems(messagesOf(err, 'The client was not created')),
  });

  if (create.data) {
    const r = create.data;
    return (
      <Secrets
        title={`Partner client ${r.client.clientId} created`}
        items={[['Client ID', r.client.clientId], ['Client secret', r.clientSecret], ['Client secret (base64)', r.clientSecretBase64], ['Api-Key', r.apiKey], ['Company ID', r.companyId]]}
        onDone={onClose}
      />
    );
  }
  return (
    <Card withBorder component="form" aria-label="New partner client" onSubmit={(e: FormEvent) => { e.preventDefault(); create.mutate(); }}>
      <Stack>
        <Title order={3} size="h4">New partner client</Title>
        {problems && <Alert color="red" role="alert" title="The client was not created">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        <Checkbox.Group label="Locations" description="The locations the client reaches" value={chosen} onChange={setChosen} withAsterisk>
          <Stack gap={4} mt={4}>{locations.map((l) => <Checkbox key={l.locationId} value={l.locationId} label={l.name} py={6} />)}</Stack>
        </Checkbox.Group>
        <Checkbox.Group label="Scopes" value={scopes} onChange={setScopes}>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing={4} mt={4}>{SCOPES.map((s) => <Checkbox key={s} value={s} label={s} py={6} />)}</SimpleGrid>
        </Checkbox.Group>
        <JwksInput value={jwks} onChange={setJwks} label="Public keys (JWKS, optional)" />
        <Group>
          <Button type="submit" loading={create.isPending}>Create client</Button>
          <Button variant="default" onClick={onClose}>Cancel</Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** A JWK Set pasted into a text area or read from a chosen .json file. */
function JwksInput({ value, onChange, label }: { value: string; onChange: (v: string) => void; label: string }) {
  const read = async (file: File | null) => {
    if (file) onChange(await file.text());
  };
  return (
    <Stack gap={4}>
      <Textarea
        label={label}
        description="SMART Backend Services: RSA (RS384) or EC P-384 (ES384) public keys, each with a kid; no private keys."
        placeholder='{"keys": [{"kty": "EC", "crv": "P-384", "kid": "…", "x": "…", "y": "…"}]}'
        autosize minRows={3} maxRows={10} value={value}
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) => onChange(e.currentTarget.value)}
        styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
      />
      <Group><FileButton onChange={(f) => void read(f)} accept="application/json,.json">{(props) => <Button size="sm" variant="light" {...props}>Choose a JWKS file…</Button>}</FileButton></Group>
    </Stack>
  );
}

export function CommunityClientPage() {
  const { clientId = '' } = useParams();
  const qc = useQueryClient();
  const key = [...clientsKey, clientId];
  const query = useQuery({
    queryKey: key,
    queryFn: () => unwrap(communityApi.GET('/v1/community/integrations/clients/{clientId}', { params: { path: { clientId } } })).then((r) => r.client),
  });
  const [shown, setShown] = useState<{ title: string; items: Array<[string, string]> } | null>(null);
  const [confirm, setConfirm] = useState<null | 'secret' | 'key' | 'disable'>(null);
  const path = { params: { path: { clientId } } };
  const done = (client: Client) => {
    qc.setQueryData(key, client);
    void qc.invalidateQueries({ queryKey: clientsKey, exact: true });
    setConfirm(null);
  };
  const rotateSecret = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/integrations/clients/{clientId}/rotate_secret', path)),
    onSuccess: (r) => { done(r.client); setShown({ title: 'New client secret', items: [['Client secret', r.clientSecret], ['Client secret (base64)', r.clientSecretBase64]] }); },
  });
  const rotateKey = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/integrations/clients/{clientId}/rotate_api_key', path)),
    onSuccess: (r) => { done(r.client); setShown({ title: 'New Api-Key', items: [['Api-Key', r.apiKey]] }); },
  });
  const setEnabled = useMutation({
    mutationFn: (enabled: boolean) => unwrap(communityApi.PUT('/v1/community/integrations/clients/{clientId}', { ...path, body: { enabled } })),
    onSuccess: (r) => done(r.client),
  });
  const failed = rotateSecret.error ?? rotateKey.error ?? setEnabled.error;

  return (
    <Stack>
      <Anchor component={Link} to="/community/integrations" size="sm">← Integrations</Anchor>
      <QueryState query={query} loadingLabel="Loading the client…">
        {(client) => (
          <Stack>
            <Group justify="space-between" wrap="wrap">
              <Title order={2} style={{ overflowWrap: 'anywhere' }}>Client {client.clientId}</Title>
              <Badge variant="light" color={client.enabled ? 'teal' : 'gray'} size="lg">{client.enabled ? 'Enabled' : 'Disabled'}</Badge>
            </Group>
            <Text size="sm"><b>Locations:</b> {client.locations.map((l) => l.name).join(', ')}</Text>
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}><b>Scopes:</b> {client.scopes.join(' ')}</Text>
            {failed && <ErrorMessages error={failed} title="The change was not made" />}
            {shown && <Secrets title={shown.title} items={shown.items} onDone={() => setShown(null)} />}
            <Group gap="xs" wrap="wrap">
              <Button variant="default" onClick={() => setConfirm('secret')}>Rotate secret</Button>
              <Button variant="default" onClick={() => setConfirm('key')}>Rotate Api-Key</Button>
              {client.enabled
                ? <Button variant="light" color="red" onClick={() => setConfirm('disable')}>Disable</Button>
                : <Button variant="light" loading={setEnabled.isPending} onClick={() => setEnabled.mutate(true)}>Enable</Button>}
            </Group>
            <JwksSection client={client} onSaved={done} />
            <SubscriptionsSection client={client} />
            <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title={confirm === 'secret' ? 'Rotate the client secret?' : confirm === 'key' ? 'Rotate the Api-Key?' : 'Disable the client?'}>
              <Stack>
                <Text size="sm">
                  {confirm === 'secret' ? 'The partner must switch to the new secret: tokens issued with the old one stop working now.'
                    : confirm === 'key' ? 'The old Api-Key stops working now.' : 'Its tokens and Api-Key stop working now, and its webhooks are not sent.'}
                </Text>
                <Group justify="end">
                  <Button variant="default" onClick={() => setConfirm(null)}>Cancel</Button>
                  <Button
                    color={confirm === 'disable' ? 'red' : undefined}
                    loading={rotateSecret.isPending || rotateKey.isPending || setEnabled.isPending}
                    onClick={() => (confirm === 'secret' ? rotateSecret.mutate() : confirm === 'key' ? rotateKey.mutate() : setEnabled.mutate(false))}
                  >
                    {confirm === 'disable' ? 'Disable' : 'Rotate'}
                  </Button>
                </Group>
              </Stack>
            </Modal>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

function JwksSection({ client, onSaved }: { client: Client; onSaved: (c: Client) => void }) {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<string[] | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const path = { params: { path: { clientId: client.clientId } } };
  const save = useMutation({
    mutationFn: async () => {
      let jwks: unknown;
      try {
        jwks = JSON.parse(text);
      } catch {
        throw new ApiError(422, ['The JWKS is not valid JSON']);
      }
      return unwrap(communityApi.PUT('/v1/community/integrations/clients/{clientId}/jwks', { ...path, body: { jwks: jwks as never } }));
    },
    onSuccess: (r) => { setProblems(null); setText(''); setSaved('Public keys saved.'); onSaved(r.client); },
    onError: (err) => { setSaved(null); setProblems(messagesOf(err, 'The keys were not saved')); },
  });
  const clear = useMutation({
    mutationFn: () => unwrap(communityApi.DELETE('/v1/community/integrations/clients/{clientId}/jwks', path)),
    onSuccess: (r) => { setSaved('Public keys removed: the client uses its secret only.'); onSaved(r.client); },
  });
  return (
    <Card withBorder component="section" aria-labelledby="jwks-heading">
      <Stack>
        <Title order={3} size="h4" id="jwks-heading">Public keys (SMART Backend Services)</Title>
        <Text size="sm">
          {client.jwksKeyIds.length ? <>Registered key ids: {client.jwksKeyIds.map((k) => <Code key={k} mx={2}>{k}</Code>)}</> : 'No keys registered: the client authenticates with its secret.'}
        </Text>
        {problems && <Alert color="red" role="alert" title="The keys were not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        {saved && <Alert color="teal" role="status">{saved}</Alert>}
        <JwksInput value={text} onChange={setText} label="JWKS" />
        <Group gap="xs">
          <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!text.trim()}>Save keys</Button>
          {client.jwksKeyIds.length > 0 && <Button variant="subtle" color="red" loading={clear.isPending} onClick={() => clear.mutate()}>Remove keys</Button>}
        </Group>
      </Stack>
    </Card>
  );
}

function SubscriptionsSection({ client }: { client: Client }) {
  const qc = useQueryClient();
  const key = [...clientsKey, client.clientId, 'subscriptions'];
  const path = { params: { path: { clientId: client.clientId } } };
  const list = useQuery({ queryKey: key, queryFn: () => unwrap(communityApi.GET('/v1/community/integrations/clients/{clientId}/subscriptions', path)).then((r) => r.subscriptions) });
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(EVENTS);
  const [problems, setProblems] = useState<string[] | null>(null);
  const create = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/integrations/clients/{clientId}/subscriptions', { ...path, body: { callbackUrl: url, eventNames: events as never } })),
    onSuccess: () => { setProblems(null); setUrl(''); void qc.invalidateQueries({ queryKey: key }); },
    onError: (err) => setProblems(messagesOf(err, 'The subscription was not created')),
  });
  return (
    <Card withBorder component="section" aria-labelledby="subscriptions-heading">
      <Stack>
        <Title order={3} size="h4" id="subscriptions-heading">Webhook subscriptions</Title>
        {create.data && <Secrets title="Subscription created" items={[['Signing secret', create.data.secret]]} onDone={() => create.reset()} />}
        <form aria-label="New webhook subscription" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Stack gap="sm">
            {problems && <Alert color="red" role="alert" title="The subscription was not created">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
            <TextInput label="Callback URL" placeholder="https://partner.example.com/webhooks" required value={url} onChange={(e) => setUrl(e.currentTarget.value)} maxLength={2000} />
            <Checkbox.Group label="Events" value={events} onChange={setEvents}>
              <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing={4} mt={4}>{EVENTS.map((ev) => <Checkbox key={ev} value={ev} label={ev} py={6} />)}</SimpleGrid>
            </Checkbox.Group>
            <Group><Button type="submit" loading={create.isPending}>Subscribe</Button></Group>
          </Stack>
        </form>
        <QueryState query={list} loadingLabel="Loading subscriptions…">
          {(subs) => subs.length === 0 ? <Empty>No subscriptions.</Empty> : (
            <Stack gap="sm" component="ul" aria-label="Subscriptions" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {subs.map((s) => <SubscriptionCard key={s.subscriptionId} sub={s} listKey={key} />)}
            </Stack>
          )}
        </QueryState>
      </Stack>
    </Card>
  );
}

function SubscriptionCard({ sub, listKey }: { sub: Subscription; listKey: string[] }) {
  const qc = useQueryClient();
  const [showLog, setShowLog] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const path = { params: { path: { subscriptionId: sub.subscriptionId } } };
  const logKey = ['community', 'integrations', 'deliveries', sub.subscriptionId];
  const test = useMutation({
    mutationFn: () => unwrap(communityApi.POST('/v1/community/integrations/subscriptions/{subscriptionId}/test', path)),
    onSuccess: (r) => { setNotice(`Test event ${r.messageId} queued.`); setShowLog(true); void qc.invalidateQueries({ queryKey: logKey }); },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(communityApi.DELETE('/v1/community/integrations/subscriptions/{subscriptionId}', path)),
    onSuccess: () => void qc.invalidateQueries({ queryKey: listKey }),
  });
  return (
    <Card withBorder component="li" padding="sm">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text fw={600} style={{ overflowWrap: 'anywhere' }}>{sub.callbackUrl}</Text>
          <Badge variant="light" color={sub.enabled ? 'teal' : 'gray'}>{sub.enabled ? 'Enabled' : 'Disabled'}</Badge>
        </Group>
        <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>{sub.eventNames.length === EVENTS.length ? 'All 12 events' : sub.eventNames.join(', ')}</Text>
        {sub.disabledReason && <Text size="sm" c="red.8">{sub.disabledReason}</Text>}
        {notice && <Alert color="teal" role="status">{notice}</Alert>}
        {(test.error ?? remove.error) && <ErrorMessages error={test.error ?? remove.error} title="The action failed" />}
        <Group gap="xs" wrap="wrap">
          <Button size="sm" onClick={() => test.mutate()} loading={test.isPending} aria-label={`Send test event to ${sub.callbackUrl}`}>Send test event</Button>
          <Button size="sm" variant="default" onClick={() => setShowLog(!showLog)} aria-expanded={showLog}>{showLog ? 'Hide deliveries' : 'Deliveries'}</Button>
          <Button size="sm" variant="subtle" color="red" onClick={() => remove.mutate()} loading={remove.isPending} aria-label={`Delete subscription ${sub.callbackUrl}`}>Delete</Button>
        </Group>
        {showLog && <DeliveryLog subscriptionId={sub.subscriptionId} queryKey={logKey} />}
      </Stack>
    </Card>
  );
}

function DeliveryLog({ subscriptionId, queryKey }: { subscriptionId: string; queryKey: string[] }) {
  const qc = useQueryClient();
  const path = { params: { path: { subscriptionId } } };
  const log = useQuery({
    queryKey,
    queryFn: () => unwrap(communityApi.GET('/v1/community/integrations/subscriptions/{subscriptionId}/deliveries', path)),
    // A fresh test event is delivered within a second or two: look again while any delivery is pending.
    refetchInterval: (q) => (q.state.data?.deliveries.some((d) => d.status === 'pending') ? 1000 : false),
  });
  const retry = useMutation({
    mutationFn: (messageId: string) => unwrap(communityApi.POST('/v1/community/integrations/subscriptions/{subscriptionId}/deliveries/{messageId}/retry', { params: { path: { subscriptionId, messageId } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey }),
  });
  const [replayed, setReplayed] = useState<string | null>(null);
  const replay = useMutation({
    mutationFn: (hours: number) => unwrap(communityApi.POST('/v1/community/integrations/subscriptions/{subscriptionId}/replay', {
      ...path, body: { since: new Date(Date.now() - hours * 3600_000).toISOString() },
    })),
    onSuccess: (r) => { setReplayed(`${r.resent} failed ${r.resent === 1 ? 'delivery' : 'deliveries'} queued again.`); void qc.invalidateQueries({ queryKey }); },
  });
  return (
    <QueryState query={log} loadingLabel="Loading deliveries…">
      {(data) => data.deliveries.length === 0 ? <Empty>Nothing sent yet.</Empty> : (
        <Stack gap="xs">
          {(retry.error ?? replay.error) && <ErrorMessages error={retry.error ?? replay.error} title="The deliveries were not sent again" />}
          {replayed && <Alert color="teal" role="status">{replayed}</Alert>}
          <Group><Button size="xs" variant="default" onClick={() => replay.mutate(24)} loading={replay.isPending}>Replay failed (last 24 hours)</Button></Group>
          <Text size="sm" c="dimmed">{data.totalCount} {data.totalCount === 1 ? 'delivery' : 'deliveries'}</Text>
          <Stack gap="xs" component="ul" aria-label="Deliveries" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {data.deliveries.map((d) => {
              const last = d.attempts[d.attempts.length - 1];
              return (
                <Card key={d.messageId} withBorder component="li" padding="xs">
                  <Group justify="space-between" wrap="wrap" gap="xs">
                    <Text size="sm" fw={600}>{d.eventName}</Text>
                    <Badge variant="light" color={d.status === 'succeeded' ? 'teal' : d.status === 'failed' ? 'red' : 'gray'}>{d.status}</Badge>
                  </Group>
                  <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>{d.messageId} · {formatDateTime(d.eventTimestamp, data.timeZone)}</Text>
                  <Text size="sm">
                    {d.attempts.length} attempt{d.attempts.length === 1 ? '' : 's'}
                    {last ? ` · last answered ${last.statusCode ?? 'nothing'}${last.error ? ` (${last.error})` : ''} in ${last.latencyMs} ms` : ''}
                  </Text>
                  {d.attempts.length > 1 && (
                    <Table fz="xs" mt={4} aria-label={`Attempts of ${d.messageId}`}>
                      <Table.Thead><Table.Tr><Table.Th>When</Table.Th><Table.Th>Response</Table.Th></Table.Tr></Table.Thead>
                      <Table.Tbody>{d.attempts.map((a) => <Table.Tr key={a.attemptedAt}><Table.Td>{formatDateTime(a.attemptedAt, data.timeZone)}</Table.Td><Table.Td>{a.statusCode ?? a.error ?? '—'}</Table.Td></Table.Tr>)}</Table.Tbody>
                    </Table>
                  )}
                  {d.status !== 'pending' && d.status !== 'withdrawn' && (
                    <Group mt={4}><Button size="xs" variant="light" onClick={() => retry.mutate(d.messageId)} loading={retry.isPending && retry.variables === d.messageId} aria-label={`Retry ${d.eventName} ${d.messageId}`}>Retry</Button></Group>
                  )}
                </Card>
              );
            })}
          </Stack>
        </Stack>
      )}
    </QueryState>
  );
}
