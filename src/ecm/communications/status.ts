/**
 * Twilio status stages (seed 004, "SMS Status Tracking", "Call Status Tracking") and the rule that a late
 * callback never moves a record backwards: a status replaces another only when its stage is later.
 * `pending` (recorded, not yet handed to Twilio) and `unknown` (the hand-over timed out) are ours.
 */

/** The stage of each SMS status (a later stage replaces an earlier one). */
export const SMS_STAGE: Readonly<Record<string, number>> = {
  pending: 0, unknown: 0, accepted: 1, scheduled: 1, queued: 1, sending: 2, sent: 3,
  delivered: 4, undelivered: 4, failed: 4, canceled: 4, received: 4, read: 5,
};
/** The stage of each call status. */
export const CALL_STAGE: Readonly<Record<string, number>> = {
  pending: 0, unknown: 0, queued: 1, initiated: 1, ringing: 2, 'in-progress': 3, answered: 3,
  completed: 4, busy: 4, 'no-answer': 4, failed: 4, canceled: 4,
};

/** True when `next` is a later stage than `current` (unknown statuses never replace known ones). */
export function advances(kind: 'sms' | 'call', current: string, next: string): boolean {
  const stages = kind === 'sms' ? SMS_STAGE : CALL_STAGE;
  const to = stages[next];
  if (to === undefined) return false;
  return to > (stages[current] ?? -1);
}

/** Call statuses after which nothing more happens. */
export const FINAL_CALL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
/** SMS statuses that mean the message left Twilio for the carrier or arrived. */
export const SENT_SMS_STATUSES = new Set(['sent', 'delivered', 'read']);

/** Opt-out and opt-in keywords (carriers' and Twilio's list), matched as the whole message. */
export const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
export const OPT_IN_KEYWORDS = new Set(['START', 'YES', 'UNSTOP']);

/** `opt_out`, `opt_in` or null for an inbound message body. */
export function keywordOf(body: string): 'opt_out' | 'opt_in' | null {
  const word = body.trim().replace(/[.!]+$/, '').toUpperCase();
  if (OPT_OUT_KEYWORDS.has(word)) return 'opt_out';
  if (OPT_IN_KEYWORDS.has(word)) return 'opt_in';
  return null;
}
