/**
 * Pure rules of activities: the required fields of each type (seed 003,
 * "Activity Types") and the blocking graph.
 */
import { checkOutboundUrl, OutboundUrlError, type OutboundFetchOptions } from '../../platform/outbound.ts';
import type { ActivityType } from './schemas.ts';

/** An activity as it will be after a create or update (the stored row merged with the request). */
export interface ActivityDraft {
  activityType?: ActivityType;
  assignedToId?: number | null;
  message?: string | null;
  body?: string | null;
  emailTo?: string | null;
  emailAttachments?: string[];
  bookedAt?: string | Date | null;
  voiceCallId?: number | null;
  textMessageId?: number | null;
  dueAt?: string | Date | null;
  duration?: number | null;
  modality?: string | null;
  meetingKind?: string | null;
  outcome?: string | null;
}

/** The sentence of a draft without an assignee. */
export const ASSIGNEE_BLANK = "Assigned to can't be blank";

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/**
 * Every problem of a draft, one sentence each, in the seed's words
 * (`Message can't be blank`, `Assigned to can't be blank`).
 * @param attachments the outbound guard's settings: `MAIL_ATTACHMENT_HOSTS` (empty: any host) and
 *   `OUTBOUND_ALLOW_PRIVATE_URLS`. Only what needs no network is checked here (a host name is resolved and checked
 *   when the email is sent), so the seed's `https://storage.example.com/...` is accepted on any server.
 */
export function activityErrors(a: ActivityDraft, attachments: OutboundFetchOptions): string[] {
  const errors: string[] = [];
  const t = a.activityType;
  if (!t) errors.push("Activity type can't be blank");
  if (t === 'task' && blank(a.message)) errors.push("Message can't be blank");
  if ((t === 'note' || t === 'sms' || t === 'email') && blank(a.body)) errors.push("Body can't be blank");
  if (t === 'sms' && blank(a.textMessageId)) errors.push("Text message can't be blank");
  if (t === 'call' && blank(a.voiceCallId) && (blank(a.outcome) || blank(a.duration))) {
    // A call logged by hand (desk phone) needs an outcome and a duration instead.
    errors.push("Voice call can't be blank");
  }
  if (t === 'email') {
    if (blank(a.emailTo)) errors.push("Email to can't be blank");
    else if (!EMAIL.test(a.emailTo!.trim())) errors.push('Email to is not a valid email address');
    for (const url of a.emailAttachments ?? []) {
      try {
        checkOutboundUrl(url, attachments);
      } catch (err) {
        if (!(err instanceof OutboundUrlError)) throw err;
        errors.push(`Email attachment ${url} ${err.message}`);
      }
    }
  } else if ((a.emailAttachments ?? []).length > 0) {
    errors.push('Email attachments are only allowed on email activities');
  }
  if ((t === 'in_person_appointment' || t === 'meeting') && blank(a.bookedAt)) errors.push("Booked at can't be blank");
  if (t && t !== 'in_person_appointment' && t !== 'meeting' && !blank(a.modality)) {
    errors.push('Modality is only allowed for appointments and meetings');
  }
  if (t && t !== 'meeting' && !blank(a.meetingKind)) errors.push('Meeting kind is only allowed for meetings');
  if (t && t !== 'task' && !blank(a.dueAt)) errors.push('Due at is only allowed for tasks');
  if (blank(a.assignedToId)) errors.push(ASSIGNEE_BLANK);
  return errors;
}

/** The types an activity may be changed among on update (seed 003: the update takes the create fields). */
export const RETYPABLE_TYPES = ['task', 'note', 'in_person_appointment', 'meeting', 'call'] as const;

/**
 * Why `current` cannot become `to` (empty: it can), one sentence each. Only task, note, in_person_appointment,
 * meeting and a call logged by hand change type, among themselves: an activity tied to a communication record (an
 * SMS or call made through Twilio, an email queued or sent) keeps its type, as does a task with subtasks (they need
 * a task parent). The new type's required fields are `activityErrors`' to check.
 * @param draft the activity after the change (its `voiceCallId`: a call made through Twilio).
 */
export function retypeErrors(current: { activityType: string; textMessageId: number | null; voiceCallId: number | null }, to: string, draft: { voiceCallId?: number | null }, hasSubtasks: boolean): string[] {
  const from = current.activityType;
  const retypable = (t: string) => (RETYPABLE_TYPES as readonly string[]).includes(t);
  if (current.textMessageId !== null || from === 'sms') return ["Activity type can't be changed: the activity records a text message"];
  if (current.voiceCallId !== null) return ["Activity type can't be changed: the activity records a call made through Twilio"];
  if (from === 'email') return ["Activity type can't be changed: the activity records an email queued or sent"];
  const errors: string[] = [];
  if (!retypable(from) || !retypable(to)) errors.push(`Activity type can only be changed among ${RETYPABLE_TYPES.join(', ')}`);
  else if (to === 'call' && !blank(draft.voiceCallId)) errors.push('Activity type can only be changed to call for a call logged by hand (outcome and duration, no voice call)');
  if (from === 'task' && hasSubtasks) errors.push("Activity type can't be changed: the task has subtasks");
  return errors;
}

export interface BlockNode {
  id: number;
  blockedById: number | null;
  blockingId: number | null;
}

/**
 * True when the "blocks" relation over `nodes` has a cycle (an activity that,
 * through others, blocks itself). `a.blocked_by_id = b` means b blocks a;
 * `a.blocking_id = c` means a blocks c.
 */
export function hasBlockingCycle(nodes: BlockNode[]): boolean {
  const next = new Map<number, number[]>();
  const edge = (from: number, to: number) => next.set(from, [...(next.get(from) ?? []), to]);
  for (const n of nodes) {
    if (n.blockedById !== null) edge(n.blockedById, n.id);
    if (n.blockingId !== null) edge(n.id, n.blockingId);
  }
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (id: number): boolean => {
    if (state.get(id) === 'visiting') return true;
    if (state.get(id) === 'done') return false;
    state.set(id, 'visiting');
    for (const to of next.get(id) ?? []) if (visit(to)) return true;
    state.set(id, 'done');
    return false;
  };
  return [...next.keys()].some((id) => visit(id));
}
