/** A screen that fails to render shows what happened and a way back, never a blank page. */
import { Component, type ReactNode } from 'react';
import { Alert, Button, Stack } from '@mantine/core';

export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidUpdate(prev: { resetKey?: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert color="red" title="This screen could not be shown" role="alert">
        <Stack gap="xs" align="start">
          <div>{this.state.error.message}</div>
          <Button size="xs" variant="light" onClick={() => window.location.reload()}>Reload</Button>
        </Stack>
      </Alert>
    );
  }
}
