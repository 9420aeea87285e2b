/**
 * Timestamps on the wire: UTC ISO 8601 with milliseconds (`2024-11-20T10:00:00.000Z`,
 * ARCHITECTURE.md "Wire conventions"). Raw SQL results carry `timestamptz` as
 * PostgreSQL text (`2024-11-20 10:00:00.123+00`); Drizzle's typed queries carry Dates.
 */

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
