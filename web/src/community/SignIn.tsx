/** The community workspace's sign-in: company (remembered on this browser), login name and password. */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { ApiError } from '../api/client';
import { rememberedCompany } from '../api/community';
import { useCommunitySession } from './session';

export function CommunitySignInPage() {
  const { signIn } = useCommunitySession();
  const [company, setCompany] = useState(rememberedCompany);
  const [loginName, setLoginName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems = [!company.trim() && "Company can't be blank", !loginName.trim() && "Login name can't be blank", !password && "Password can't be blank"].filter(Boolean) as string[];
    if (problems.length) return setError(problems);
    setBusy(true);
    setError(null);
    try {
      await signIn(company.trim(), loginName.trim(), password);
    } catch (err) {
      setError(err instanceof ApiError ? err.messages : ['Sign-in failed']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" bg="gray.0" px="sm">
      <main style={{ width: '100%', maxWidth: 380 }}>
        <Paper withBorder shadow="sm" p="xl">
          <form onSubmit={submit} noValidate aria-labelledby="community-sign-in-title">
            <Stack>
              <Title id="community-sign-in-title" order={1} size="h3">Community workspace</Title>
              <Text size="sm" c="dimmed">Sign in with your community's staff account.</Text>
              {error && <Alert color="red" role="alert" title="Could not sign in">{error.map((m) => <div key={m}>{m}</div>)}</Alert>}
              <TextInput label="Company" description="Your company's name or ID; remembered on this device." autoComplete="organization" value={company} onChange={(e) => setCompany(e.currentTarget.value)} required autoFocus={!company} />
              <TextInput label="Login name" autoComplete="username" value={loginName} onChange={(e) => setLoginName(e.currentTarget.value)} required autoFocus={!!company} />
              <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} required />
              <Button type="submit" loading={busy}>Sign in</Button>
              <Anchor component={Link} to="/" size="sm">Clinic staff: sign in to the Care Console</Anchor>
            </Stack>
          </form>
        </Paper>
      </main>
    </Center>
  );
}
