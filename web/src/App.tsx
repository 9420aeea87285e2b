/** The console's shell: sign-in gate, role-aware navigation, routes. */
import { lazy, Suspense, useEffect, useRef } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { AppShell, Badge, Burger, Button, Group, NavLink as MantineNavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useSession } from './session';
import { Loading } from './components/QueryState';
import { ErrorBoundary } from './components/ErrorBoundary';
import { SignInPage } from './pages/SignIn';
import { MembersPage } from './pages/Members';
import { MemberPage } from './pages/Member';
import { MyWorkPage } from './pages/MyWork';
import { ImportsPage } from './pages/Imports';
import { UsersPage } from './pages/Users';
import { AuditPage } from './pages/Audit';
import { SettingsPage } from './pages/Settings';

// The charting library is needed by Reports only.
const ReportsPage = lazy(() => import('./pages/Reports').then((m) => ({ default: m.ReportsPage })));

const NAV = [
  { to: '/members', label: 'Members', admin: false },
  { to: '/my-work', label: 'My work', admin: false },
  { to: '/reports', label: 'Reports', admin: false },
  { to: '/imports', label: 'Imports', admin: true },
  { to: '/admin/users', label: 'Users', admin: true },
  { to: '/admin/audit', label: 'Audit log', admin: true },
  { to: '/admin/settings', label: 'Settings', admin: true },
];

export function App() {
  const { me, restoring, isAdmin, signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);

  // Move focus to the new screen's content on navigation, so keyboard and screen-reader users land there.
  useEffect(() => {
    close();
    main.current?.focus({ preventScroll: true });
  }, [location.pathname, close]);

  if (restoring) return <Loading label="Restoring your session…" />;
  if (!me) return <SignInPage />;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">Skip to content</a>
      <AppShell.Header>
        {/* At phone width only the menu, the title and Sign out stay in the header (nothing may be cut). */}
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4" style={{ whiteSpace: 'nowrap' }}>Care Console</Title>
            <Text size="sm" c="dimmed" visibleFrom="md" truncate>{me.organization.name}</Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="sm">{me.user.name}</Text>
            <Badge variant="light" color={isAdmin ? 'grape' : 'blue'} visibleFrom="xs">{me.user.role.replace('_', ' ')}</Badge>
            <Button variant="default" size="xs" onClick={() => void signOut()}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <nav aria-label="Main navigation">
          {NAV.filter((n) => !n.admin || isAdmin).map((n) => (
            <MantineNavLink key={n.to} component={NavLink} to={n.to} label={n.label} active={location.pathname.startsWith(n.to)} />
          ))}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main id="main" ref={main} tabIndex={-1} style={{ outline: 'none' }}>
        <ErrorBoundary resetKey={location.pathname}>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Navigate to="/members" replace />} />
            <Route path="/sign-in" element={<Navigate to="/members" replace />} />
            <Route path="/members" element={<MembersPage />} />
            <Route path="/members/:id" element={<MemberPage />} />
            <Route path="/my-work" element={<MyWorkPage />} />
            <Route path="/reports" element={<ReportsPage />} />
            {isAdmin && <Route path="/imports" element={<ImportsPage />} />}
            {isAdmin && <Route path="/admin/users" element={<UsersPage />} />}
            {isAdmin && <Route path="/admin/audit" element={<AuditPage />} />}
            {isAdmin && <Route path="/admin/settings" element={<SettingsPage />} />}
            <Route path="*" element={<Text>This page does not exist or needs an admin account.</Text>} />
          </Routes>
        </Suspense>
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
