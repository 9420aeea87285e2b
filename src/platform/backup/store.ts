/** The `backups` table: one row per scheduled backup attempt. */
import { and, desc, eq } from 'drizzle-orm';
import { backups } from '../../db/schema.ts';
import type { Executor } from '../../db/pool.ts';

export type BackupRow = typeof backups.$inferSelect;

/** Records one attempt. */
export async function insertBackup(db: Executor, row: typeof backups.$inferInsert): Promise<void> {
  await db.insert(backups).values(row);
}

/** The newest attempt, whatever its outcome. */
export async function newestAttempt(db: Executor): Promise<BackupRow | undefined> {
  const [row] = await db.select().from(backups).orderBy(desc(backups.finishedAt)).limit(1);
  return row;
}

/** The newest backup that succeeded. */
export async function newestSucceeded(db: Executor): Promise<BackupRow | undefined> {
  const [row] = await db.select().from(backups).where(and(eq(backups.outcome, 'succeeded'))).orderBy(desc(backups.finishedAt)).limit(1);
  return row;
}
