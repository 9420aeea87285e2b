/**
 * Small value helpers every feature had its own copy of.
 */

/** `o` without its keys whose value is `undefined` (an omitted field leaves its column alone; `null` is kept). */
export function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `s` with LIKE's wildcards `%` and `_` and its escape `\` taken literally (PostgreSQL's default escape character). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
