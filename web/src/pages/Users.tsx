/** Admin: the clinic's users (create, deactivate and reactivate, change role). */
import { useState, type FormEvent } from 'react';
import { Badge, Button, Card, Group, PasswordInput, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Empty, ErrorMessages, Loading } from '../components/QueryState';

type Role = 'admin' | 'care_coordinator' | 'provider';
const ROLES = [{ value: 'admin', label: 'Admin' }, { value: 'care_coordinator', label: 'Care coordinator' }, { value: 'provider', label: 'Provider' }];
const blank = { email: '', name: '', role: 'care_coordinator' as Role, password: '', phone: '' };

export function UsersPage() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/v1/admin/users', { params: { query: { per_page: 100 } } })) });
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const refresh = () => { void qc.invalidateQueries({ queryKey: ['users'] }); void qc.invalidateQueries({ queryKey: ['care_team'] }); };
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/users', { body: { user: { email: form.email.trim(), name: form.name.trim(), role: form.role, password: form.password, ...(form.phone.trim() ? { phone: form.phone.trim() } : {}) } } })),
    onSuccess: () => { setForm(blank); refresh(); },
  });
  const change = useMutation({
    mutationFn: ({ id, user }: { id: number; user: { active?: boolean; role?: Role } }) => unwrap(api.PUT('/v1/admin/users/{id}', { params: { path: { id } }, body: { user } })),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!form.name.trim()) problems.name = "Name can't be blank";
    if (!/^\S+@\S+\.\S+$/.test(form.email.trim())) problems.email = 'Email is not a valid email address';
    if (form.password.length < 8) problems.password = 'Password is too short (minimum is 8 characters)';
    setErrors(problems);
    if (Object.keys(problems).length === 0) create.mutate();
  };

  return (
    <Stack>
      <Title order={2}>Users</Title>
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">Add a user</Title>
        <form onSubmit={submit} noValidate aria-label="Add a user">
          <Group align="start" grow>
            <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} error={errors.name} required />
            <TextInput label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} error={errors.email} required />
            <Select label="Role" data={ROLES} value={form.role} allowDeselect={false} onChange={(v) => setForm({ ...form, role: (v ?? 'care_coordinator') as Role })} />
            <TextInput label="Phone" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.currentTarget.value })} />
            <PasswordInput label="Initial password" value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} error={errors.password} required />
          </Group>
          <Group justify="end" mt="sm"><Button type="submit" loading={create.isPending}>Add user</Button></Group>
        </form>
        {create.error && <ErrorMessages error={create.error} title="The user was not created" />}
      </Card>
      {change.error && <ErrorMessages error={change.error} title="The change was not saved" />}
      {users.isPending ? <Loading label="Loading users…" /> : users.error ? <ErrorMessages error={users.error} /> : users.data.users.length === 0 ? <Empty>No users.</Empty> : (
        <Table striped>
          <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Email</Table.Th><Table.Th>Role</Table.Th><Table.Th>Status</Table.Th><Table.Th>Actions</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {users.data.users.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  <Select aria-label={`Role of ${u.name}`} data={ROLES} value={u.role} allowDeselect={false} size="xs" w={170} onChange={(v) => v && v !== u.role && change.mutate({ id: u.id, user: { role: v as Role } })} />
                </Table.Td>
                <Table.Td><Badge color={u.active ? 'green' : 'gray'} variant="light">{u.active ? 'active' : 'deactivated'}</Badge></Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="light" color={u.active ? 'red' : 'green'} onClick={() => change.mutate({ id: u.id, user: { active: !u.active } })} aria-label={`${u.active ? 'Deactivate' : 'Reactivate'} ${u.name}`}>
                    {u.active ? 'Deactivate' : 'Reactivate'}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
