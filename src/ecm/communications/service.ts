/**
 * ECM Communications (seed 004): SMS and calls to members through Twilio,
 * inbound SMS and calls, status callbacks; every message and call becomes an
 * activity and an event.
 *
 * Outbound flow (seed 004 "Communication Flow"): the record is written first
 * (`pending`), then Twilio is called, then — on success — the record gets its
 * SID and the activity and event are created in one transaction. Twilio
 * refusing is 422 (`Failed to send SMS: <Twilio's message>`); Twilio
 * unavailable is 502 and nothing was sent; a timeout is 502 saying it may have
 * been sent, the record is `unknown`, and a job reconciles it from Twilio's own
 * list without ever sending again.
 */
import type { Executor } from '../../db/pool.ts';
import { createCommunicationsContext, type CommunicationsContext, type CommunicationsDeps } from './context.ts';
import { listPatientCommunications } from './history.ts';
import { placeCall, reconcile, sandboxProgress, sendSms } from './outbound.ts';
import * as store from './store.ts';
import { dialResult, inboundSms, inboundVoice, outboundTwiml, smsStatus, voiceStatus } from './twilio-callbacks.ts';
import { assignUnmatched, listUnmatched } from './unmatched.ts';

export type { CommunicationsDeps } from './context.ts';

/** `f` with its first argument, the context, bound. */
function bind<A extends unknown[], R>(f: (c: CommunicationsContext, ...args: A) => R, c: CommunicationsContext): (...args: A) => R {
  return (...args: A) => f(c, ...args);
}

/**
 * The communications service: each use case is a named function of `outbound.ts`, `history.ts`,
 * `twilio-callbacks.ts` or `unmatched.ts`, bound here to the shared context (`context.ts`).
 */
export function createCommunicationsService(deps: CommunicationsDeps) {
  const c = createCommunicationsContext(deps);
  return {
    sendSms: bind(sendSms, c),
    placeCall: bind(placeCall, c),
    listPatientCommunications: bind(listPatientCommunications, c),
    outboundTwiml: bind(outboundTwiml, c),
    dialResult: bind(dialResult, c),
    smsStatus: bind(smsStatus, c),
    voiceStatus: bind(voiceStatus, c),
    inboundSms: bind(inboundSms, c),
    inboundVoice: bind(inboundVoice, c),
    listUnmatched: bind(listUnmatched, c),
    assignUnmatched: bind(assignUnmatched, c),
    reconcile: bind(reconcile, c),
    sandboxProgress: bind(sandboxProgress, c),
  };
}

export type CommunicationsService = ReturnType<typeof createCommunicationsService>;

/**
 * The reads other features make of the text-message and voice-call records (the activities service checks and shows an
 * activity's links). Built apart from `createCommunicationsService`, which itself depends on the activities service.
 */
export function createCommunicationRecordReader() {
  return {
    /** The organization's text message `id`, or undefined; in the caller's transaction. */
    textMessage: (tx: Executor, organizationId: number, id: number) => store.findTextMessage(tx, organizationId, id),
    /** The organization's voice call `id`, or undefined; in the caller's transaction. */
    voiceCall: (tx: Executor, organizationId: number, id: number) => store.findVoiceCall(tx, organizationId, id),
  };
}

/**
 * Inserts a text-message record as given (no sending, no audit) in the caller's transaction: how the activities demo
 * seeder writes the history of SMS it invents. @returns the stored row.
 */
export function insertTextMessageRecord(tx: Executor, values: Parameters<typeof store.insertTextMessage>[1]): Promise<store.TextMessageRow> {
  return store.insertTextMessage(tx, values);
}

/**
 * Inserts a voice-call record as given (no call placed, no audit) in the caller's transaction: how the activities demo
 * seeder writes the history of calls it invents. @returns the stored row.
 */
export function insertVoiceCallRecord(tx: Executor, values: Parameters<typeof store.insertVoiceCall>[1]): Promise<store.VoiceCallRow> {
  return store.insertVoiceCall(tx, values);
}
