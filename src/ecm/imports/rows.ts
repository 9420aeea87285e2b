/**
 * The columns of the two import files and the checks of one row each.
 * Pure: a row in, its values or its problems out. What needs the database
 * (does the member exist, is the name given for a new member) is the service's.
 *
 * A blank cell means "not given": a new record gets null (or the documented
 * default), an existing one keeps what it has.
 */
import { toE164 } from '../../platform/phone.ts';
import type { MemberColumns } from '../patients/service.ts';
import { ACUITY_LEVELS, AUTHORIZATION_STATUSES, MEMBER_RECORD_STATUSES, type MemberRecordStatus } from '../patients/schemas.ts';
import { parseDate } from './readers.ts';
import type { AuthorizationStatus } from '../patients/member-status.ts';
import { isEmailAddress } from '../../platform/validation.ts';
import { MAX_LENGTH } from '../../platform/schema.ts';
import { populationOfFocusOf, type PopulationOfFocusKey } from '../reporting/dhcs-values.ts';

/** Member Information File columns, as the plans name them (headers compared case-insensitively). */
export const MIF_COLUMNS = [
  'MEMBER_ID',
  'FIRST_NAME',
  'LAST_NAME',
  'DOB',
  'GENDER',
  'ADDRESS',
  'CITY',
  'STATE',
  'ZIP',
  'PHONE',
  'EMAIL',
  'CIN',
  'ECM_SERVICE_AUTH_ID',
  'ECM_PROVIDER_NAME',
  'ECM_NPI',
  'ECM_BENEFIT_AUTH_EFF_DATE',
  'ECM_BENEFIT_AUTH_END_DATE',
  'ACUITY_LEVEL',
  'MEMBER_RECORD_STATUS',
  'MCP_ID',
  'MCP_NAME',
  'MEMBER_POF',
  'MEMBER_HOMELESSNESS_INDICATOR',
] as const;
export type MifColumn = (typeof MIF_COLUMNS)[number];

/** Authorization file columns (headers compared case-insensitively, spaces and underscores alike). */
export const AUTHORIZATION_COLUMNS = ['Auth No', 'Member ID', 'Auth Type', 'Authorization Type', 'Status', 'Start Date', 'Expiration Date'] as const;
export type AuthorizationColumn = (typeof AUTHORIZATION_COLUMNS)[number];

export const AUTHORIZATION_TYPES = ['Form I', 'Form E', 'Form C', 'Form D', 'Form W'] as const;

/** Longest value accepted in a text cell of a column not listed in `CELL_LENGTH`. */
export const MAX_CELL_LENGTH = 255;

/**
 * Longest value of the columns that are also API fields: the API's limit (`MAX_LENGTH`), so a member imported
 * from a file can be sent back through `PUT .../patients/{id}` unchanged.
 */
const CELL_LENGTH: Partial<Record<MifColumn | AuthorizationColumn, number>> = {
  MEMBER_ID: MAX_LENGTH.identifier,
  FIRST_NAME: MAX_LENGTH.personName,
  LAST_NAME: MAX_LENGTH.personName,
  ADDRESS: MAX_LENGTH.street,
  CITY: MAX_LENGTH.city,
  PHONE: MAX_LENGTH.phone,
  EMAIL: MAX_LENGTH.email,
  CIN: MAX_LENGTH.identifier,
  ECM_SERVICE_AUTH_ID: MAX_LENGTH.identifier,
  ECM_PROVIDER_NAME: MAX_LENGTH.name,
  MCP_ID: MAX_LENGTH.identifier,
  MCP_NAME: MAX_LENGTH.name,
  'Member ID': MAX_LENGTH.identifier,
};

/** The cell's value when it fits its column; otherwise `problems` gets `<column> is too long (maximum is N characters)`. */
function fitted(column: MifColumn | AuthorizationColumn, value: string, problems: string[]): string | null {
  const max = CELL_LENGTH[column] ?? MAX_CELL_LENGTH;
  if (value.length <= max) return value;
  problems.push(`${column} is too long (maximum is ${max} characters)`);
  return null;
}

const GENDERS: Record<string, string> = { M: 'male', MALE: 'male', F: 'female', FEMALE: 'female', O: 'other', OTHER: 'other', U: 'unknown', UNKNOWN: 'unknown' };

/** `New Member`, `new`, `NEW_MEMBER` -> `new_member`; undefined when it is none of the five. */
export function memberRecordStatusOf(value: string): MemberRecordStatus | undefined {
  let v = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (!v.endsWith('_member')) v += '_member';
  return (MEMBER_RECORD_STATUSES as readonly string[]).includes(v) ? (v as MemberRecordStatus) : undefined;
}

/** A parsed MIF row: the member's columns (null: not given) and the status the row asks for, if any. */
export interface MifRow {
  row: number;
  memberId: string;
  columns: MemberColumns;
  status: MemberRecordStatus | null;
  /** MEMBER_POF: the member's Populations of Focus; undefined when blank. */
  populations?: PopulationOfFocusKey[];
  /** MEMBER_HOMELESSNESS_INDICATOR; undefined when blank. */
  homeless?: boolean;
}

/** Separators between several Populations of Focus in one MEMBER_POF cell. */
const POF_SEPARATORS = /[;|]/;
const YES = new Set(['Y', 'YES', 'TRUE', '1']);
const NO = new Set(['N', 'NO', 'FALSE', '0']);

/**
 * Checks one MIF row. `cell(c)` reads a column ('' when blank or absent); `today` (YYYY-MM-DD) bounds DOB.
 * @returns the row's values, or the messages naming each bad column (`DOB must be a date (MM-DD-YYYY)`).
 */
export function parseMifRow(row: number, cell: (c: MifColumn) => string, today: string): { value: MifRow } | { memberId: string | null; messages: string[] } {
  const messages: string[] = [];
  const text = (c: MifColumn): string | null => {
    const v = cell(c);
    return v === '' ? null : fitted(c, v, messages);
  };
  const date = (c: MifColumn): string | null => {
    const v = cell(c);
    if (v === '') return null;
    const d = parseDate(v);
    if (!d) messages.push(`${c} must be a date (MM-DD-YYYY)`);
    return d ?? null;
  };
  const memberId = text('MEMBER_ID');
  if (memberId === null && cell('MEMBER_ID') === '') messages.push("MEMBER_ID can't be blank");

  const dob = date('DOB');
  if (dob && dob > today) messages.push("DOB can't be in the future");
  const genderText = text('GENDER');
  const gender = genderText === null ? null : (GENDERS[genderText.toUpperCase()] ?? null);
  if (genderText !== null && !gender) messages.push('GENDER is not included in the list (M, F, male, female, other, unknown)');
  const stateText = text('STATE');
  if (stateText !== null && !/^[A-Za-z]{2}$/.test(stateText)) messages.push('STATE must be a two-letter state code');
  const zip = text('ZIP');
  if (zip !== null && !/^\d{5}(-?\d{4})?$/.test(zip)) messages.push('ZIP must be 5 digits or ZIP+4');
  const phoneText = text('PHONE');
  const phone = phoneText === null ? null : (toE164(phoneText) ?? null);
  if (phoneText !== null && !phone) messages.push('PHONE is not a valid phone number');
  const email = text('EMAIL');
  if (email !== null && !isEmailAddress(email)) messages.push('EMAIL is not a valid email address');
  const npi = text('ECM_NPI');
  if (npi !== null && !/^\d{10}$/.test(npi)) messages.push('ECM_NPI must be 10 digits');
  const eff = date('ECM_BENEFIT_AUTH_EFF_DATE');
  const end = date('ECM_BENEFIT_AUTH_END_DATE');
  if (eff && end && end < eff) messages.push('ECM_BENEFIT_AUTH_END_DATE must be on or after ECM_BENEFIT_AUTH_EFF_DATE');
  const acuityText = text('ACUITY_LEVEL');
  const acuity = acuityText?.toLowerCase() ?? null;
  if (acuity !== null && !(ACUITY_LEVELS as readonly string[]).includes(acuity)) messages.push('ACUITY_LEVEL is not included in the list (low, medium, high)');
  const statusText = text('MEMBER_RECORD_STATUS');
  const status = statusText === null ? null : (memberRecordStatusOf(statusText) ?? null);
  if (statusText !== null && !status) messages.push(`MEMBER_RECORD_STATUS is not included in the list (${MEMBER_RECORD_STATUSES.join(', ')})`);

  const pofText = text('MEMBER_POF');
  let populations: PopulationOfFocusKey[] | undefined;
  if (pofText !== null) {
    populations = [];
    for (const part of pofText.split(POF_SEPARATORS).map((p) => p.trim()).filter(Boolean)) {
      const key = populationOfFocusOf(part);
      if (key) populations.push(key);
      else messages.push(`MEMBER_POF "${part}" is not an ECM Population of Focus (GET /v1/clinic/ecm/dhcs_values lists them)`);
    }
    populations = [...new Set(populations)];
  }
  const homelessText = text('MEMBER_HOMELESSNESS_INDICATOR')?.toUpperCase() ?? null;
  const homeless = homelessText === null ? undefined : YES.has(homelessText) ? true : NO.has(homelessText) ? false : undefined;
  if (homelessText !== null && homeless === undefined) messages.push('MEMBER_HOMELESSNESS_INDICATOR must be Y or N');

  const columns: MemberColumns = {
    memberId: memberId ?? '',
    firstName: text('FIRST_NAME'),
    lastName: text('LAST_NAME'),
    dateOfBirth: dob,
    gender,
    phone,
    email,
    addressStreet: text('ADDRESS'),
    addressCity: text('CITY'),
    addressState: stateText?.toUpperCase() ?? null,
    addressZip: zip,
    cin: text('CIN'),
    ecmServiceAuthId: text('ECM_SERVICE_AUTH_ID'),
    ecmProviderName: text('ECM_PROVIDER_NAME'),
    ecmNpi: npi,
    ecmBenefitAuthEffDate: eff,
    ecmBenefitAuthEndDate: end,
    acuityLevel: acuity,
    mcpId: text('MCP_ID'),
    mcpName: text('MCP_NAME'),
  };
  if (messages.length) return { memberId, messages: [...new Set(messages)] };
  return { value: { row, memberId: memberId!, columns, status, ...(populations && { populations }), ...(homeless !== undefined && { homeless }) } };
}

/** A parsed authorization row; null fields were blank (an existing authorization keeps its value). */
export interface AuthorizationRow {
  row: number;
  authNo: string;
  memberId: string | null;
  authType: string | null;
  authorizationType: string | null;
  status: AuthorizationStatus | null;
  startDate: string | null;
  expirationDate: string | null;
}

/** Prefix of every authorization row message, as the example shows. */
export const VALIDATION_FAILED = 'Validation failed: ';

/** `Form I`, `form i`, `I` -> `Form I`; undefined when it is not one of the five forms. */
export function authorizationTypeOf(value: string): string | undefined {
  const letter = value.trim().replace(/^form\s*/i, '').toUpperCase();
  return AUTHORIZATION_TYPES.find((t) => t === `Form ${letter}`);
}

/**
 * Checks one authorization row.
 * @returns its values, or messages with the `Validation failed: ` prefix (`Validation failed: Auth No can't be blank`).
 */
export function parseAuthorizationRow(row: number, cell: (c: AuthorizationColumn) => string): { value: AuthorizationRow } | { messages: string[] } {
  const problems: string[] = [];
  const text = (c: AuthorizationColumn): string | null => {
    const v = cell(c);
    return v === '' ? null : fitted(c, v, problems);
  };
  const date = (c: AuthorizationColumn): string | null => {
    const v = cell(c);
    if (v === '') return null;
    const d = parseDate(v);
    if (!d) problems.push(`${c} must be a date (MM-DD-YYYY)`);
    return d ?? null;
  };
  const authNo = text('Auth No');
  if (cell('Auth No') === '') problems.push("Auth No can't be blank");
  const typeText = text('Authorization Type');
  const authorizationType = typeText === null ? null : (authorizationTypeOf(typeText) ?? null);
  if (typeText !== null && !authorizationType) problems.push(`Authorization Type is not included in the list (${AUTHORIZATION_TYPES.join(', ')})`);
  const statusText = text('Status');
  const status = statusText === null ? null : (AUTHORIZATION_STATUSES.find((s) => s.toLowerCase() === statusText.toLowerCase()) ?? null);
  if (statusText !== null && !status) problems.push(`Status is not included in the list (${AUTHORIZATION_STATUSES.join(', ')})`);
  const startDate = date('Start Date');
  const expirationDate = date('Expiration Date');
  if (startDate && expirationDate && expirationDate < startDate) problems.push('Expiration Date must be on or after the Start Date');
  const value = { row, authNo: authNo ?? '', memberId: text('Member ID'), authType: text('Auth Type'), authorizationType, status, startDate, expirationDate };
  if (problems.length) return { messages: [...new Set(problems)].map((p) => VALIDATION_FAILED + p) };
  return { value };
}
