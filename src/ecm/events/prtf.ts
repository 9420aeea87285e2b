/**
 * The PRTF category of an ECM event: the one rule every count and report uses
 * (seed 002 "Event to PRTF Mapping", where an
 * "A / B" cell names the two categories an event of that type can fall in).
 * An event counts in at most one category, so report totals never double count.
 *
 * - never (null): cancelled events; tasks (counted under `by_type` only); SMS
 *   and email not yet sent or that failed/undelivered; SMS the member sent us
 *   (a reply, not an outreach attempt); calls that failed or were never placed;
 *   missed inbound calls; appointments and meetings still scheduled.
 * - `sms`, `email`: `telehealth_outreach` once sent.
 * - `call`: `telehealth_encounter` when the member was reached (explicit outcome
 *   `reached`, or the bridged leg completed with a duration > 0 — a voicemail is
 *   not), else `telehealth_outreach`; an explicit `not_reached`/`no_show` wins.
 * - `appointment`, `meeting`: only once the activity is `complete`:
 *   `in_person_encounter`, or `telehealth_encounter` for modality video or
 *   phone; with outcome `no_show` or `not_reached`, the matching `_outreach`.
 *
 * Events still in the future are excluded where they are counted
 * (`occurred_at <= now()`), not here, so the stored category never goes stale.
 */

export const EVENT_TYPES = ['sms', 'call', 'task', 'email', 'appointment', 'meeting'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const PRTF_CATEGORIES = ['telehealth_encounter', 'in_person_encounter', 'telehealth_outreach', 'in_person_outreach'] as const;
export type PrtfCategory = (typeof PRTF_CATEGORIES)[number];

/** The counts endpoint's keys, as seed 002 spells them, for each category. */
export const PRTF_COUNT_KEYS: Record<PrtfCategory, 'telehealth_encounters' | 'in_person_encounters' | 'telehealth_outreach' | 'in_person_outreach'> = {
  telehealth_encounter: 'telehealth_encounters',
  in_person_encounter: 'in_person_encounters',
  telehealth_outreach: 'telehealth_outreach',
  in_person_outreach: 'in_person_outreach',
};

export interface PrtfInputs {
  eventType: EventType;
  /** The activity's status: created, complete or cancelled. */
  status: string;
  /** Appointments and meetings: in_person (default), video or phone. */
  modality?: string | null;
  /** reached, not_reached or no_show, when recorded. */
  outcome?: string | null;
  /** SMS: the Twilio message status; email: queued, sent or failed. */
  deliveryStatus?: string | null;
  /** SMS and calls: inbound or outbound. */
  direction?: string | null;
  /** Calls: the Twilio call status (absent for a call logged by hand). */
  callStatus?: string | null;
  /** Calls: the bridged leg to the member completed with a duration > 0. */
  memberReached?: boolean | null;
}

const SENT_SMS = new Set(['sent', 'delivered', 'read']);
const CALL_NOT_PLACED = new Set(['failed', 'canceled']);

/** The single PRTF category of an event, or null when it counts in none. */
export function prtfCategory(e: PrtfInputs): PrtfCategory | null {
  if (e.status === 'cancelled') return null;
  switch (e.eventType) {
    case 'task':
      return null;
    case 'sms':
      if (e.direction === 'inbound') return null;
      return e.deliveryStatus && SENT_SMS.has(e.deliveryStatus) ? 'telehealth_outreach' : null;
    case 'email':
      return e.deliveryStatus === 'sent' ? 'telehealth_outreach' : null;
    case 'call': {
      if (e.callStatus && CALL_NOT_PLACED.has(e.callStatus)) return null;
      if (e.outcome === 'not_reached' || e.outcome === 'no_show') return e.direction === 'inbound' ? null : 'telehealth_outreach';
      if (e.outcome === 'reached' || e.memberReached === true) return 'telehealth_encounter';
      return e.direction === 'inbound' ? null : 'telehealth_outreach';
    }
    case 'appointment':
    case 'meeting': {
      if (e.status !== 'complete') return null;
      const telehealth = e.modality === 'video' || e.modality === 'phone';
      const missed = e.outcome === 'no_show' || e.outcome === 'not_reached';
      if (missed) return telehealth ? 'telehealth_outreach' : 'in_person_outreach';
      return telehealth ? 'telehealth_encounter' : 'in_person_encounter';
    }
  }
}
