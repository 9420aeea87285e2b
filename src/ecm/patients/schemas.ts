/**
 * Wire schemas of the ECM Patients API (seed 001_00609966d66acc37.txt), field
 * names and shapes as the seed's examples give them.
 */
import { Type, type Static } from 'typebox';
import { DateText, LimitedString, Nullable } from '../../platform/schema.ts';
import { PageQuery, Pagination } from '../../platform/pagination.ts';

export const MEMBER_RECORD_STATUSES = [
  'new_member',
  'continuing_member',
  'pending_member',
  'terminated_member',
  'inactive_member',
] as const;
export type MemberRecordStatus = (typeof MEMBER_RECORD_STATUSES)[number];
export const ACUITY_LEVELS = ['low', 'medium', 'high'] as const;
export const AUTHORIZATION_STATUSES = ['Approved', 'Pending', 'Denied', 'Terminated'] as const;
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;

/** Fields `sort_by` accepts (anything else is 422). `name` sorts by last name, then first name. */
export const SORTABLE_FIELDS = [
  'id',
  'name',
  'first_name',
  'last_name',
  'date_of_birth',
  'member_id',
  'acuity_level',
  'member_record_status',
  'ecm_benefit_auth_eff_date',
  'ecm_benefit_auth_end_date',
  'activities_count',
  'last_activity_at',
  'created_at',
  'updated_at',
] as const;
export type SortField = (typeof SORTABLE_FIELDS)[number];

const DateString = (description: string) => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD)` });
const Timestamp = (description: string) => Type.String({ format: 'date-time', description: `${description} (UTC, ISO 8601)` });

const MemberRecordStatus = Type.Enum(MEMBER_RECORD_STATUSES, { description: 'Member record status.' });
const AcuityLevel = Type.Enum(ACUITY_LEVELS, { description: 'Acuity level: low, medium or high.' });

const EligibilitySummary = {
  id: Type.Integer(),
  member_id: Type.String({ description: "The plan's member id (unique within the clinic)." }),
  cin: Nullable(Type.String({ description: "The state's Client Index Number." })),
  ecm_service_auth_id: Nullable(Type.String()),
  ecm_provider_name: Nullable(Type.String()),
  ecm_benefit_auth_eff_date: Nullable(DateString('ECM benefit authorization effective date')),
  ecm_benefit_auth_end_date: Nullable(DateString('ECM benefit authorization end date')),
  acuity_level: Nullable(AcuityLevel),
  member_record_status: MemberRecordStatus,
};

export const EligibilityListItem = Type.Object(EligibilitySummary);
export const EligibilityDetail = Type.Object({
  ...EligibilitySummary,
  ecm_npi: Nullable(Type.String({ description: 'NPI of the ECM provider serving the member.' })),
  created_at: Timestamp('Created'),
  updated_at: Timestamp('Last changed'),
});

const CaseLoadFields = {
  provider_id: Nullable(Type.Integer()),
  provider_name: Nullable(Type.String()),
  olcm_user_id: Nullable(Type.Integer({ description: 'Outreach Lead Care Manager (user id).' })),
  olcm_name: Nullable(Type.String()),
  ilcm_user_id: Nullable(Type.Integer({ description: 'Intensive Lead Care Manager (user id).' })),
  ilcm_name: Nullable(Type.String()),
};

export const PatientListItem = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    date_of_birth: Nullable(DateString('Date of birth')),
    ecm_eligibility_information: EligibilityListItem,
    case_load: Type.Object(CaseLoadFields),
  },
);

export const Address = Type.Object({
  street: Nullable(Type.String()),
  city: Nullable(Type.String()),
  state: Nullable(Type.String()),
  zip: Nullable(Type.String()),
});

export const Authorization = Type.Object({
  id: Type.Integer(),
  auth_no: Type.String(),
  auth_type: Nullable(Type.String()),
  authorization_type: Nullable(Type.String()),
  status: Type.String({ description: 'Approved, Pending, Denied or Terminated.' }),
  start_date: Nullable(DateString('Start')),
  expiration_date: Nullable(DateString('Expiration')),
});

export const StatusHistoryEntry = Type.Object({
  id: Type.Integer(),
  status: MemberRecordStatus,
  changed_at: Timestamp('When the status changed'),
  changed_by: Type.String({ description: "The acting user's name, or the source (`System Import`, `MIF Import`)." }),
});

export const PatientDetail = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    date_of_birth: Nullable(DateString('Date of birth')),
    gender: Nullable(Type.String()),
    address: Address,
    phone: Nullable(Type.String({ description: 'E.164.' })),
    email: Nullable(Type.String()),
    services: Type.Array(Type.String()),
    ecm_eligibility_information: EligibilityDetail,
    case_load: Type.Object({ id: Type.Integer(), ...CaseLoadFields }),
    ecm_authorizations: Type.Array(Authorization),
    ecm_status_history: Type.Array(StatusHistoryEntry, { description: 'Oldest first.' }),
    activities_count: Type.Integer(),
    last_activity_at: Nullable(Timestamp('Most recent activity')),
    created_at: Timestamp('Enrolled in the platform'),
    updated_at: Timestamp('Last changed'),
  },
);
export type PatientDetailWire = Static<typeof PatientDetail>;

export const PatientEnvelope = Type.Object({ patient: PatientDetail });

export const PatientListResponse = Type.Object({
  patients: Type.Array(PatientListItem),
  pagination: Pagination,
});

const SortParams = {
  sort_by: Type.Optional(Type.Enum(SORTABLE_FIELDS, { description: `One of: ${SORTABLE_FIELDS.join(', ')} (default name).` })),
  sort_dir: Type.Optional(LimitedString('identifier', { pattern: '^([aA][sS][cC]|[dD][eE][sS][cC])$', description: 'ASC or DESC, any case (default ASC).' })),
};

export const ListQuery = Type.Object({
  ...PageQuery,
  search: Type.Optional(LimitedString('search', { description: 'Case-insensitive partial match on name or member_id.' })),
  status: Type.Optional(MemberRecordStatus),
  provider_id: Type.Optional(Type.Integer({ description: 'Only members whose case load names this provider.' })),
  acuity_level: Type.Optional(AcuityLevel),
  olcm_user_id: Type.Optional(Type.Integer({ description: 'Only members whose outreach lead care manager is this user.' })),
  ilcm_user_id: Type.Optional(Type.Integer({ description: 'Only members whose in-person lead care manager is this user.' })),
  ...SortParams,
});
export type ListQueryWire = Static<typeof ListQuery>;

export const ClinicListQuery = Type.Object({
  ...ListQuery.properties,
  assigned_to_me: Type.Optional(Type.Boolean({ description: "true: only members whose case load names the caller (provider, OLCM or ILCM)." })),
});

export const FilterBody = Type.Object({
  search: Type.Optional(LimitedString('search', { description: 'Case-insensitive partial match on name or member_id.' })),
  ...SortParams,
  filters: Type.Optional(
    Type.Object({
      status: Type.Optional(MemberRecordStatus),
      acuity_level: Type.Optional(AcuityLevel),
      provider_id: Type.Optional(Type.Integer()),
      olcm_user_id: Type.Optional(Type.Integer()),
      ilcm_user_id: Type.Optional(Type.Integer()),
      authorization_status: Type.Optional(Type.Enum(AUTHORIZATION_STATUSES, { description: 'Members with an authorization in this status.' })),
    }),
  ),
  page: Type.Optional(Type.Integer({ minimum: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1 })),
  page_size: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type FilterBodyWire = Static<typeof FilterBody>;

const AddressInput = Type.Object({
  street: Type.Optional(Nullable(LimitedString('street'))),
  city: Type.Optional(Nullable(LimitedString('city'))),
  state: Type.Optional(Nullable(LimitedString('state'))),
  zip: Type.Optional(Nullable(LimitedString('zip'))),
});

const EligibilityInput = Type.Object({
  member_id: Type.Optional(LimitedString('identifier', { description: 'Required on create; unique within the clinic.' })),
  cin: Type.Optional(Nullable(LimitedString('identifier'))),
  ecm_service_auth_id: Type.Optional(Nullable(LimitedString('identifier'))),
  ecm_provider_name: Type.Optional(Nullable(LimitedString('name'))),
  ecm_npi: Type.Optional(Nullable(Type.String({ maxLength: 10, pattern: '^\\d{10}$', description: '10 digits.' }))),
  ecm_benefit_auth_eff_date: Type.Optional(Nullable(DateText())),
  ecm_benefit_auth_end_date: Type.Optional(Nullable(DateText())),
  acuity_level: Type.Optional(Nullable(AcuityLevel)),
  member_record_status: Type.Optional(MemberRecordStatus),
});

const CaseLoadInput = Type.Object({
  provider_id: Type.Optional(Nullable(Type.Integer())),
  olcm_user_id: Type.Optional(Nullable(Type.Integer())),
  ilcm_user_id: Type.Optional(Nullable(Type.Integer())),
});

export const PatientInput = Type.Object({
  first_name: Type.Optional(LimitedString('personName')),
  last_name: Type.Optional(LimitedString('personName')),
  date_of_birth: Type.Optional(Nullable(DateText())),
  gender: Type.Optional(Nullable(Type.Enum(GENDERS))),
  phone: Type.Optional(Nullable(LimitedString('phone', { description: 'Any common format; stored as E.164.' }))),
  email: Type.Optional(Nullable(LimitedString('email', { format: 'email' }))),
  address: Type.Optional(AddressInput),
  services: Type.Optional(Type.Array(LimitedString('identifier'))),
  ecm_eligibility_information: Type.Optional(EligibilityInput),
  case_load: Type.Optional(CaseLoadInput),
});
export type PatientInputWire = Static<typeof PatientInput>;

export const PatientBody = Type.Object({ patient: PatientInput });

export const PatientParams = Type.Object({ id: Type.Integer({ description: 'Patient ID.' }) });

/** `PUT .../patients/{id}/case_load`: the fields flat, or inside `case_load` (which wins when both are sent). */
export const CaseLoadBody = Type.Object({
  provider_id: Type.Optional(Nullable(Type.Integer({ description: 'Provider (user id); null clears it.' }))),
  olcm_user_id: Type.Optional(Nullable(Type.Integer({ description: 'Outreach Lead Care Manager (user id); null clears it.' }))),
  ilcm_user_id: Type.Optional(Nullable(Type.Integer({ description: 'Intensive Lead Care Manager (user id); null clears it.' }))),
  case_load: Type.Optional(CaseLoadInput),
});
export type CaseLoadBodyWire = Static<typeof CaseLoadBody>;
export type CaseLoadInputWire = Static<typeof CaseLoadInput>;

export const LeadCareManager = Type.Object({
  id: Type.Integer({ description: 'User id (use as `olcm_user_id` or `ilcm_user_id`).' }),
  name: Type.String(),
  email: Type.String(),
  phone: Nullable(Type.String({ description: 'E.164.' })),
  role: Type.String({ description: '`care_coordinator` or `admin`.' }),
  olcm_count: Type.Integer({ description: 'Members whose OLCM this user is.' }),
  ilcm_count: Type.Integer({ description: 'Members whose ILCM this user is.' }),
  members_count: Type.Integer({ description: 'Members this user leads as OLCM or ILCM (each member once).' }),
});

export const LeadCareManagerList = Type.Object({
  lead_care_managers: Type.Array(LeadCareManager),
  pagination: Pagination,
});

export const LeadCareManagerQuery = Type.Object({ ...PageQuery });
export type LeadCareManagerQueryWire = Static<typeof LeadCareManagerQuery>;

export const CareTeamMember = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.Enum(['admin', 'care_coordinator', 'provider']),
  active: Type.Boolean(),
});
export const CareTeamList = Type.Object({ care_team: Type.Array(CareTeamMember), pagination: Pagination });
