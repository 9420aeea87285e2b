/** The signed-in user, their clinic (time zone) and sign-in / sign-out. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, getToken, setToken, setUnauthorizedHandler, unwrap, type Ok } from './api/client';

type Me = Ok<'/v1/me', 'get'>;

interface SessionValue {
  me: Me | null;
  /** True while a stored token is being checked at start. */
  restoring: boolean;
  isAdmin: boolean;
  timeZone: string;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [me, setMe] = useState<Me | null>(null);
  const [restoring, setRestoring] = useState(() => getToken() !== null);

  const clear = useCallback(() => {
    setToken(null);
    setMe(null);
    qc.clear();
  }, [qc]);

  useEffect(() => {
    setUnauthorizedHandler(clear);
    if (!getToken()) return;
    unwrap(api.GET('/v1/me'))
      .then((r) => setMe(r))
      .catch(() => clear())
      .finally(() => setRestoring(false));
  }, [clear]);

  const value = useMemo<SessionValue>(() => ({
    me,
    restoring,
    isAdmin: me?.user.role === 'admin',
    timeZone: me?.organization.time_zone ?? 'America/Los_Angeles',
    async signIn(email, password) {
      const r = await unwrap(api.POST('/v1/auth/sign_in', { body: { email, password } }));
      setToken(r.token);
      setMe(await unwrap(api.GET('/v1/me')));
    },
    async signOut() {
      await api.DELETE('/v1/auth/sign_out').catch(() => undefined);
      clear();
    },
  }), [me, restoring, clear]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
