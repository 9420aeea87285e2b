/** Display helpers: times in the clinic's time zone, labels for the API's enums. */

/** A timestamp (ISO 8601) in the clinic's time zone, e.g. "Nov 20, 2024, 10:00 AM PST". */
export function formatDateTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  // dateStyle/timeStyle cannot be combined with timeZoneName: spell the parts out.
  return new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));
}

/** A calendar date (`YYYY-MM-DD`) as written, e.g. "Nov 20, 2024" (no time zone shift). */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', dateStyle: 'medium' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** Today's date (`YYYY-MM-DD`) in `timeZone`. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** `snake_case` enum value → "Snake case". */
export function humanize(v: string | null | undefined): string {
  if (!v) return '—';
  if (v === 'sms') return 'SMS';
  const s = v.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const MEMBER_STATUSES = ['new_member', 'continuing_member', 'pending_member', 'terminated_member', 'inactive_member'] as const;
export const ACUITY_LEVELS = ['low', 'medium', 'high'] as const;
export const ACTIVITY_TYPES = ['task', 'note', 'call', 'sms', 'email', 'in_person_appointment', 'meeting'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const PRTF_COLORS: Record<string, string> = {
  telehealth_encounter: 'teal',
  in_person_encounter: 'green',
  telehealth_outreach: 'blue',
  in_person_outreach: 'violet',
};

export const TYPE_ICONS: Record<string, string> = {
  task: '☑',
  note: '✎',
  call: '☎',
  sms: '✉',
  email: '@',
  in_person_appointment: '⌂',
  appointment: '⌂',
  meeting: '◎',
};

/** SMS segments: GSM-7 text is 160 characters in one segment, 153 per segment beyond; anything else (UCS-2) 70 / 67. */
export function smsSegments(text: string): { length: number; segments: number; perSegment: number } {
  const gsm = /^[\n\r\u0020-\u007E£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€]*$/.test(text);
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  const length = [...text].length;
  if (length === 0) return { length, segments: 0, perSegment: single };
  return length <= single ? { length, segments: 1, perSegment: single } : { length, segments: Math.ceil(length / multi), perSegment: multi };
}
