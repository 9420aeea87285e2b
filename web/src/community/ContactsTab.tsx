/**
 * The Resident File's Contacts tab: the resident's contacts (the person, and this resident's relationship, notes and
 * flags); Add (fires contact.create), Edit (contact.update), Remove (contact.update, or contact.delete when this was
 * the contact's only resident) and Link an existing contact who is already another resident's contact, with this
 * resident's own relationship and flags (contact.update). Forms open in a dialog, full screen on phones.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Badge, Button, Checkbox, Group, Modal, NativeSelect, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, UnstyledButton } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import { Empty, ErrorMessages, QueryState } from '../components/QueryState';

type Resident = Ok<'/v1/community/residents/{residentId}', 'get'>['resident'];
type Contact = Ok<'/v1/community/residents/{residentId}/contacts', 'get'>['contacts'][number];
type Found = Ok<'/v1/community/contacts', 'get'>['contacts'][number];

const FLAGS = [
  ['primaryContact', 'Primary contact'],
  ['billingContact', 'Billing contact'],
  ['healthCarePoa', 'Health care POA'],
  ['healthCarePoaActivated', 'POA activated'],
  ['stateAppointedGuardian', 'State-appointed guardian'],
  ['providesProducts', 'Provides products or medications'],
] as const;
type Flag = (typeof FLAGS)[number][0];
const PERSON = ['firstName', 'lastName', 'phone', 'phoneCell', 'phoneWork', 'email', 'address', 'city', 'state', 'zip', 'preferredContactMethod', 'preferredContactTime'] as const;
type PersonField = (typeof PERSON)[number];
type LinkForm = { relationship: string; notes: string } & Record<Flag, boolean>;
type Form = Record<PersonField, string> & LinkForm;

const METHODS = ['Phone', 'Text', 'Email'] as const;
const TIMES = ['Morning', 'Afternoon', 'Evening'] as const;

const emptyLink = (): LinkForm => ({ relationship: '', notes: '', ...Object.fromEntries(FLAGS.map(([k]) => [k, false])) as Record<Flag, boolean> });
const formOf = (c?: Contact): Form => ({
  ...Object.fromEntries(PERSON.map((k) => [k, c?.[k] ?? ''])) as Record<PersonField, string>,
  ...emptyLink(),
  ...(c ? { relationship: c.relationship ?? '', notes: c.notes ?? '', ...Object.fromEntries(FLAGS.map(([k]) => [k, c[k]])) as Record<Flag, boolean> } : {}),
});
const orNull = (v: string) => (v.trim() ? v.trim() : null);
const fullName = (x: { firstName: string; lastName: string }) => `${x.firstName} ${x.lastName}`;

export function ContactsTab({ resident }: { resident: Resident }) {
  const key = ['community', 'resident', resident.residentId, 'contacts'];
  const list = useQuery({
    queryKey: key,
    queryFn: () => unwrap(communityApi.GET('/v1/community/residents/{residentId}/contacts', { params: { path: { residentId: resident.residentId } } })).then((r) => r.contacts),
  });
  return <QueryState query={list} loadingLabel="Loading contacts…">{(contacts) => <Contacts resident={resident} contacts={contacts} queryKey={key} />}</QueryState>;
}

type Dialog = { kind: 'add' } | { kind: 'edit'; contact: Contact } | { kind: 'remove'; contact: Contact } | { kind: 'link' } | null;

function Contacts({ resident, contacts, queryKey }: { resident: Resident; contacts: Contact[]; queryKey: string[] }) {
  const qc = useQueryClient();
  const discharged = resident.dischargedAt !== null;
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
    void qc.invalidateQueries({ queryKey });
  };

  const remove = useMutation({
    mutationFn: (c: Contact) => unwrap(communityApi.DELETE('/v1/community/residents/{residentId}/contacts/{contactId}', { params: { path: { residentId: resident.residentId, contactId: c.contactId } } })),
    onSuccess: (_r, c) => done(`${fullName(c)} was removed from ${resident.firstName}'s contacts.`),
  });

  return (
    <Stack>
      {notice && <Alert color="teal" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>{notice}</Alert>}
      <Group gap="sm" wrap="wrap">
        <Button onClick={() => { setNotice(null); setDialog({ kind: 'add' }); }} disabled={discharged}>Add contact</Button>
        <Button variant="light" onClick={() => { setNotice(null); setDialog({ kind: 'link' }); }} disabled={discharged}>Link existing contact</Button>
      </Group>
      {contacts.length === 0 ? <Empty>No contacts yet.</Empty> : (
        <Stack gap="sm" component="ul" aria-label="Contacts" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {contacts.map((c) => (
            <Paper key={c.contactId} withBorder p="sm" component="li">
              <Group justify="space-between" align="start" wrap="wrap" gap="xs">
                <Stack gap={2} style={{ minWidth: 0, flex: '1 1 220px' }}>
                  <Text fw={600}>{fullName(c)}{c.relationship ? <Text span c="dimmed" fw={400}> · {c.relationship}</Text> : null}</Text>
                  {[c.phone, c.phoneCell && `cell ${c.phoneCell}`, c.email].filter(Boolean).length > 0 && (
                    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{[c.phone, c.phoneCell && `cell ${c.phoneCell}`, c.email].filter(Boolean).join(' · ')}</Text>
                  )}
                  <Group gap={4} wrap="wrap">
                    {FLAGS.filter(([k]) => c[k]).map(([k, label]) => <Badge key={k} variant="light" size="sm">{label}</Badge>)}
                  </Group>
                  {c.notes && <Text size="sm" c="dimmed">{c.notes}</Text>}
                  {c.otherResidents.length > 0 && (
                    <Text size="sm">Also a contact of {c.otherResidents.map((o, i) => (
                      <span key={o.residentId}>{i > 0 ? ', ' : ''}<Anchor component={Link} to={`/community/residents/${o.residentId}`}>{fullName(o)}</Anchor>{o.relationship ? ` (${o.relationship})` : ''}</span>
                    ))}</Text>
                  )}
                </Stack>
                <Group gap="xs">
                  <Button size="sm" variant="default" disabled={discharged} onClick={() => { setNotice(null); setDialog({ kind: 'edit', contact: c }); }} aria-label={`Edit ${fullName(c)}`}>Edit</Button>
                  <Button size="sm" variant="subtle" color="red" disabled={discharged} onClick={() => { setNotice(null); remove.reset(); setDialog({ kind: 'remove', contact: c }); }} aria-label={`Remove ${fullName(c)}`}>Remove</Button>
                </Group>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
      <ResponsiveModal opened={dialog?.kind === 'add' || dialog?.kind === 'edit'} onClose={() => setDialog(null)}
        title={dialog?.kind === 'edit' ? `Edit ${fullName(dialog.contact)}` : `Add a contact for ${fullName(resident)}`}>
        {(dialog?.kind === 'add' || dialog?.kind === 'edit') && (
          <ContactForm resident={resident} contact={dialog.kind === 'edit' ? dialog.contact : undefined} onCancel={() => setDialog(null)}
            onSaved={(c) => done(dialog.kind === 'edit' ? `${fullName(c)} was saved.` : `${fullName(c)} was added.`)} />
        )}
      </ResponsiveModal>
      <ResponsiveModal opened={dialog?.kind === 'link'} onClose={() => setDialog(null)} title={`Link an existing contact to ${fullName(resident)}`}>
        {dialog?.kind === 'link' && <LinkContact resident={resident} linked={contacts} onCancel={() => setDialog(null)} onLinked={(c) => done(`${fullName(c)} is now a contact of ${fullName(resident)}.`)} />}
      </ResponsiveModal>
      <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={dialog?.kind === 'remove'} onClose={() => setDialog(null)} title={dialog?.kind === 'remove' ? `Remove ${fullName(dialog.contact)}?` : ''}>
        {dialog?.kind === 'remove' && (
          <Stack>
            <Text size="sm">
              {dialog.contact.otherResidents.length
                ? `${fullName(dialog.contact)} stays a contact of ${dialog.contact.otherResidents.map(fullName).join(', ')}.`
                : `${fullName(dialog.contact)} is no other resident's contact: the contact is deleted.`}
            </Text>
            {remove.error && <ErrorMessages error={remove.error} title="The contact was not removed" />}
            <Group justify="end">
              <Button variant="default" onClick={() => setDialog(null)}>Cancel</Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(dialog.contact)}>Remove</Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function ResponsiveModal({ opened, onClose, title, children }: { opened: boolean; onClose: () => void; title: string; children: React.ReactNode }) {
  const phone = useMediaQuery('(max-width: 48em)');
  return <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={onClose} title={title} size="lg" fullScreen={phone}>{children}</Modal>;
}

/** This resident's relationship, notes and flags. */
function LinkFields({ form, set }: { form: LinkForm; set: (change: Partial<LinkForm>) => void }) {
  return (
    <>
      <TextInput label="Relationship" placeholder="Daughter, son, friend…" maxLength={100} value={form.relationship} onChange={(e) => set({ relationship: e.currentTarget.value })} />
      <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
        <legend style={{ fontWeight: 600, fontSize: 'var(--mantine-font-size-sm)', marginBottom: 4 }}>For this resident</legend>
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
          {FLAGS.map(([k, label]) => <Checkbox key={k} label={label} checked={form[k]} onChange={(e) => set({ [k]: e.currentTarget.checked })} styles={{ body: { minHeight: 32, alignItems: 'center' } }} />)}
        </SimpleGrid>
      </fieldset>
      <Textarea label="Notes" maxLength={300} autosize minRows={2} value={form.notes} onChange={(e) => set({ notes: e.currentTarget.value })} />
    </>
  );
}

function ContactForm({ resident, contact, onSaved, onCancel }: { resident: Resident; contact?: Contact; onSaved: (c: Contact) => void; onCancel: () => void }) {
  const [form, setForm] = useState<Form>(() => formOf(contact));
  const [problems, setProblems] = useState<string[] | null>(null);
  const set = (change: Partial<Form>) => setForm((f) => ({ ...f, ...change }));
  const text = (k: PersonField) => ({ value: form[k], onChange: (e: { currentTarget: { value: string } }) => set({ [k]: e.currentTarget.value }) });

  const save = useMutation({
    mutationFn: () => {
      const flags = Object.fromEntries(FLAGS.map(([k]) => [k, form[k]])) as Record<Flag, boolean>;
      const method = (orNull(form.preferredContactMethod) ?? undefined) as (typeof METHODS)[number] | undefined;
      const time = (orNull(form.preferredContactTime) ?? undefined) as (typeof TIMES)[number] | undefined;
      if (!contact) {
        const optional = Object.fromEntries((['phone', 'phoneCell', 'phoneWork', 'email', 'address', 'city', 'state', 'zip', 'relationship', 'notes'] as const)
          .filter((k) => form[k].trim()).map((k) => [k, form[k].trim()]));
        return unwrap(communityApi.POST('/v1/community/residents/{residentId}/contacts', {
          params: { path: { residentId: resident.residentId } },
          body: { firstName: form.firstName.trim(), lastName: form.lastName.trim(), ...optional, preferredContactMethod: method, preferredContactTime: time, ...flags },
        }));
      }
      return unwrap(communityApi.PUT('/v1/community/residents/{residentId}/contacts/{contactId}', {
        params: { path: { residentId: resident.residentId, contactId: contact.contactId } },
        body: {
          firstName: form.firstName.trim(), lastName: form.lastName.trim(), phone: orNull(form.phone), phoneCell: orNull(form.phoneCell), phoneWork: orNull(form.phoneWork),
          email: orNull(form.email), address: orNull(form.address), city: orNull(form.city), state: orNull(form.state), zip: orNull(form.zip),
          preferredContactMethod: method ?? null, preferredContactTime: time ?? null, relationship: orNull(form.relationship), notes: orNull(form.notes), ...flags,
        },
      }));
    },
    onSuccess: (r) => onSaved(r.contact),
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The contact was not saved']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const missing = [!form.firstName.trim() && "First name can't be blank", !form.lastName.trim() && "Last name can't be blank"].filter(Boolean) as string[];
    if (missing.length) return setProblems(missing);
    save.mutate();
  }

  return (
    <form onSubmit={submit} noValidate aria-label={contact ? 'Edit contact' : 'Add contact'}>
      <Stack>
        {problems && <Alert color="red" role="alert" title="The contact was not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        {contact && contact.otherResidents.length > 0 && (
          <Text size="sm" c="dimmed">Name, phones and address are shared with {contact.otherResidents.map(fullName).join(', ')}; the relationship, flags and notes are {resident.firstName}'s.</Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="First name" required maxLength={30} {...text('firstName')} />
          <TextInput label="Last name" required maxLength={30} {...text('lastName')} />
          <TextInput label="Phone" type="tel" maxLength={16} {...text('phone')} />
          <TextInput label="Cell phone" type="tel" maxLength={16} {...text('phoneCell')} />
          <TextInput label="Work phone" type="tel" maxLength={16} {...text('phoneWork')} />
          <TextInput label="Email" type="email" maxLength={100} {...text('email')} />
          <TextInput label="Address" maxLength={50} {...text('address')} />
          <TextInput label="City" maxLength={50} {...text('city')} />
          <TextInput label="State" maxLength={2} {...text('state')} />
          <TextInput label="ZIP" maxLength={9} {...text('zip')} />
          <NativeSelect label="Preferred contact method" data={[{ value: '', label: 'Not given' }, ...METHODS]} {...text('preferredContactMethod')} />
          <NativeSelect label="Preferred contact time" data={[{ value: '', label: 'Not given' }, ...TIMES]} {...text('preferredContactTime')} />
        </SimpleGrid>
        <LinkFields form={form} set={set} />
        <Group justify="end">
          <Button variant="default" onClick={onCancel}>Cancel</Button>
          <Button type="submit" loading={save.isPending}>{contact ? 'Save contact' : 'Add contact'}</Button>
        </Group>
      </Stack>
    </form>
  );
}

function LinkContact({ resident, linked, onLinked, onCancel }: { resident: Resident; linked: Contact[]; onLinked: (c: Contact) => void; onCancel: () => void }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [picked, setPicked] = useState<Found | null>(null);
  const [form, setForm] = useState<LinkForm>(emptyLink);
  const [problems, setProblems] = useState<string[] | null>(null);
  const found = useQuery({
    queryKey: ['community', 'contacts', debounced],
    queryFn: () => unwrap(communityApi.GET('/v1/community/contacts', { params: { query: { search: debounced, limit: 20 } } })).then((r) => r.contacts),
    enabled: debounced.length >= 2,
  });
  const candidates = (found.data ?? []).filter((c) => !linked.some((l) => l.contactId === c.contactId));

  const link = useMutation({
    mutationFn: (c: Found) => unwrap(communityApi.POST('/v1/community/residents/{residentId}/contacts/link', {
      params: { path: { residentId: resident.residentId } },
      body: { contactId: c.contactId, relationship: orNull(form.relationship) ?? undefined, notes: orNull(form.notes) ?? undefined, ...Object.fromEntries(FLAGS.map(([k]) => [k, form[k]])) },
    })),
    onSuccess: (r) => onLinked(r.contact),
    onError: (err) => setProblems(err instanceof ApiError ? err.messages : ['The contact was not linked']),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!picked) return setProblems(['Choose a contact first']);
    link.mutate(picked);
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Link existing contact">
      <Stack>
        {problems && <Alert color="red" role="alert" title="The contact was not linked">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
        {picked ? (
          <Paper withBorder p="sm">
            <Group justify="space-between" wrap="wrap">
              <div>
                <Text fw={600}>{fullName(picked)}</Text>
                <Text size="sm" c="dimmed">Contact of {picked.residents.map((r) => `${fullName(r)}${r.relationship ? ` (${r.relationship})` : ''}`).join(', ')}</Text>
              </div>
              <Button variant="subtle" size="sm" onClick={() => setPicked(null)}>Choose another</Button>
            </Group>
          </Paper>
        ) : (
          <>
            <TextInput label="Search contacts by name" description="Contacts of residents at your locations" value={search} onChange={(e) => setSearch(e.currentTarget.value)} data-autofocus />
            {found.error ? <ErrorMessages error={found.error} /> : debounced.length >= 2 && found.data && (
              candidates.length === 0 ? <Text size="sm" c="dimmed" role="status">No other contact matches “{debounced}”.</Text> : (
                <Stack gap={4} component="ul" aria-label="Matching contacts" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                  {candidates.map((c) => (
                    <li key={c.contactId}>
                      <UnstyledButton onClick={() => { setPicked(c); setProblems(null); }} p="xs" w="100%" style={{ borderRadius: 4, border: '1px solid var(--mantine-color-default-border)', minHeight: 44 }}
                        aria-label={`Choose ${fullName(c)}`}>
                        <Text fw={600} size="sm">{fullName(c)}</Text>
                        <Text size="xs" c="dimmed">Contact of {c.residents.map((r) => `${fullName(r)}${r.relationship ? ` (${r.relationship})` : ''}`).join(', ')}{c.phone ? ` · ${c.phone}` : ''}</Text>
                      </UnstyledButton>
                    </li>
                  ))}
                </Stack>
              )
            )}
          </>
        )}
        <LinkFields form={form} set={(change) => setForm((f) => ({ ...f, ...change }))} />
        <Group justify="end">
          <Button variant="default" onClick={onCancel}>Cancel</Button>
          <Button type="submit" loading={link.isPending} disabled={!picked}>Link contact</Button>
        </Group>
      </Stack>
    </form>
  );
}
