/** Use case: the daily expiry of authorizations (job `ecm.authorization-expiry`). */
import { recordAudit } from '../../platform/audit.ts';
import { systemContext } from '../../platform/context.ts';
import { applyStatusRule, AUTHORIZATION_EXPIRED_SOURCE, todayIn, type ImportDeps } from './common.ts';
import * as store from './store.ts';

/**
 * The daily expiry (job `ecm.authorization-expiry`): in every clinic, a member whose last approval expired
 * without renewal becomes `terminated_member` (history: `Authorization Expired`), unless their status was
 * written after that approval expired (the later write wins). Idempotent; "today" is each clinic's date.
 * @returns the ids of the members terminated, by organization id (organizations with none are left out).
 */
export async function expireAuthorizations(deps: ImportDeps): Promise<Map<number, number[]>> {
  const { db, identity, clock } = deps;
  const now = clock();
  // The latest date any clinic can be on: UTC date + 1 covers every time zone.
  const horizon = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const out = new Map<number, number[]>();
  for (const orgId of await store.organizationsWithExpiredApprovals(db, horizon)) {
    const org = await identity.getOrganization(orgId);
    const today = todayIn(org.timeZone, now);
    const ctx = systemContext(orgId, AUTHORIZATION_EXPIRED_SOURCE);
    const changed = await db.transaction(async (tx) => {
      await store.lockImports(tx, orgId);
      const candidates = await store.membersWithExpiredApprovals(tx, orgId, today);
      if (candidates.length === 0) return [];
      const ids = await applyStatusRule(deps, tx, ctx, candidates, today, org.timeZone, AUTHORIZATION_EXPIRED_SOURCE, 'expired');
      if (ids.length) await recordAudit(tx, ctx, { action: 'update', entityType: 'patient', entityIds: ids });
      return ids;
    });
    if (changed.length) out.set(orgId, changed);
  }
  return out;
}
