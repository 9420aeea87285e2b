/**
 * The community workspace's API client: the same generated `schema.d.ts` and error handling as the clinic's
 * (`client.ts`), with its own session: the ECP user's token travels in `X-User-Token`, kept in memory and in
 * sessionStorage under its own key (a clinic session and a community session never mix). The company the user
 * signed in with is remembered in localStorage (not a secret: a GUID or a company name) to fill the sign-in page.
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema';

const TOKEN_KEY = 'care.community.token';
const COMPANY_KEY = 'care.community.company';
let token: string | null = typeof sessionStorage !== 'undefined' ? sessionStorage.getItem(TOKEN_KEY) : null;
let onUnauthorized: () => void = () => {};

export function getCommunityToken() {
  return token;
}

export function setCommunityToken(next: string | null) {
  token = next;
  if (next) sessionStorage.setItem(TOKEN_KEY, next);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** The company last signed in with on this browser, or ''. */
export function rememberedCompany(): string {
  return typeof localStorage !== 'undefined' ? localStorage.getItem(COMPANY_KEY) ?? '' : '';
}

export function rememberCompany(company: string) {
  localStorage.setItem(COMPANY_KEY, company);
}

/** Called when the API answers 401 to a signed-in request (expired or revoked token). */
export function setCommunityUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

export const communityApi = createClient<paths>({ baseUrl: typeof window !== 'undefined' ? window.location.origin : 'http://localhost' });
communityApi.use({
  onRequest({ request }) {
    if (token) request.headers.set('X-User-Token', token);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && token) onUnauthorized();
    return response;
  },
});
