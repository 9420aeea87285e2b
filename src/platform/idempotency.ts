/**
 * `Idempotency-Key` for POSTs that send something (ARCHITECTURE.md, "Reliability"):
 * the first request with a key runs; a retry with the same key and the same body
 * gets the first response back and runs nothing; the same key with another body
 * is 422; a retry while the first is still running is 409. Keys are scoped to
 * the organization and the endpoint and live in Postgres.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/pool.ts';
import { idempotencyKeys } from '../db/schema.ts';
import { AppError, isUniqueViolation, ValidationError } from './errors.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * Runs `run` once per (organization, scope, key).
 * @param key the request's `Idempotency-Key`, or undefined (then `run` simply runs).
 * @param request what identifies the request's content (its body), hashed to detect key reuse.
 * @returns the response of the first run; an AppError of the first run is rethrown on replay too.
 * @throws AppError 409 while the first request runs; ValidationError for a key reused with another request.
 */
export async function runIdempotent(
  db: Db,
  organizationId: number,
  scope: string,
  key: string | undefined,
  request: unknown,
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  if (!key) return run();
  if (key.length > 255) throw new ValidationError(['Idempotency-Key is too long (maximum is 255 characters)']);
  const requestHash = createHash('sha256').update(JSON.stringify(request ?? null)).digest('hex');
  const where = and(eq(idempotencyKeys.organizationId, organizationId), eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));
  try {
    await db.insert(idempotencyKeys).values({ organizationId, scope, key, requestHash });
  } catch (err) {
    if (!isUniqueViolation(err, 'idempotency_keys_scope_key')) throw err;
    const [prior] = await db.select().from(idempotencyKeys).where(where);
    if (prior.requestHash !== requestHash) throw new ValidationError(['Idempotency-Key was already used for a different request']);
    if (prior.responseStatus === null) throw new AppError(409, ['A request with this Idempotency-Key is still in progress']);
    const body = prior.responseBody as { errors?: string[] };
    if (prior.responseStatus >= 400) throw new AppError(prior.responseStatus, body.errors ?? ['Request failed']);
    return { status: prior.responseStatus, body: prior.responseBody };
  }
  try {
    const res = await run();
    await db.update(idempotencyKeys).set({ responseStatus: res.status, responseBody: res.body as object }).where(where);
    return res;
  } catch (err) {
    if (err instanceof AppError) {
      await db.update(idempotencyKeys).set({ responseStatus: err.statusCode, responseBody: { errors: err.messages } }).where(where);
    } else {
      // Unexpected failure: free the key so the client can retry.
      await db.delete(idempotencyKeys).where(where);
    }
    throw err;
  }
}
