import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { FileInput, MantineProvider, Select, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import '@mantine/core/styles.css';
import './app.css';
import { App } from './App';
import { SessionProvider } from './session';
import { CommunitySessionProvider } from './community/session';
import { CommunityApp } from './community/CommunityApp';
import { ApiError } from './api/client';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // 4xx answers will not change on retry; network blips and 5xx get one more try.
      retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 8,
  focusRing: 'always',
  defaultRadius: 'sm',
  components: {
    // Icon-only clear buttons need a name for screen readers.
    Select: Select.extend({ defaultProps: { clearButtonProps: { 'aria-label': 'Clear selection' } } }),
    FileInput: FileInput.extend({ defaultProps: { clearButtonProps: { 'aria-label': 'Clear file' } } }),
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter basename="/app">
          <Routes>
            {/* Two sections, each with its own session: the community workspace and the clinic's console. */}
            <Route path="/community/*" element={<CommunitySessionProvider><CommunityApp /></CommunitySessionProvider>} />
            <Route path="*" element={<SessionProvider><App /></SessionProvider>} />
          </Routes>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
