/**
 * The typed API client (openapi-fetch over the generated `schema.d.ts`). The
 * session token travels in the `X-User-Token` header only, kept in memory and
 * in sessionStorage (never in a URL).
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** The JSON body of the 200 (or 201) answer of `method path`. */
export type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A } ? JsonOf<A> : R extends { 201: infer B } ? JsonOf<B> : never
  : never;

const TOKEN_KEY = 'care.console.token';
let token: string | null = typeof sessionStorage !== 'undefined' ? sessionStorage.getItem(TOKEN_KEY) : null;
let onUnauthorized: () => void = () => {};

export function getToken() {
  return token;
}

export function setToken(next: string | null) {
  token = next;
  if (next) sessionStorage.setItem(TOKEN_KEY, next);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called when the API answers 401 to a signed-in request (expired or revoked token). */
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

export const api = createClient<paths>({ baseUrl: typeof window !== 'undefined' ? window.location.origin : 'http://localhost' });
api.use({
  onRequest({ request }) {
    if (token) request.headers.set('X-User-Token', token);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && token) onUnauthorized();
    return response;
  },
});

/** An API refusal: the HTTP status and the API's own messages (`{"errors": [...]}`). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly messages: string[]) {
    super(messages.join('; ') || `Request failed (${status})`);
  }
}

function messagesOf(error: unknown): string[] {
  if (error && typeof error === 'object' && Array.isArray((error as { errors?: unknown }).errors)) return (error as { errors: string[] }).errors.map(String);
  if (typeof error === 'string' && error) return [error];
  return [];
}

/** The data of an openapi-fetch result, or an `ApiError` with the API's messages. */
export async function unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch {
    throw new ApiError(0, ['The server could not be reached. Check your connection and try again.']);
  }
  if (!r.response.ok) {
    const messages = messagesOf(r.error);
    throw new ApiError(r.response.status, messages.length ? messages : [`Request failed (${r.response.status})`]);
  }
  return r.data as T;
}
