/** The signed-in community user (an ECP user of one company), their locations, and sign-in / sign-out. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { unwrap, type Ok } from '../api/client';
import { communityApi, getCommunityToken, rememberCompany, setCommunityToken, setCommunityUnauthorizedHandler } from '../api/community';

export type CommunityMe = Ok<'/v1/community/me', 'get'>;

interface CommunitySessionValue {
  me: CommunityMe | null;
  /** True while a stored token is being checked at start. */
  restoring: boolean;
  signIn(company: string, loginName: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Reads the session again (after the user changed their password). */
  refresh(): Promise<void>;
}

const CommunitySessionContext = createContext<CommunitySessionValue | null>(null);

export function CommunitySessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [me, setMe] = useState<CommunityMe | null>(null);
  const [restoring, setRestoring] = useState(() => getCommunityToken() !== null);

  const clear = useCallback(() => {
    setCommunityToken(null);
    setMe(null);
    qc.removeQueries({ queryKey: ['community'] });
  }, [qc]);

  useEffect(() => {
    setCommunityUnauthorizedHandler(clear);
    if (!getCommunityToken()) return;
    unwrap(communityApi.GET('/v1/community/me'))
      .then((r) => setMe(r))
      .catch(() => clear())
      .finally(() => setRestoring(false));
  }, [clear]);

  const value = useMemo<CommunitySessionValue>(() => ({
    me,
    restoring,
    async signIn(company, loginName, password) {
      const r = await unwrap(communityApi.POST('/v1/community/auth/sign_in', { body: { company, loginName, password } }));
      setCommunityToken(r.token);
      rememberCompany(company);
      setMe(await unwrap(communityApi.GET('/v1/community/me')));
    },
    async signOut() {
      await communityApi.DELETE('/v1/community/auth/sign_out').catch(() => undefined);
      clear();
    },
    async refresh() {
      setMe(await unwrap(communityApi.GET('/v1/community/me')));
    },
  }), [me, restoring, clear]);

  return <CommunitySessionContext.Provider value={value}>{children}</CommunitySessionContext.Provider>;
}

export function useCommunitySession(): CommunitySessionValue {
  const v = useContext(CommunitySessionContext);
  if (!v) throw new Error('useCommunitySession outside CommunitySessionProvider');
  return v;
}
