/**
 * FHIR search mechanics (FHIR R4 search.html): date parameters with prefixes, token parameters, keyset paging
 * cursors and `searchset` Bundles with `self` and `next` links.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { ValidationError } from '../platform/errors.ts';

/** Inclusive instant bounds; either side open. */
export interface Range {
  from?: Date;
  to?: Date;
}

const DATE = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range of one date parameter value (`ge2020-01-01`, `le2020-01-01T10:00:00Z`, `2020-03`): a value stands for
 * the interval of its precision (a day, a month, a year, a second), and the prefix picks the side
 * (search.html#prefix): `eq` (or none) inside, `ge`/`gt` from its start/after its end, `le`/`lt` up to its end/before
 * its start. Supported prefixes: eq, ge, gt, le, lt. A date, or a dateTime without an offset, is wall-clock time in
 * IANA zone `timeZone` (default UTC; the search routes pass each location's zone, see `zonedDateRanges`).
 * @throws ValidationError an unsupported prefix or a malformed or impossible date.
 */
export function dateRange(param: string, value: string, timeZone = 'UTC'): Range {
  const m = DATE.exec(value);
  if (!m) throw new ValidationError([`${param}: "${value}" is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime), optionally after eq, ge, gt, le or lt`]);
  const [, prefix = 'eq', y, mo, d, h, mi, s, frac, tz] = m;
  if (!['eq', 'ge', 'gt', 'le', 'lt'].includes(prefix)) throw new ValidationError([`${param}: the prefix ${prefix} is not supported (use eq, ge, gt, le or lt)`]);
  const offset = tz && tz !== 'Z' ? tz : 'Z';
  let start: Date;
  let end: Date;
  if (tz === undefined && timeZone !== 'UTC') {
    // Wall-clock time in the zone (luxon): the interval of the value's precision, from its start there to the next one's.
    const unit = h === undefined ? (d !== undefined ? 'day' : mo !== undefined ? 'month' : 'year') : frac ? 'millisecond' : s !== undefined ? 'second' : 'minute';
    const at = DateTime.fromObject({
      year: Number(y), month: mo === undefined ? 1 : Number(mo), day: d === undefined ? 1 : Number(d),
      hour: h === undefined ? 0 : Number(h), minute: mi === undefined ? 0 : Number(mi), second: s === undefined ? 0 : Number(s),
      millisecond: frac ? Number(frac.slice(1).padEnd(3, '0')) : 0,
    }, { zone: timeZone });
    if (!at.isValid) throw new ValidationError([`${param}: "${value}" is not a valid date`]);
    start = at.toJSDate();
    end = new Date(at.plus({ [unit]: 1 }).toJSDate().getTime() - 1);
  } else if (h !== undefined) {
    const base = `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${frac ?? ''}${offset}`;
    start = new Date(base);
    const step = frac ? 1 : s !== undefined ? 1000 : 60_000;
    end = new Date(start.getTime() + step - 1);
  } else {
    // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear does not.
    const startOf = (yy: number, mm: number, dd: number) => {
      const at = new Date(Date.UTC(2000, mm, dd));
      at.setUTCFullYear(yy + (at.getUTCFullYear() - 2000));
      return at;
    };
    const Y = Number(y);
    const M = mo === undefined ? 0 : Number(mo) - 1;
    const D = d === undefined ? 1 : Number(d);
    start = startOf(Y, M, D);
    const next = d !== undefined ? startOf(Y, M, D + 1) : mo !== undefined ? startOf(Y, M + 1, 1) : startOf(Y + 1, 0, 1);
    end = new Date(next.getTime() - 1);
    if (start.getUTCMonth() !== M || start.getUTCDate() !== D) throw new ValidationError([`${param}: "${value}" is not a valid date`]);
  }
  if (Number.isNaN(start.getTime())) throw new ValidationError([`${param}: "${value}" is not a valid date`]);
  switch (prefix) {
    case 'ge': return { from: start };
    case 'gt': return { from: new Date(end.getTime() + 1) };
    case 'le': return { to: end };
    case 'lt': return { to: new Date(start.getTime() - 1) };
    default: return { from: start, to: end };
  }
}

/** The intersection of the ranges of every value of a repeated date parameter (`date=ge2020&date=le2021`: AND). */
export function dateRanges(param: string, values: string[] | undefined, timeZone = 'UTC'): Range {
  const out: Range = {};
  for (const v of values ?? []) {
    const r = dateRange(param, v, timeZone);
    if (r.from && (!out.from || r.from > out.from)) out.from = r.from;
    if (r.to && (!out.to || r.to < out.to)) out.to = r.to;
  }
  return out;
}

/** A token parameter value `[system|]code` (search.html#token); `system` undefined when the value has no `|`. */
/** The bounds of a date parameter for the locations of one time zone. */
export interface ZonedRange extends Range {
  /** `ecp_locations.id` of the locations these bounds apply to. */
  locationIds: number[];
}

/**
 * `dateRanges` per time zone of `locations`: a date, or a dateTime without an offset, is read as wall-clock time in
 * each location's zone (`2026-11-20` is that day at the community), as the ECP API reads an offset-less timestamp
 * (`parseInstantIn`); FHIR R4 search.html leaves the zone of such a value to the server ("the server's local time
 * zone"). One range per zone the locations have; one for every location when each value has an offset or there is none.
 * @throws ValidationError as `dateRange`.
 */
export function zonedDateRanges(param: string, values: string[] | undefined, locations: ReadonlyArray<{ id: number; zone: string }>): ZonedRange[] {
  const all = locations.map((l) => l.id);
  // DATE's last group is the offset: a value without one (a date alone has none) is local time.
  const local = (values ?? []).some((v) => DATE.exec(v)?.[9] === undefined);
  if (!local) return [{ locationIds: all, ...dateRanges(param, values) }];
  const byZone = new Map<string, number[]>();
  for (const l of locations) byZone.set(l.zone, [...(byZone.get(l.zone) ?? []), l.id]);
  if (!byZone.size) return [{ locationIds: all, ...dateRanges(param, values) }];
  return [...byZone].map(([zone, locationIds]) => ({ locationIds, ...dateRanges(param, values, zone) }));
}

/**
 * One keyset page of a search split by location groups (`zonedDateRanges`): `page` runs once per group with the same
 * cursor and count, and the rows are merged by key (ascending, as every page is) and cut at `count`. The result is the
 * page one query over every group would give. One group: `page` once, as is.
 */
export async function pageAcrossGroups<T>(groups: ZonedRange[], count: number, page: (group: ZonedRange) => Promise<{ rows: T[]; more: boolean }>, keyOf: (row: T) => number): Promise<{ rows: T[]; more: boolean }> {
  if (groups.length === 1) return page(groups[0]);
  const pages = await Promise.all(groups.map(page));
  const rows = pages.flatMap((p) => p.rows).sort((a, b) => keyOf(a) - keyOf(b));
  return { rows: rows.slice(0, count), more: rows.length > count || pages.some((p) => p.more) };
}

export function parseToken(value: string): { system?: string; code: string } {
  const i = value.indexOf('|');
  return i < 0 ? { code: value } : { system: value.slice(0, i), code: value.slice(i + 1) };
}

/** The comma-separated alternatives of a parameter value (search.html#combining: OR), unescaping `\,`. */
export function alternatives(value: string): string[] {
  return value.split(/(?<!\\),/).map((v) => v.replace(/\\,/g, ',')).filter(Boolean);
}

/** The opaque `_cursor` of the page after the row with key `afterId`. */
export function encodeCursor(afterId: number): string {
  return Buffer.from(`after:${afterId}`, 'utf8').toString('base64url');
}

/** The row key a `_cursor` continues after. @throws ValidationError a cursor this server did not make. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const m = /^after:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError(['_cursor is not a cursor of this server; follow the Bundle\'s next link']);
  return Number(m[1]);
}

/** The opaque `_cursor` of the page after the row with the two-part key `after` (a link table's pair of row ids). */
export function encodePairCursor(after: [number, number]): string {
  return Buffer.from(`after:${after[0]}.${after[1]}`, 'utf8').toString('base64url');
}

/** The two-part key a `_cursor` of `encodePairCursor` continues after. @throws ValidationError a cursor this server did not make. */
export function decodePairCursor(cursor: string | undefined): [number, number] | undefined {
  if (cursor === undefined) return undefined;
  const m = /^after:(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError(['_cursor is not a cursor of this server; follow the Bundle\'s next link']);
  return [Number(m[1]), Number(m[2])];
}

/** Default and largest page size (`_count`). */
export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 200;

/**
 * A `searchset` Bundle of one page (`rows`): the resources become entries with their `fullUrl`, the `self` link
 * repeats the parameters the search used, and `next` (present when `more`) carries the same parameters and the cursor
 * after the page's last row.
 * @param params the search parameters applied (name to values), without `_cursor`.
 */
export function searchsetBundle<T>(opts: {
  baseUrl: string;
  type: string;
  params: Array<[string, string]>;
  cursor?: string;
  rows: T[];
  more: boolean;
  /** The row's keyset key: a row id, or the finished cursor (`encodePairCursor`) for a two-part key. */
  keyOf: (row: T) => number | string;
  toResource: (row: T) => Resource & { id?: string };
}): Bundle {
  const page = opts.rows;
  const url = (extra: Array<[string, string]>) => {
    const q = new URLSearchParams([...opts.params, ...extra]).toString();
    return `${opts.baseUrl}/${opts.type}${q ? `?${q}` : ''}`;
  };
  const link = [{ relation: 'self', url: url(opts.cursor ? [['_cursor', opts.cursor]] : []) }];
  if (opts.more && page.length) {
    const key = opts.keyOf(page[page.length - 1]);
    link.push({ relation: 'next', url: url([['_cursor', typeof key === 'number' ? encodeCursor(key) : key]]) });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link,
    entry: page.map((row) => {
      const resource = opts.toResource(row);
      return { fullUrl: `${opts.baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' as const } };
    }),
  };
}

/** The resident GUID (upper case) of a `patient` reference: `Patient/<id>`, `<id>`, or an absolute URL ending in `Patient/<id>`. @throws ValidationError another resource type or a malformed id. */
export function patientIdOf(ref: string): string {
  const m = /^(?:(?:https?:\/\/\S+\/)?Patient\/)?([A-Za-z0-9.-]{1,64})$/.exec(ref.trim());
  if (!m) throw new ValidationError([`patient: "${ref}" is not a Patient reference (Patient/<id> or <id>)`]);
  return m[1].toUpperCase();
}

/** The parameters every search takes: `_count` (default 50, 1 to 200) and the `_cursor` of a next link. */
export interface PageQuery {
  _count?: number;
  _cursor?: string;
}
