/** Loading, error and empty states, so no screen is ever blank while its data loads. */
import type { ReactNode } from 'react';
import { Alert, Center, Loader, Stack, Text } from '@mantine/core';
import { ApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Stack align="center" gap="xs">
        <Loader size="sm" aria-hidden />
        <Text size="sm" c="dimmed">{label}</Text>
      </Stack>
    </Center>
  );
}

export function ErrorMessages({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  const listed = (error as { messages?: unknown } | null)?.messages;
  const messages = error instanceof ApiError ? error.messages : Array.isArray(listed) ? listed.map(String) : [error instanceof Error ? error.message : String(error)];
  return (
    <Alert color="red" title={title} role="alert">
      {messages.map((m) => <div key={m}>{m}</div>)}
    </Alert>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <Text c="dimmed" ta="center" py="lg">{children}</Text>;
}

/** Renders `children(data)` once loaded; a loader before, the API's messages on failure. */
export function QueryState<T>({ query, children, loadingLabel }: { query: { data: T | undefined; error: unknown; isPending: boolean }; children: (data: T) => ReactNode; loadingLabel?: string }) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.error) return <ErrorMessages error={query.error} />;
  return <>{children(query.data as T)}</>;
}
