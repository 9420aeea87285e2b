/**
 * The text-message and voice-call records that `sms` and `call` activities
 * reference (seed 003: `text_message_id`, `voice_call_id`). The Communications
 * API creates and updates them; other features read them only through here.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { preparedStatement, type Executor } from '../../db/pool.ts';
import { smsOptOuts, textMessages, unmatchedCommunications, voiceCalls } from '../../db/schema.ts';

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

export async function updateTextMessage(db: Executor, id: number, values: Partial<typeof textMessages.$inferInsert>): Promise<TextMessageRow> {
  const [row] = await db.update(textMessages).set({ ...values, updatedAt: new Date() }).where(eq(textMessages.id, id)).returning();
  return row;
}

export async function updateVoiceCall(db: Executor, id: number, values: Partial<typeof voiceCalls.$inferInsert>): Promise<VoiceCallRow> {
  const [row] = await db.update(voiceCalls).set({ ...values, updatedAt: new Date() }).where(eq(voiceCalls.id, id)).returning();
  return row;
}

/** The text message with this Twilio SID or, before the SID is known, this id; locked for update. */
export async function lockTextMessage(db: Executor, ref: { sid?: string; id?: number }): Promise<TextMessageRow | undefined> {
  const cond = ref.sid ? eq(textMessages.twilioSid, ref.sid) : eq(textMessages.id, ref.id ?? -1);
  let [row] = await db.select().from(textMessages).where(cond).for('update');
  if (!row && ref.sid && ref.id) [row] = await db.select().from(textMessages).where(eq(textMessages.id, ref.id)).for('update');
  return row;
}

/** What `applySmsStatusAlone` did. */
export interface SmsStatusOutcome {
  /** A message matched (by SID, else by id). */
  found: boolean;
  /** The status (or a missing SID) needed writing: it advances, and the callback's SID is the message's. */
  needed: boolean;
  /** It was written by this statement. */
  applied: boolean;
}

/**
 * An SMS status callback in one conditional UPDATE, for a message no live activity references (the activity and its
 * event would have to follow, in a transaction: `applied` false, `needed` true tells the caller to take that path).
 * The message is matched by `sid`, else by `id`; a callback whose SID is not the message's changes nothing. The
 * status is written only when its stage (`SMS_STAGE` as JSON: `stages`; `nextStage`, undefined for an unknown status)
 * is later than the stored one, so a late or repeated callback never moves it back; a missing SID is filled in.
 *
 * The UPDATE applies only to the row version its own snapshot read (`xmin`): when a concurrent transaction changed
 * the message meanwhile (a hand-over that links its activity, say), the activity check may be stale, so nothing is
 * written and the caller takes the transactional path, which sees that activity.
 */
export async function applySmsStatusAlone(
  db: Executor,
  ref: { sid?: string; id?: number },
  update: { status: string; nextStage: number | undefined; stages: string; errorCode: number | null },
): Promise<SmsStatusOutcome> {
  const [r] = await smsStatusAlone(db, {
    sid: ref.sid ?? null, id: ref.id ?? null, status: update.status, next_stage: update.nextStage ?? null, stages: update.stages, error_code: update.errorCode,
  });
  return r ? { found: true, needed: r.needed, applied: r.applied } : { found: false, needed: false, applied: false };
}

// Every status callback runs it: built once, a named statement parsed and planned once per connection.
const smsStatusAlone = preparedStatement<{ needed: boolean; applied: boolean }>('communications_sms_status_alone', () => {
  const sid = sql`${sql.placeholder('sid')}::text`;
  return sql`
    WITH snap AS (
      SELECT m.id, m.xmin AS version, m.status, m.twilio_sid,
        EXISTS (SELECT 1 FROM activities a WHERE a.text_message_id = m.id AND a.deleted_at IS NULL) AS linked,
        (${sql.placeholder('next_stage')}::int > coalesce((${sql.placeholder('stages')}::jsonb ->> m.status)::int, -1)) IS TRUE AS advances
      FROM text_messages m
      WHERE m.id = coalesce((SELECT id FROM text_messages WHERE twilio_sid = ${sid}), ${sql.placeholder('id')}::int)),
    want AS (
      SELECT snap.*, (${sid} IS NULL OR snap.twilio_sid IS NULL OR snap.twilio_sid = ${sid})
        AND (snap.advances OR (${sid} IS NOT NULL AND snap.twilio_sid IS NULL)) AS needed
      FROM snap),
    upd AS (
      UPDATE text_messages m SET
        status = CASE WHEN w.advances THEN ${sql.placeholder('status')}::text ELSE m.status END,
        twilio_sid = coalesce(m.twilio_sid, ${sid}),
        error_code = CASE WHEN w.advances THEN coalesce(${sql.placeholder('error_code')}::int, m.error_code) ELSE m.error_code END,
        updated_at = now()
      FROM want w
      WHERE m.id = w.id AND m.xmin = w.version AND w.needed AND NOT w.linked
      RETURNING m.id)
    SELECT w.needed, EXISTS (SELECT 1 FROM upd) AS applied FROM want w`;
});

/** The voice call with this Twilio SID or, before the SID is known, this id; locked for update. */
export async function lockVoiceCall(db: Executor, ref: { sid?: string; id?: number }): Promise<VoiceCallRow | undefined> {
  const cond = ref.sid ? eq(voiceCalls.twilioSid, ref.sid) : eq(voiceCalls.id, ref.id ?? -1);
  let [row] = await db.select().from(voiceCalls).where(cond).for('update');
  if (!row && ref.sid && ref.id) [row] = await db.select().from(voiceCalls).where(eq(voiceCalls.id, ref.id)).for('update');
  return row;
}

export async function isOptedOut(db: Executor, clinicNumber: string, memberPhone: string): Promise<boolean> {
  const rows = await db.select({ id: smsOptOuts.id }).from(smsOptOuts)
    .where(and(eq(smsOptOuts.clinicNumber, clinicNumber), eq(smsOptOuts.memberPhone, memberPhone)));
  return rows.length > 0;
}

export async function recordOptOut(db: Executor, organizationId: number, clinicNumber: string, memberPhone: string, source: string): Promise<void> {
  await db.insert(smsOptOuts).values({ organizationId, clinicNumber, memberPhone, source }).onConflictDoNothing();
}

export async function clearOptOut(db: Executor, clinicNumber: string, memberPhone: string): Promise<void> {
  await db.delete(smsOptOuts).where(and(eq(smsOptOuts.clinicNumber, clinicNumber), eq(smsOptOuts.memberPhone, memberPhone)));
}

export type UnmatchedRow = typeof unmatchedCommunications.$inferSelect;

/** Stores an unmatched inbound message or call; false when its SID was stored already (a repeated webhook). */
export async function insertUnmatched(db: Executor, values: typeof unmatchedCommunications.$inferInsert): Promise<boolean> {
  const rows = await db.insert(unmatchedCommunications).values(values).onConflictDoNothing().returning({ id: unmatchedCommunications.id });
  return rows.length > 0;
}

export async function findUnmatchedBySid(db: Executor, sid: string): Promise<UnmatchedRow | undefined> {
  const [row] = await db.select().from(unmatchedCommunications).where(eq(unmatchedCommunications.twilioSid, sid));
  return row;
}

export async function lockUnmatched(db: Executor, organizationId: number, id: number): Promise<UnmatchedRow | undefined> {
  const [row] = await db.select().from(unmatchedCommunications)
    .where(and(eq(unmatchedCommunications.organizationId, organizationId), eq(unmatchedCommunications.id, id))).for('update');
  return row;
}

export async function updateUnmatched(db: Executor, id: number, values: Partial<typeof unmatchedCommunications.$inferInsert>): Promise<void> {
  await db.update(unmatchedCommunications).set(values).where(eq(unmatchedCommunications.id, id));
}

/** A page of the organization's open (unassigned) unmatched communications, newest first. */
export async function listUnmatched(db: Executor, organizationId: number, limit: number, offset: number) {
  const where = and(eq(unmatchedCommunications.organizationId, organizationId), isNull(unmatchedCommunications.assignedPatientId));
  const rows = await db.select().from(unmatchedCommunications).where(where).orderBy(desc(unmatchedCommunications.receivedAt), desc(unmatchedCommunications.id)).limit(limit).offset(offset);
  const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(unmatchedCommunications).where(where);
  return { rows, totalCount: count };
}

export interface CommunicationListRow extends Record<string, unknown> {
  type: 'sms' | 'call';
  id: number;
  twilio_sid: string | null;
  direction: string;
  status: string;
  to: string;
  from: string;
  body: string | null;
  duration: number | null;
  error_code: number | null;
  activity_id: number | null;
  created_at: Date | string;
}

/** A page of one member's text messages and calls together, newest first. */
export async function listPatientCommunications(db: Executor, organizationId: number, patientId: number, limit: number, offset: number) {
  const union = sql`
    SELECT 'sms' AS type, m.id, m.twilio_sid, m.direction, m.status, m.to_number AS "to", m.from_number AS "from", m.body,
      NULL::int AS duration, m.error_code,
      (SELECT a.id FROM activities a WHERE a.text_message_id = m.id AND a.deleted_at IS NULL ORDER BY a.id LIMIT 1) AS activity_id, m.created_at
    FROM text_messages m WHERE m.organization_id = ${organizationId} AND m.patient_id = ${patientId}
    UNION ALL
    SELECT 'call', c.id, c.twilio_sid, c.direction, c.status, c.to_number, c.from_number, NULL, c.duration_seconds, c.error_code,
      (SELECT a.id FROM activities a WHERE a.voice_call_id = c.id AND a.deleted_at IS NULL ORDER BY a.id LIMIT 1), c.created_at
    FROM voice_calls c WHERE c.organization_id = ${organizationId} AND c.patient_id = ${patientId}`;
  const rows = await db.execute<CommunicationListRow>(sql`${union} ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`);
  const count = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM (${union}) u`);
  return { rows: rows.rows, totalCount: count.rows[0].n };
}
