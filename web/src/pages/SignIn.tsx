import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, TextInput, Title, Text } from '@mantine/core';
import { useSession } from '../session';
import { ApiError } from '../api/client';

export function SignInPage() {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems = [!email.trim() && "Email can't be blank", !password && "Password can't be blank"].filter(Boolean) as string[];
    if (problems.length) return setError(problems);
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(err instanceof ApiError ? err.messages : ['Sign-in failed']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" bg="gray.0">
      <main>
        <Paper withBorder shadow="sm" p="xl" w={380}>
          <form onSubmit={submit} noValidate aria-labelledby="sign-in-title">
            <Stack>
              <Title id="sign-in-title" order={1} size="h3">Care Console</Title>
              <Text size="sm" c="dimmed">Sign in with your clinic account.</Text>
              {error && <Alert color="red" role="alert" title="Could not sign in">{error.map((m) => <div key={m}>{m}</div>)}</Alert>}
              <TextInput label="Email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.currentTarget.value)} required autoFocus />
              <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required />
              <Button type="submit" loading={busy}>Sign in</Button>
              <Anchor component={Link} to="/community" size="sm">Senior-living community staff: sign in to the community workspace</Anchor>
            </Stack>
          </form>
        </Paper>
      </main>
    </Center>
  );
}
