/**
 * The PRTF (ECM provider return transmission file) layout: the DHCS ECM return
 * transmission file fields in their order, then the four count columns.
 * Fields the platform does not hold are left empty, never invented.
 */

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

export const OUTREACH_COLUMNS = [
  'Member Client Index Number (CIN)',
  'Member Last Name',
  'Member First Name',
  'Date of Outreach Attempt',
  'Outreach Attempt Method',
  'Outreach Attempt Successful (Y/N)',
  'Time Spent Performing Outreach',
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

/** The file name: `PRTF_<NPI>_<MMYYYY of the period start>_<MMDDYYYY of generation>.<ext>`. */
export function prtfFilename(npi: string, startDate: string, generatedOn: string, ext: 'csv' | 'xlsx'): string {
  const [sy, sm] = startDate.split('-');
  const [gy, gm, gd] = generatedOn.split('-');
  return `PRTF_${npi}_${sm}${sy}_${gm}${gd}${gy}.${ext}`;
}

/** The attempt method of an outreach event, as the Outreach Tracker words it. */
export function outreachMethod(eventType: string, modality: string | null): string {
  if (eventType === 'sms') return 'SMS';
  if (eventType === 'email') return 'email';
  if (eventType === 'call') return 'phone';
  if (modality === 'phone') return 'phone';
  if (modality === 'video') return 'video';
  return 'in person';
}
