/**
 * Phone numbers: every number the platform stores or dials is E.164 (`+18055550123`),
 * normalised with libphonenumber-js (default region US).
 *
 * A number is accepted when it is *possible* for its region (right length and
 * country code), not only when libphonenumber's metadata says it is assigned:
 * the seeds' own examples (`+18051234567`) use NANP exchanges that are not
 * assigned, and a clinic must be able to store what its members give
 * (docs/decisions.md, "Phone numbers").
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Returns `input` as E.164, or `undefined` when it cannot be a phone number.
 * Accepts `+18051234567`, `8051234567`, `805-123-4567`, `(805) 123-4567`, `1 805 123 4567`.
 */
export function toE164(input: string, region: CountryCode = 'US'): string | undefined {
  const trimmed = input.trim();
  if (trimmed === '' || /[a-z]/i.test(trimmed.replace(/\s*(ext\.?|x)\s*\d+$/i, ''))) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, region);
  if (!parsed || !parsed.isPossible()) return undefined;
  return parsed.number;
}
