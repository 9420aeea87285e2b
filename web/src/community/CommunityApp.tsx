/**
 * The community workspace (`/app/community`): its own sign-in (an ECP user of one company), header and navigation,
 * beside the clinic's console in the same application. Each screen calls `/v1/community/...` only.
 */
import { useEffect, useRef } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router';
import { AppShell, Badge, Burger, Button, Group, NavLink as MantineNavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Loading } from '../components/QueryState';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useCommunitySession } from './session';
import { CommunitySignInPage } from './SignIn';
import { CommunityChangePasswordPage } from './ChangePassword';
import { CommunityResidentsPage } from './Residents';
import { CommunityNewResidentPage } from './NewResident';
import { CommunityResidentFilePage } from './ResidentFile';
import { CommunityClientPage, CommunityIntegrationsPage } from './Integrations';
import { CommunityAuditLogPage } from './AuditLog';
import { CommunityUserLoginsPage } from './UserLogins';
import { CommunityLocationSettingsPage } from './LocationSettings';
import { CommunityTransfersPage } from './Transfers';
import { CommunityLeadsPage } from './Leads';

const NAV = [
  { to: '/community/residents', label: 'Residents', end: true },
  { to: '/community/residents/new', label: 'Add New Resident', end: true },
  { to: '/community/leads', label: 'CRM leads', end: true },
];
/** System Admins only (the API answers 403 to others). */
const ADMIN_NAV = [
  { to: '/community/users', label: 'User Logins', end: true },
  { to: '/community/transfers', label: 'Transfers', end: true },
  { to: '/community/locations', label: 'Location settings', end: true },
  { to: '/community/integrations', label: 'Integrations', end: false },
  { to: '/community/audit', label: 'Audit log', end: true },
];

export function CommunityApp() {
  const { me, restoring, signOut, refresh } = useCommunitySession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    close();
    main.current?.focus({ preventScroll: true });
  }, [location.pathname, close]);

  if (restoring) return <Loading label="Restoring your session…" />;
  if (!me) return <CommunitySignInPage />;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 210, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">Skip to content</a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4" style={{ whiteSpace: 'nowrap' }}>Community</Title>
            <Text size="sm" c="dimmed" visibleFrom="md" truncate>{me.company.name}</Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" visibleFrom="sm">{me.user.firstName} {me.user.lastName}</Text>
            <Badge variant="light" color={me.user.systemAdmin ? 'grape' : 'blue'} visibleFrom="xs">{me.user.systemAdmin ? 'System Admin' : me.user.role}</Badge>
            <Button variant="default" size="xs" onClick={() => void signOut().then(() => navigate('/community'))}>Sign out</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Community">
        <nav aria-label="Community navigation">
          {[...NAV, ...(me.user.systemAdmin ? ADMIN_NAV : [])].map((n) => (
            <MantineNavLink key={n.to} component={NavLink} to={n.to} end={n.end} label={n.label} active={location.pathname === n.to} />
          ))}
        </nav>
      </AppShell.Navbar>
      <AppShell.Main id="main" ref={main} tabIndex={-1} style={{ outline: 'none' }}>
        <ErrorBoundary resetKey={location.pathname}>
          {me.user.mustChangePassword ? <CommunityChangePasswordPage onChanged={() => void refresh()} /> : (
            <Routes>
              <Route index element={<Navigate to="residents" replace />} />
              <Route path="residents" element={<CommunityResidentsPage />} />
              <Route path="residents/new" element={<CommunityNewResidentPage />} />
              <Route path="residents/:residentId" element={<CommunityResidentFilePage />} />
              {me.user.systemAdmin && <Route path="integrations" element={<CommunityIntegrationsPage />} />}
              {me.user.systemAdmin && <Route path="integrations/clients/:clientId" element={<CommunityClientPage />} />}
              {me.user.systemAdmin && <Route path="audit" element={<CommunityAuditLogPage />} />}
              <Route path="leads" element={<CommunityLeadsPage />} />
              {me.user.systemAdmin && <Route path="users" element={<CommunityUserLoginsPage />} />}
              {me.user.systemAdmin && <Route path="transfers" element={<CommunityTransfersPage />} />}
              {me.user.systemAdmin && <Route path="locations" element={<CommunityLocationSettingsPage />} />}
              <Route path="*" element={<Text>This page does not exist.</Text>} />
            </Routes>
          )}
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
