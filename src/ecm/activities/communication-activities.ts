/** Use cases for the communications feature: the activity of an SMS or call, and the activities of a changed record. */
import type { Executor } from '../../db/pool.ts';
import type { CommunicationRecords } from '../events/service.ts';
import * as store from './store.ts';
import type { ActivityContext } from './context.ts';

/**
 * Creates the `sms` or `call` activity of a communication record (Communications API, Twilio webhooks)
 * with its event, in the caller's transaction. `performedById` null means the system (inbound).
 */
export async function recordCommunicationActivity(
  c: ActivityContext,
  tx: Executor,
  a: {
    organizationId: number;
    patientId: number;
    type: 'sms' | 'call';
    performedById: number | null;
    /** Null: nobody yet (an inbound SMS without an outreach lead care manager). */
    assignedToId: number | null;
    body?: string | null;
    subject?: string | null;
    textMessageId?: number;
    voiceCallId?: number;
    occurredAt?: Date;
    status?: string;
  },
): Promise<store.ActivityRow> {
  const { communications, clock, insertActivity } = c;
  const records: CommunicationRecords = {
    textMessage: a.textMessageId ? await communications.textMessage(tx, a.organizationId, a.textMessageId) : null,
    voiceCall: a.voiceCallId ? await communications.voiceCall(tx, a.organizationId, a.voiceCallId) : null,
  };
  const { activity } = await insertActivity(tx, {
    organizationId: a.organizationId,
    patientId: a.patientId,
    activityType: a.type,
    status: a.status ?? 'created',
    body: a.body ?? null,
    subject: a.subject ?? null,
    performedById: a.performedById,
    assignedToId: a.assignedToId,
    textMessageId: a.textMessageId ?? null,
    voiceCallId: a.voiceCallId ?? null,
    occurredAt: a.occurredAt ?? clock(),
  }, records);
  return activity!;
}

/**
 * Re-derives the events of the activities that reference a text message or voice call whose status
 * changed (Communications API), in the caller's transaction, applying `changes` to them first.
 * `records`: the changed text message or voice call as the caller now has it (else read again).
 */
export async function syncActivitiesOfRecord(
  c: ActivityContext,
  tx: Executor,
  organizationId: number,
  ref: { voiceCallId?: number; textMessageId?: number },
  changes: Partial<store.NewActivity> = {},
  records: CommunicationRecords = {},
) {
  const { syncEvent } = c;
  const linked = Object.keys(changes).length
    ? await store.updateActivitiesOfRecord(tx, organizationId, ref, changes)
    : await store.activitiesOfRecord(tx, organizationId, ref);
  for (const a of linked) await syncEvent(tx, a, records);
}

/**
 * A reply answers the member: the member's open (`created`) activities of inbound SMS become `complete`, their
 * events following, in the caller's transaction (the outbound SMS being recorded). Seed 004 creates the activity of
 * an inbound SMS `created`: it is work until someone replies or marks it done.
 * @returns the activities completed.
 */
export async function completeAnsweredInboundSms(c: ActivityContext, tx: Executor, organizationId: number, patientId: number) {
  const { syncEvent } = c;
  const answered = await store.completeOpenInboundSms(tx, organizationId, patientId);
  for (const a of answered) await syncEvent(tx, a);
  return answered;
}
