/**
 * Timestamps on the wire: UTC ISO 8601 with milliseconds (`2024-11-20T10:00:00.000Z`,
 * ARCHITECTURE.md "Wire conventions"). Raw SQL results carry `timestamptz` as
 * PostgreSQL text (`2024-11-20 10:00:00.123+00`); Drizzle's typed queries carry Dates.
 */
import { DateTime } from 'luxon';

/** A timestamp as `YYYY-MM-DDTHH:mm:ss.sssZ`. */
export function isoOf(v: Date | string): string {
  return (v instanceof Date ? v : new Date(v)).toISOString();
}

/** `isoOf`, passing null through. */
export function isoOrNull(v: Date | string | null | undefined): string | null {
  return v === null || v === undefined ? null : isoOf(v);
}

/** A timestamp in the ECP wire form (ARCHITECTURE.md "Timestamps"): `2025-05-05T13:37:27.473+00:00`. */
export function ecpTimestamp(v: Date | string): string {
  return isoOf(v).replace(/Z$/, '+00:00');
}

/** The calendar date (`YYYY-MM-DD`) in IANA time zone `timeZone` at instant `at` (a clinic's "today"). */
export function dateIn(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * The ISO 8601 forms an ECP request timestamp may take: a date and time with or without its UTC offset, or a date
 * alone: `2025-05-05T13:37:27+00:00`, `2025-05-05T13:37:27.473Z`, `2025-01-07T19:20:30` (seconds and fraction
 * optional), `2014-03-12`. Offsets may be `Z`, `+hh:mm`, `+hhmm` or `+hh`. Luxon reads more forms (week dates,
 * times alone, `24:00`); only these are accepted.
 */
const ISO_INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Reads an ISO 8601 timestamp as an instant (luxon `DateTime.fromISO`): with an offset it is that instant; without
 * one it is that wall time in IANA zone `timeZone` (an ECP location's zone); a date alone is the start of that day
 * there. A wall time the zone repeats (clocks going back) is the later instant, in standard time; one it skips
 * (clocks going forward) is moved forward by the gap (luxon's rules; no disambiguation option).
 * @returns undefined when `text` is not one of the forms of `ISO_INSTANT_SHAPE`, names a date that does not exist
 *   (2025-02-30), or `timeZone` is not a time zone.
 */
export function parseInstantIn(text: string, timeZone: string): Date | undefined {
  if (!ISO_INSTANT_SHAPE.test(text)) return undefined;
  const at = DateTime.fromISO(text, { zone: timeZone });
  if (!at.isValid) return undefined;
  const date = at.toJSDate();
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** True when `text` is a timestamp `parseInstantIn` reads (with or without an offset, or a date alone). */
export function isInstantText(text: string): boolean {
  return parseInstantIn(text, 'UTC') !== undefined;
}

/**
 * The canonical IANA name of time zone `name` as the runtime's Intl tz data resolves it (`america/chicago` and
 * `US/Central` give `America/Chicago`), or undefined when it is not one. UTC offsets (`+05:00`), which Intl also
 * takes, are not IANA names and give undefined.
 */
export function canonicalTimeZone(name: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  return /^[+-]/.test(resolved) ? undefined : resolved;
}
