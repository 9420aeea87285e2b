/**
 * User Logins (System Admins): the company's users at the admin's locations; create (fires user.create), edit
 * (user.update), deactivate (user.delete) and reactivate (user.create, same userId), with the seed's roles and the
 * company's user groups and the 3-System-Admin cap the API enforces; set or reset a user's password (they must change
 * it at their next sign-in). A table on wide screens, cards on phones.
 */
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Box, Button, Card, Checkbox, Group, Modal, NativeSelect, PasswordInput, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, unwrap, type Ok } from '../api/client';
import { communityApi } from '../api/community';
import type { paths } from '../api/schema';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';
import { useCommunitySession } from './session';

type UserList = Ok<'/v1/community/users', 'get'>;
type User = UserList['users'][number];
type Role = NonNullable<paths['/v1/community/users']['post']['requestBody']>['content']['application/json']['role'];

interface Form {
  loginName: string; firstName: string; lastName: string; role: string; userGroup: string; email: string; title: string; phone: string;
  systemAdmin: boolean; locationsAllowed: string[];
}

const fullName = (u: User) => `${u.firstName} ${u.lastName}`;
const messages = (err: unknown, fallback: string) => (err instanceof ApiError ? err.messages : [fallback]);

export function CommunityUserLoginsPage() {
  const qc = useQueryClient();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [passwordFor, setPasswordFor] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['community', 'users'], queryFn: () => unwrap(communityApi.GET('/v1/community/users')) });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['community', 'users'] });

  const toggle = useMutation({
    mutationFn: (u: User) => unwrap(communityApi.PUT('/v1/community/users/{userId}', { params: { path: { userId: u.userId } }, body: { active: !u.active } })),
    onSuccess: (r) => {
      setNotice(`${fullName(r.user)} was ${r.user.active ? 'reactivated' : 'deactivated'}.`);
      refresh();
    },
  });

  const actions = (u: User) => (
    <Group gap="xs" wrap="wrap">
      <Button size="sm" variant="light" onClick={() => setEditing(u)} aria-label={`Edit ${fullName(u)}`}>Edit</Button>
      <Button size="sm" variant="light" onClick={() => setPasswordFor(u)} aria-label={`${u.hasPassword ? 'Reset password' : 'Set password'} for ${fullName(u)}`}>{u.hasPassword ? 'Reset password' : 'Set password'}</Button>
      <Button size="sm" variant="subtle" color={u.active ? 'red' : 'teal'} onClick={() => toggle.mutate(u)} loading={toggle.isPending && toggle.variables?.userId === u.userId}
        aria-label={`${u.active ? 'Deactivate' : 'Reactivate'} ${fullName(u)}`}>{u.active ? 'Deactivate' : 'Reactivate'}</Button>
    </Group>
  );
  const badges = (u: User) => (
    <Group gap={4} wrap="wrap">
      {u.systemAdmin && <Badge color="grape" variant="light">System Admin</Badge>}
      {!u.active && <Badge color="gray" variant="light">Deactivated</Badge>}
      {u.mustChangePassword && <Badge color="orange" variant="light">Must change password</Badge>}
      {!u.hasPassword && <Badge color="gray" variant="outline">No password</Badge>}
    </Group>
  );

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>User Logins</Title>
        <Button onClick={() => setEditing('new')}>New user</Button>
      </Group>
      {notice && <Alert color="teal" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setNotice(null)}>{notice}</Alert>}
      {toggle.error && <ErrorMessages error={toggle.error} title="The change failed" />}
      {list.error ? <ErrorMessages error={list.error} /> : list.isPending ? <Loading label="Loading users…" /> : list.data.users.length === 0 ? <Empty>No users yet.</Empty> : (
        <>
          <Text size="sm" c="dimmed">{list.data.users.filter((u) => u.systemAdmin && u.active).length} of at most {list.data.maxSystemAdmins} active System Admins.</Text>
          <Box visibleFrom="sm">
            <Table striped>
              <caption style={{ captionSide: 'top', textAlign: 'left' }}><VisuallyHidden>Users</VisuallyHidden></caption>
              <Table.Thead>
                <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Login</Table.Th><Table.Th>Role</Table.Th><Table.Th>User group</Table.Th><Table.Th>Locations</Table.Th><Table.Th>Status</Table.Th><Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.users.map((u) => (
                  <Table.Tr key={u.userId}>
                    <Table.Td>{fullName(u)}</Table.Td><Table.Td>{u.loginName}</Table.Td><Table.Td>{u.role}</Table.Td><Table.Td>{u.userGroup}</Table.Td>
                    <Table.Td>{u.locationsAllowed.map((l) => l.name).join(', ') || '—'}</Table.Td><Table.Td>{badges(u)}</Table.Td><Table.Td>{actions(u)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Box>
          <Stack hiddenFrom="sm" gap="sm" component="ul" aria-label="Users" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {list.data.users.map((u) => (
              <Card key={u.userId} withBorder component="li" padding="sm">
                <Text fw={600}>{fullName(u)}</Text>
                <Text size="sm">{u.loginName} · {u.role} · {u.userGroup}</Text>
                <Text size="sm" c="dimmed">{u.locationsAllowed.map((l) => l.name).join(', ')}</Text>
                <Box my={6}>{badges(u)}</Box>
                {actions(u)}
              </Card>
            ))}
          </Stack>
        </>
      )}
      {editing && list.data && (
        <UserForm user={editing === 'new' ? null : editing} options={list.data} onClose={() => setEditing(null)}
          onSaved={(u, created) => { setEditing(null); setNotice(`${fullName(u)} was ${created ? 'created' : 'saved'}.`); refresh(); }} />
      )}
      {passwordFor && <PasswordForm user={passwordFor} onClose={() => setPasswordFor(null)} onSaved={(u) => { setPasswordFor(null); setNotice(`The password of ${fullName(u)} was set: they must change it when they sign in.`); refresh(); }} />}
    </Stack>
  );
}

function UserForm({ user, options, onClose, onSaved }: { user: User | null; options: UserList; onClose: () => void; onSaved: (u: User, created: boolean) => void }) {
  const { me } = useCommunitySession();
  const locations = (me?.user.locationsAllowed ?? []).map((l) => ({ value: l.locationId, label: l.name }));
  const [form, setForm] = useState<Form>(user ? {
    loginName: user.loginName, firstName: user.firstName, lastName: user.lastName, role: user.role, userGroup: user.userGroup, email: user.email ?? '',
    title: user.title ?? '', phone: user.phone ?? '', systemAdmin: user.systemAdmin, locationsAllowed: user.locationsAllowed.map((l) => l.locationId),
  } : { loginName: '', firstName: '', lastName: '', role: '', userGroup: '', email: '', title: '', phone: '', systemAdmin: false, locationsAllowed: locations.length === 1 ? [locations[0].value] : [] });
  const [problems, setProblems] = useState<string[] | null>(null);
  const text = (k: keyof Form) => ({ value: form[k] as string, onChange: (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [k]: value }));
  } });

  const save = useMutation({
    mutationFn: async () => {
      const common = {
        firstName: form.firstName.trim(), lastName: form.lastName.trim(), role: form.role as Role, userGroup: form.userGroup,
        systemAdmin: form.systemAdmin, email: form.email.trim(), title: form.title.trim(), phone: form.phone.trim(), locationsAllowed: form.locationsAllowed,
      };
      if (user) return { user: (await unwrap(communityApi.PUT('/v1/community/users/{userId}', { params: { path: { userId: user.userId } }, body: common }))).user, created: false };
      const { email, title, phone, ...rest } = common;
      const optional = (v: string) => (v ? v : undefined);
      return { user: (await unwrap(communityApi.POST('/v1/community/users', { body: { ...rest, loginName: form.loginName.trim(), email: optional(email), title: optional(title), phone: optional(phone) } }))).user, created: true };
    },
    onSuccess: (r) => onSaved(r.user, r.created),
    onError: (err) => setProblems(messages(err, 'The user was not saved')),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const missing = [
      !user && !form.loginName.trim() && "Login name can't be blank", !form.firstName.trim() && "First name can't be blank", !form.lastName.trim() && "Last name can't be blank",
      !form.role && 'Choose a role', !form.userGroup && 'Choose a user group', !form.locationsAllowed.length && 'Choose at least one location',
    ].filter(Boolean) as string[];
    if (missing.length) return setProblems(missing);
    setProblems(null);
    save.mutate();
  }

  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={user ? `Edit ${fullName(user)}` : 'New user'} size="lg">
      <form onSubmit={submit} noValidate aria-label={user ? 'Edit user' : 'New user'}>
        <Stack>
          {problems && <Alert color="red" role="alert" title="The user was not saved">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Login name" required maxLength={25} autoComplete="off" disabled={user !== null} {...text('loginName')} />
            <TextInput label="Email" type="email" maxLength={150} description="Required for a System Admin" {...text('email')} />
            <TextInput label="First name" required maxLength={30} autoComplete="off" {...text('firstName')} />
            <TextInput label="Last name" required maxLength={30} autoComplete="off" {...text('lastName')} />
            <NativeSelect label="Role" required data={[{ value: '', label: 'Choose a role', disabled: true }, ...options.roles]} {...text('role')} />
            <NativeSelect label="User group" required data={[{ value: '', label: 'Choose a user group', disabled: true }, ...options.userGroups]} {...text('userGroup')} />
            <TextInput label="Title" maxLength={50} {...text('title')} />
            <TextInput label="Phone" type="tel" maxLength={16} {...text('phone')} />
          </SimpleGrid>
          <Checkbox.Group label="Locations" withAsterisk value={form.locationsAllowed} onChange={(v) => setForm((f) => ({ ...f, locationsAllowed: v }))}>
            <Stack gap="xs" mt={6}>{locations.map((l) => <Checkbox key={l.value} value={l.value} label={l.label} />)}</Stack>
          </Checkbox.Group>
          <Checkbox label={`System Admin (at most ${options.maxSystemAdmins} active)`} checked={form.systemAdmin} onChange={(e) => { const checked = e.currentTarget.checked; setForm((f) => ({ ...f, systemAdmin: checked })); }} />
          <Group justify="end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>{user ? 'Save' : 'Create user'}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function PasswordForm({ user, onClose, onSaved }: { user: User; onClose: () => void; onSaved: (u: User) => void }) {
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<string[] | null>(null);
  const save = useMutation({
    mutationFn: () => unwrap(communityApi.PUT('/v1/community/users/{userId}/password', { params: { path: { userId: user.userId } }, body: { password } })),
    onSuccess: (r) => onSaved(r.user),
    onError: (err) => setProblems(messages(err, 'The password was not set')),
  });
  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={`Set the password of ${fullName(user)}`}>
      <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }} noValidate aria-label="Set password">
        <Stack>
          <Text size="sm">Their sessions end, and they must choose their own password when they next sign in. Give it to them in person.</Text>
          {problems && <Alert color="red" role="alert" title="The password was not set">{problems.map((m) => <div key={m}>{m}</div>)}</Alert>}
          <PasswordInput label="New password" description="At least 8 characters" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required />
          <Group justify="end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" loading={save.isPending}>Set password</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
