/** Shown while the user must change a password an administrator set: nothing else answers until it is changed. */
import { useState, type FormEvent } from 'react';
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { ApiError, unwrap } from '../api/client';
import { communityApi } from '../api/community';

export function CommunityChangePasswordPage({ onChanged }: { onChanged: () => void }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [error, setError] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unwrap(communityApi.POST('/v1/community/auth/change_password', { body: { currentPassword, newPassword } }));
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.messages : ['Could not change the password']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center py="xl" px="sm">
      <Paper withBorder p="xl" style={{ width: '100%', maxWidth: 380 }}>
        <form onSubmit={submit} noValidate aria-labelledby="change-password-title">
          <Stack>
            <Title id="change-password-title" order={2} size="h3">Choose a new password</Title>
            <Text size="sm" c="dimmed">Your password was set by an administrator: choose your own (at least 8 characters) to continue.</Text>
            {error && <Alert color="red" role="alert" title="Could not change the password">{error.map((m) => <div key={m}>{m}</div>)}</Alert>}
            <PasswordInput label="Current password" autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrent(e.currentTarget.value)} required />
            <PasswordInput label="New password" autoComplete="new-password" value={newPassword} onChange={(e) => setNew(e.currentTarget.value)} required />
            <Button type="submit" loading={busy}>Change password</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
