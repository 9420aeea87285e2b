/**
 * The text-message and voice-call records that `sms` and `call` activities
 * reference (seed 003: `text_message_id`, `voice_call_id`). The Communications
 * API creates and updates them; other features read them only through here.
 */
import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/pool.ts';
import { textMessages, voiceCalls } from '../../db/schema.ts';

export type TextMessageRow = typeof textMessages.$inferSelect;
export type VoiceCallRow = typeof voiceCalls.$inferSelect;

/** The organization's text message `id`, or undefined. */
export async function findTextMessage(db: Executor, organizationId: number, id: number): Promise<TextMessageRow | undefined> {
  const [row] = await db.select().from(textMessages).where(and(eq(textMessages.organizationId, organizationId), eq(textMessages.id, id)));
  return row;
}

/** The organization's voice call `id`, or undefined. */
export async function findVoiceCall(db: Executor, organizationId: number, id: number): Promise<VoiceCallRow | undefined> {
  const [row] = await db.select().from(voiceCalls).where(and(eq(voiceCalls.organizationId, organizationId), eq(voiceCalls.id, id)));
  return row;
}

/** Inserts a text message record (Communications API; tests). */
export async function insertTextMessage(db: Executor, values: typeof textMessages.$inferInsert): Promise<TextMessageRow> {
  const [row] = await db.insert(textMessages).values(values).returning();
  return row;
}

/** Inserts a voice call record (Communications API; tests). */
export async function insertVoiceCall(db: Executor, values: typeof voiceCalls.$inferInsert): Promise<VoiceCallRow> {
  const [row] = await db.insert(voiceCalls).values(values).returning();
  return row;
}
