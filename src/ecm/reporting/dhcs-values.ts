/**
 * DHCS's value lists for ECM reporting, kept as data in one place with the source each comes from.
 *
 * Every list says where it was read and how far the reading got. Where DHCS's own document could not be read
 * (the ECM and Community Supports Data Guidance / Member-Level Information Sharing guide, the Return Transmission
 * File and Outreach Tracker File specifications, the Closed-Loop Referral implementation guidance), the list holds
 * only what a DHCS page or a plan page quoting DHCS confirms, and says so: codes that were not found are `null`,
 * never made up. The platform's own keys (`key`) are stable identifiers of this code base, not DHCS codes.
 * docs/decisions.md ("DHCS reporting data") records what was searched and not found.
 */

/** Where a list comes from. `checked` is the day the source was read for this module. */
export interface DhcsSource {
  title: string;
  /** The version or date the document carries, or what could be told of it. */
  version: string;
  url: string;
  checked: string;
  /** What the source confirms, and what it does not. */
  note: string;
}

/** The sources of the lists below. */
export const DHCS_SOURCES = {
  clrFaq: {
    title: 'Closed Loop Referral (CLR) Frequently Asked Questions (DHCS)',
    version: 'FAQ of May 30, 2025 (CLR policy effective July 1, 2025; DHCS monitors compliance from July 1, 2026)',
    url: 'https://www.dhcs.ca.gov/CalAIM/Pages/Closed-Loop-Referral-FAQs.aspx',
    checked: '2026-12-07',
    note:
      'Confirms the three CLR data elements ECM and Community Supports providers send through the Return Transmission File ' +
      '(Referral Status, Date of Referral Status Update, Reason for Referral Loop Closure), that plans may not ask for them any ' +
      'other way, the Referral Status value "Declined" and the loop-closure value "Services Received". The full value lists are ' +
      'in the CLR Implementation Guidance (May 2025 update), which could not be read: not found.',
  },
  clrCompanion: {
    title: 'Closed-Loop Referral (CLR) Implementation Companion (Intrepid Ascent, quoting the DHCS CLR webinar of Feb. 13, 2025)',
    version: 'June 2025',
    url: 'https://docs.google.com/presentation/d/1iB5mE5WWREFy_79GFjz0PWrY5bt_IS80/htmlpresent',
    checked: '2026-12-07',
    note: 'Secondary source: "Submit 3 new data elements to MCPs via the Return Transmission File each month" (the three above).',
  },
  ecmPopulationsOfFocus: {
    title: 'ECM Populations of Focus, as DHCS\'s ECM Policy Guide names them, quoted by plans (L.A. Care "ECM eligibility"; Health Plan of San Joaquin "CalAIM")',
    version: 'Policy Guide names in force from January 2024 (the Birth Equity population of focus); plan pages read 2026-12-07',
    url: 'https://lacare.org/providers/ecm/eligibility',
    checked: '2026-12-07',
    note:
      'Names only. DHCS\'s POF codes for the MIF/RTF "Member POF" field (Member-Level Information Sharing guide) were not found: ' +
      '`dhcsCode` is null for every entry, and the RTF layout version must supply them when it is added.',
  },
  outreachDefinition: {
    title: 'DHCS ECM Frequently Asked Questions, "What counts as an outreach attempt for ECM?" (quoted by CalAIM 101, traininghealthequity.org)',
    version: 'as quoted on the page read 2026-12-07',
    url: 'https://traininghealthequity.org/calaim-101/calaim-101-resources-page/',
    checked: '2026-12-07',
    note:
      'An outreach attempt is individualized communication with a prospective ECM enrollee who can respond directly, "through ' +
      'in-person, email, text, phone call, or other electronic method", successful or not. The Outreach Tracker File\'s coded ' +
      'method values (their exact spelling in the OTF specification) were not found.',
  },
  otfLayout: {
    title: 'ECM Outreach Tracker File (OTF) specification, as issue 20 of this project lists its columns',
    version: 'not found (DHCS\'s OTF template could not be read)',
    url: 'https://www.dhcs.ca.gov/CalAIM/ECM/Pages/Home.aspx',
    checked: '2026-12-07',
    note:
      'Columns: MCP identifier and name, ECM provider name, NPI and TIN, member name and CIN, provider type, date of outreach ' +
      'attempt, attempt method, successful (Y/N), time spent. The coded spellings of the method and the provider type were not ' +
      'found: the method is written as DHCS\'s outreach definition words it (`OUTREACH_ATTEMPT_METHODS`), the provider type as "ECM".',
  },
  rtfDiscontinuation: {
    title: 'ECM Return Transmission File specification (Member-Level Information Sharing guide): Discontinuation Reason Code',
    version: 'not found',
    url: 'https://www.dhcs.ca.gov/CalAIM/ECM/Pages/Home.aspx',
    checked: '2026-12-07',
    note:
      'The RTF carries Discontinuation Date, Discontinuation Reason Code and Discontinuation Reason (the platform\'s PRTF layout). ' +
      'The code list itself was not found; the platform records the code the clinic gives (the plan\'s list) and the reason in words.',
  },
} as const satisfies Record<string, DhcsSource>;

// ------------------------------------------------------------------ Populations of Focus

export interface PopulationOfFocus {
  /** The platform's stable key (the API's value). */
  key: string;
  /** DHCS's name. */
  name: string;
  /** DHCS's code in the MIF/RTF, when known (not found for any: null). */
  dhcsCode: string | null;
  /** Other spellings a plan's MIF may carry (earlier names of the same population). */
  aliases: readonly string[];
}

/** ECM Populations of Focus. Source: `DHCS_SOURCES.ecmPopulationsOfFocus`. */
export const POPULATIONS_OF_FOCUS = [
  { key: 'experiencing_homelessness', name: 'Individuals and Families Experiencing Homelessness', dhcsCode: null, aliases: ['Adults and their Families Experiencing Homelessness', 'Adults and Families Experiencing Homelessness', 'Individuals Experiencing Homelessness'] },
  { key: 'avoidable_hospital_ed_utilization', name: 'Individuals At Risk for Avoidable Hospital or ED Utilization', dhcsCode: null, aliases: ['Adults At Risk for Avoidable Hospital or ED Utilization', 'High Utilizers'] },
  { key: 'serious_mental_health_sud', name: 'Individuals with Serious Mental Health and/or SUD Needs', dhcsCode: null, aliases: ['Adults with Serious Mental Health and/or SUD Needs'] },
  { key: 'transitioning_from_incarceration', name: 'Individuals Transitioning from Incarceration', dhcsCode: null, aliases: [] },
  { key: 'at_risk_ltc_institutionalization', name: 'Adults Living in the Community and At Risk for LTC Institutionalization', dhcsCode: null, aliases: [] },
  { key: 'nursing_facility_transition', name: 'Adult Nursing Facility Residents Transitioning to the Community', dhcsCode: null, aliases: [] },
  { key: 'ccs_additional_needs', name: 'Children and Youth Enrolled in CCS or CCS WCM with Additional Needs Beyond the CCS Condition', dhcsCode: null, aliases: [] },
  { key: 'child_welfare', name: 'Children and Youth Involved in Child Welfare', dhcsCode: null, aliases: [] },
  { key: 'birth_equity', name: 'Birth Equity Population of Focus', dhcsCode: null, aliases: ['Birth Equity'] },
] as const satisfies readonly PopulationOfFocus[];

export type PopulationOfFocusKey = (typeof POPULATIONS_OF_FOCUS)[number]['key'];
export const POPULATION_OF_FOCUS_KEYS = POPULATIONS_OF_FOCUS.map((p) => p.key) as PopulationOfFocusKey[];

const normal = (s: string) => s.trim().toLowerCase().replace(/[^a-z0-9/]+/g, ' ').trim();
const POF_LOOKUP = new Map<string, PopulationOfFocusKey>();
for (const p of POPULATIONS_OF_FOCUS as readonly PopulationOfFocus[]) {
  for (const text of [p.key, p.name, ...p.aliases, ...(p.dhcsCode ? [p.dhcsCode] : [])]) POF_LOOKUP.set(normal(text), p.key as PopulationOfFocusKey);
}

/**
 * The Population of Focus a text names: its key, DHCS name, an earlier name, or (once known) DHCS code, any case
 * and punctuation. @returns the key, or undefined when the text names none.
 */
export function populationOfFocusOf(text: string): PopulationOfFocusKey | undefined {
  return POF_LOOKUP.get(normal(text));
}

// ------------------------------------------------------------------ Discontinuation

/**
 * DHCS's ECM discontinuation reason codes (RTF "Discontinuation Reason Code"): not found (`DHCS_SOURCES.rtfDiscontinuation`).
 * Empty on purpose; the API takes the code the clinic gives (its plan's list) and the reason in words.
 */
export const DISCONTINUATION_REASON_CODES: readonly { code: string; reason: string }[] = [];

// ------------------------------------------------------------------ Closed-loop referrals

/** The CLR data elements the RTF carries for a member's referral. Source: `DHCS_SOURCES.clrFaq`, `clrCompanion`. */
export const CLR_DATA_ELEMENTS = ['Referral Status', 'Date of Referral Status Update', 'Reason for Referral Loop Closure'] as const;

/** Referral Status values DHCS's pages confirm. The complete list is not found (`DHCS_SOURCES.clrFaq`). */
export const CLR_REFERRAL_STATUS_VALUES_FOUND = ['Declined'] as const;

/** Reason for Referral Loop Closure values DHCS's pages confirm. The complete list is not found (`DHCS_SOURCES.clrFaq`). */
export const CLR_LOOP_CLOSURE_REASONS_FOUND = ['Services Received'] as const;

/**
 * The platform's referral lifecycle (its own states, not DHCS values): `received` (from the plan or another
 * referring entity), `accepted` (the clinic takes the member on), `declined` (not taken on: by the clinic or the
 * member), `closed` (the loop is closed, with a reason). `received` and `accepted` are open. `dhcsStatus` is the
 * RTF Referral Status value where a DHCS page confirms it, null where the spelling is not found.
 */
export const REFERRAL_STATUSES = [
  { key: 'received', open: true, dhcsStatus: null },
  { key: 'accepted', open: true, dhcsStatus: null },
  { key: 'declined', open: false, dhcsStatus: 'Declined' },
  { key: 'closed', open: false, dhcsStatus: null },
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number]['key'];
export const REFERRAL_STATUS_KEYS = REFERRAL_STATUSES.map((s) => s.key) as ReferralStatus[];

/** Whether a referral in `status` is open (not yet declined or closed). */
export function isOpenReferralStatus(status: string): boolean {
  return REFERRAL_STATUSES.some((s) => s.key === status && s.open);
}

// ------------------------------------------------------------------ Outreach

/**
 * Methods of an ECM outreach attempt, as DHCS's definition names them (`DHCS_SOURCES.outreachDefinition`).
 * `label` is the definition's wording; the OTF specification's coded spelling is not found.
 */
export const OUTREACH_ATTEMPT_METHODS = [
  { key: 'in_person', label: 'In-person' },
  { key: 'email', label: 'Email' },
  { key: 'text', label: 'Text' },
  { key: 'phone_call', label: 'Phone call' },
  { key: 'other_electronic', label: 'Other electronic method' },
] as const;
export type OutreachAttemptMethod = (typeof OUTREACH_ATTEMPT_METHODS)[number]['key'];

/** The OTF's Provider Type of an ECM provider. The OTF's coded value is not found (`DHCS_SOURCES.otfLayout`). */
export const OTF_PROVIDER_TYPE = 'ECM';

/**
 * The OTF attempt method of a contact attempt (`OUTREACH_ATTEMPT_METHODS`): SMS is a text, email an email, a call a
 * phone call; an appointment or meeting is in person, or a phone call / other electronic method (video) by modality.
 */
export function outreachAttemptMethodOf(eventType: string, modality: string | null): OutreachAttemptMethod {
  if (eventType === 'sms') return 'text';
  if (eventType === 'email') return 'email';
  if (eventType === 'call' || modality === 'phone') return 'phone_call';
  if (modality === 'video') return 'other_electronic';
  return 'in_person';
}
