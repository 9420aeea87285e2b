/**
 * The PRTF (ECM provider return transmission file) layouts: the DHCS ECM return
 * transmission file fields in their order, then the four count columns, as a
 * versioned table (`RTF_LAYOUTS`). Fields the platform does not hold are left
 * empty, never invented.
 */
import { CLR_DATA_ELEMENTS, REFERRAL_STATUSES } from '../reporting/dhcs-values.ts';

/** The columns of layout `rtf-2023` (the layout before the Closed-Loop Referral elements). */
export const PRTF_COLUMNS = [
  'Primary Payer (MCP) Identifier',
  'MCP Name',
  'Member Client Index Number (CIN)',
  'Member Last Name',
  'Member First Name',
  'Member New Address Indicator',
  'Member Homelessness Indicator',
  'Member Residential Address',
  'Member Residential City',
  'Member Residential State',
  'Member Residential Zip',
  'Member New Phone Number Indicator',
  'Member Phone Number',
  'Member POF Indicator',
  'Member POF',
  'Member ECM Status',
  'Member Acuity Level',
  'ECM Enrollment Start Date',
  'ECM Enrollment End Date',
  'Date of Latest Care Plan Revision',
  'Date of Most Recent Care Conference',
  'Date Assessment Started',
  'Date of Most Recent Completed Assessment',
  'Date of Most Recent Encounter with Member',
  'ECM Lead Care Manager Name',
  'ECM Lead Care Manager Phone Number',
  'ECM Lead Care Manager Email',
  'Discontinuation Date',
  'Discontinuation Reason Code',
  'Discontinuation Reason',
  'In Person',
  'Telephonic/Video',
  'Member Information Return Transmission File Production Date',
  'Member Information File Reporting Period',
  'ECM Provider Name',
  'ECM Provider National Provider Identifier (NPI)',
  'ECM Provider Tax ID Number (TIN)',
  'ECM Provider Phone Number',
  'In-Person Encounters',
  'Telehealth Encounters',
  'In-Person Outreach',
  'Telehealth Outreach',
] as const;

export type RtfColumn = (typeof PRTF_COLUMNS)[number] | (typeof CLR_DATA_ELEMENTS)[number];

/**
 * The columns of layout `rtf-clr-2025-07`: `rtf-2023` with DHCS's three Closed-Loop Referral data elements
 * (`CLR_DATA_ELEMENTS`, source `DHCS_SOURCES.clrFaq`) after the discontinuation fields. Their place in DHCS's
 * column order is not published in what was found; after the member-level fields is this platform's choice.
 */
export const PRTF_CLR_COLUMNS: readonly RtfColumn[] = [
  ...PRTF_COLUMNS.slice(0, PRTF_COLUMNS.indexOf('Discontinuation Reason') + 1),
  ...CLR_DATA_ELEMENTS,
  ...PRTF_COLUMNS.slice(PRTF_COLUMNS.indexOf('Discontinuation Reason') + 1),
];

/** How a cell is written: `date` MM/DD/YYYY, `phone` NNN-NNN-NNNN, `indicator` Y/N, `count` an integer, `text`. */
export type RtfFormat = 'text' | 'date' | 'phone' | 'indicator' | 'count';

/** One version of the RTF layout: its columns in order, each column's format, and the value sets it checks. */
export interface RtfLayout {
  version: string;
  /** The first period start (YYYY-MM-DD) this layout is the default for. */
  defaultFrom: string;
  description: string;
  columns: readonly RtfColumn[];
}

const DATE_COLUMNS: ReadonlySet<RtfColumn> = new Set<RtfColumn>([
  'ECM Enrollment Start Date', 'ECM Enrollment End Date', 'Date of Latest Care Plan Revision', 'Date of Most Recent Care Conference',
  'Date Assessment Started', 'Date of Most Recent Completed Assessment', 'Date of Most Recent Encounter with Member', 'Discontinuation Date',
  'Member Information Return Transmission File Production Date', 'Date of Referral Status Update',
]);
const INDICATOR_COLUMNS: ReadonlySet<RtfColumn> = new Set<RtfColumn>([
  'Member New Address Indicator', 'Member Homelessness Indicator', 'Member New Phone Number Indicator', 'Member POF Indicator',
]);
const PHONE_COLUMNS: ReadonlySet<RtfColumn> = new Set<RtfColumn>(['Member Phone Number', 'ECM Lead Care Manager Phone Number', 'ECM Provider Phone Number']);
const COUNT_COLUMNS: ReadonlySet<RtfColumn> = new Set<RtfColumn>([
  'In Person', 'Telephonic/Video', 'In-Person Encounters', 'Telehealth Encounters', 'In-Person Outreach', 'Telehealth Outreach',
]);

/** The format of a column (the same in every layout version). */
export function rtfFormat(column: RtfColumn): RtfFormat {
  if (DATE_COLUMNS.has(column)) return 'date';
  if (INDICATOR_COLUMNS.has(column)) return 'indicator';
  if (PHONE_COLUMNS.has(column)) return 'phone';
  if (COUNT_COLUMNS.has(column)) return 'count';
  return 'text';
}

/**
 * RTF `Referral Status` spelling of each platform referral status: DHCS's where a DHCS page confirms it
 * (`dhcsStatus`), else the platform's status in words (DHCS's complete list
 * is not found; `DHCS_SOURCES.clrFaq`).
 */
export const RTF_REFERRAL_STATUS: Readonly<Record<string, string>> = Object.fromEntries(
  REFERRAL_STATUSES.map((s) => [s.key, s.dhcsStatus ?? s.key.charAt(0).toUpperCase() + s.key.slice(1)]),
);

/** The value sets a layout's cells are held to (besides formats). */
export const RTF_VALUE_SETS: Partial<Record<RtfColumn, readonly string[]>> = {
  'Member ECM Status': ['New Member', 'Continuing Member', 'Pending Member', 'Terminated Member', 'Inactive Member'],
  'Member Acuity Level': ['Low', 'Medium', 'High'],
  'Referral Status': Object.values(RTF_REFERRAL_STATUS),
};

/** The layout versions, oldest first. A report records the version it used (`prtf_reports.layout_version`). */
export const RTF_LAYOUTS = [
  { version: 'rtf-2023', defaultFrom: '0000-01-01', description: 'DHCS ECM RTF fields before Closed-Loop Referral, then the four count columns', columns: PRTF_COLUMNS },
  { version: 'rtf-clr-2025-07', defaultFrom: '2025-07-01', description: 'rtf-2023 plus the three CLR data elements (CLR policy effective July 1, 2025)', columns: PRTF_CLR_COLUMNS },
] as const satisfies readonly RtfLayout[];
export type RtfLayoutVersion = (typeof RTF_LAYOUTS)[number]['version'];
export const RTF_LAYOUT_VERSIONS = RTF_LAYOUTS.map((l) => l.version) as RtfLayoutVersion[];

/** The layout `version`. @throws Error for an unknown version (the API's schema refuses those first). */
export function rtfLayout(version: string): RtfLayout {
  const layout = (RTF_LAYOUTS as readonly RtfLayout[]).find((l) => l.version === version);
  if (!layout) throw new Error(`Unknown RTF layout version ${version}`);
  return layout;
}

/** The default layout of a period starting `startDate` (YYYY-MM-DD): the newest whose `defaultFrom` is on or before it. */
export function defaultRtfLayout(startDate: string): RtfLayout {
  let chosen: RtfLayout = RTF_LAYOUTS[0];
  for (const l of RTF_LAYOUTS as readonly RtfLayout[]) if (l.defaultFrom <= startDate) chosen = l;
  return chosen;
}

/**
 * The Outreach Tracker File's columns (`DHCS_SOURCES.otfLayout`): one row per outreach attempt of the period.
 */
export const OTF_COLUMNS = [
  'MCP Identifier',
  'MCP Name',
  'ECM Provider Name',
  'ECM Provider NPI',
  'ECM Provider TIN',
  'Member Last Name',
  'Member First Name',
  'Member Client Index Number (CIN)',
  'Provider Type',
  'Date of Outreach Attempt',
  'Outreach Attempt Method',
  'Outreach Attempt Successful (Y/N)',
  'Time Spent Performing Outreach (Minutes)',
] as const;

/** `YYYY-MM-DD` -> `MM/DD/YYYY`; null stays empty. */
export function mdy(date: string | null | undefined): string {
  if (!date) return '';
  const [y, m, d] = date.slice(0, 10).split('-');
  return `${m}/${d}/${y}`;
}

/** E.164 `+18055550123` -> `805-555-0123` for US numbers; others unchanged. */
export function displayPhone(e164: string | null | undefined): string {
  if (!e164) return '';
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : e164;
}

/**
 * The file name: `PRTF_<NPI>_<MMYYYY of the period start>_<MMDDYYYY of generation>.<ext>`, with `_<MCP id>` after
 * the NPI for one plan's file (characters other than letters, digits, `-` dropped). DHCS's per-plan naming
 * convention was not found; plans that publish one can be added here.
 */
export function prtfFilename(npi: string, mcpId: string | null, startDate: string, generatedOn: string, ext: 'csv' | 'xlsx', kind: 'PRTF' | 'OTF' = 'PRTF'): string {
  const [sy, sm] = startDate.split('-');
  const [gy, gm, gd] = generatedOn.split('-');
  const plan = mcpId ? `_${mcpId.replace(/[^A-Za-z0-9-]/g, '')}` : '';
  return `${kind}_${npi}${plan}_${sm}${sy}_${gm}${gd}${gy}.${ext}`;
}
