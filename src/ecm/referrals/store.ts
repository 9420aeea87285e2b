/** SQL of closed-loop referrals (`ecm_referrals`, `ecm_referral_status_changes`). */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { ecmReferrals, ecmReferralStatusChanges } from '../../db/schema.ts';

export type ReferralRow = typeof ecmReferrals.$inferSelect;
export type StatusChangeRow = typeof ecmReferralStatusChanges.$inferSelect;

const of = (organizationId: number, patientId: number) => and(eq(ecmReferrals.organizationId, organizationId), eq(ecmReferrals.patientId, patientId));

/** The member's referrals, newest received first. */
export function listReferrals(db: Executor, organizationId: number, patientId: number): Promise<ReferralRow[]> {
  return db.select().from(ecmReferrals).where(of(organizationId, patientId)).orderBy(desc(ecmReferrals.receivedOn), desc(ecmReferrals.id));
}

/** One referral of the member, or undefined; `lock` holds it until the transaction ends. */
export async function findReferral(db: Executor, organizationId: number, patientId: number, id: number, lock = false): Promise<ReferralRow | undefined> {
  const q = db.select().from(ecmReferrals).where(and(of(organizationId, patientId), eq(ecmReferrals.id, id)));
  const [row] = lock ? await q.for('update') : await q;
  return row;
}

/** The status changes of `referralIds`, oldest first. */
export function statusChanges(db: Executor, organizationId: number, referralIds: number[]): Promise<StatusChangeRow[]> {
  if (referralIds.length === 0) return Promise.resolve([]);
  return db.select().from(ecmReferralStatusChanges)
    .where(and(eq(ecmReferralStatusChanges.organizationId, organizationId), inArray(ecmReferralStatusChanges.referralId, referralIds)))
    .orderBy(asc(ecmReferralStatusChanges.id));
}

export async function insertReferral(db: Executor, values: typeof ecmReferrals.$inferInsert): Promise<number> {
  const [row] = await db.insert(ecmReferrals).values(values).returning({ id: ecmReferrals.id });
  return row.id;
}

export async function updateReferral(db: Executor, organizationId: number, id: number, set: Partial<typeof ecmReferrals.$inferInsert>) {
  await db.update(ecmReferrals).set({ ...set, updatedAt: new Date() }).where(and(eq(ecmReferrals.organizationId, organizationId), eq(ecmReferrals.id, id)));
}

export async function insertStatusChange(db: Executor, values: typeof ecmReferralStatusChanges.$inferInsert) {
  await db.insert(ecmReferralStatusChanges).values(values);
}
