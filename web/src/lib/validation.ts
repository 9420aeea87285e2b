/**
 * Client-side checks of an activity draft, mirroring the API's 422 messages
 * (src/ecm/activities/rules.ts, seed 003 "Activity Types"): the form shows the
 * same sentences before sending, and the API's own messages when it still refuses.
 */
import type { ActivityType } from './format';

export interface ActivityForm {
  activity_type: ActivityType;
  assigned_to_id: number | null;
  subject: string;
  message: string;
  body: string;
  email_to: string;
  booked_at: string;
  due_at: string;
  duration: string;
  modality: string;
  outcome: string;
}

export const emptyActivityForm = (type: ActivityType, assignedToId: number | null): ActivityForm => ({
  activity_type: type, assigned_to_id: assignedToId, subject: '', message: '', body: '', email_to: '', booked_at: '', due_at: '', duration: '', modality: '', outcome: '',
});

const blank = (v: string | null | undefined) => v === undefined || v === null || v.trim() === '';
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

/** Problems by field, in the API's words; an empty object when the draft can be sent. */
export function activityFormErrors(f: ActivityForm): Partial<Record<keyof ActivityForm, string>> {
  const e: Partial<Record<keyof ActivityForm, string>> = {};
  const t = f.activity_type;
  if (!t) e.activity_type = "Activity type can't be blank";
  if (t === 'task' && blank(f.message)) e.message = "Message can't be blank";
  if ((t === 'note' || t === 'email') && blank(f.body)) e.body = "Body can't be blank";
  if (t === 'call') {
    // A call logged by hand (no Twilio call record) needs its outcome and duration.
    if (blank(f.outcome)) e.outcome = "Voice call can't be blank: choose the outcome of the call";
    if (blank(f.duration)) e.duration = "Voice call can't be blank: enter the duration in minutes";
  }
  if (!blank(f.duration) && !/^\d+$/.test(f.duration.trim())) e.duration = 'Duration must be a whole number of minutes';
  if (t === 'email') {
    if (blank(f.email_to)) e.email_to = "Email to can't be blank";
    else if (!EMAIL.test(f.email_to.trim())) e.email_to = 'Email to is not a valid email address';
  }
  if ((t === 'in_person_appointment' || t === 'meeting') && blank(f.booked_at)) e.booked_at = "Booked at can't be blank";
  if (f.assigned_to_id === null) e.assigned_to_id = "Assigned to can't be blank";
  return e;
}

/** `datetime-local` value (wall time in the browser) → ISO 8601 UTC. */
export function localToIso(v: string): string {
  return new Date(v).toISOString();
}

/** The API request body for a valid draft: only the fields its type takes. */
export function activityPayload(f: ActivityForm) {
  const t = f.activity_type;
  const out: Record<string, unknown> = { activity_type: t, assigned_to_id: f.assigned_to_id };
  if (!blank(f.subject) && t !== 'note') out.subject = f.subject.trim();
  if (t === 'task') {
    out.message = f.message.trim();
    if (!blank(f.due_at)) out.due_at = localToIso(f.due_at);
  }
  if (t === 'note' || t === 'email') out.body = f.body.trim();
  if (t === 'email') out.email_to = f.email_to.trim();
  if (t === 'call' || t === 'in_person_appointment' || t === 'meeting') {
    if (!blank(f.body)) out.body = f.body.trim();
    if (!blank(f.outcome)) out.outcome = f.outcome;
    if (!blank(f.duration)) out.duration = Number(f.duration);
  }
  if (t === 'call') out.status = 'complete';
  if (t === 'in_person_appointment' || t === 'meeting') {
    out.booked_at = localToIso(f.booked_at);
    if (!blank(f.modality)) out.modality = f.modality;
  }
  return out;
}
