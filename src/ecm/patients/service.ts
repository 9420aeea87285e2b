/**
 * ECM Patients: list, filter, details, enrolment and updates of a clinic's
 * members (seed 001_00609966d66acc37.txt).
 *
 * Every call writes its audit row atomically with its work: a list records the
 * ids it returned and a read the member it showed, in the same single statement
 * as the read (no transaction needed); a change records the member it changed,
 * in its transaction. A change of `member_record_status` appends to the status history
 * with `changed_by` = the actor's name.
 */
import type { Db, Executor, Tx } from '../../db/pool.ts';
import { auditInsertSql, auditValues, recordAudit, type AuditAction } from '../../platform/audit.ts';
import { withoutUndefined } from '../../platform/values.ts';
import type { RequestContext } from '../../platform/context.ts';
import { isUniqueViolation, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { toE164 } from '../../platform/phone.ts';
import { isoOf, isoOrNull } from '../../platform/time.ts';
import type {
  CaseLoadBodyWire,
  FilterBodyWire,
  LeadCareManagerQueryWire,
  ListQueryWire,
  PatientDetailWire,
  PatientInputWire,
  SortField,
} from './schemas.ts';
import { decideMemberStatus } from './member-status.ts';
import type { MemberRecordStatus } from './schemas.ts';
import * as store from './store.ts';

export const PATIENT_NOT_FOUND = 'Patient not found';

export interface PatientServiceDeps {
  db: Db;
}

function sortOf(q: { sort_by?: SortField; sort_dir?: string }): store.PatientSort {
  return { field: q.sort_by ?? 'name', dir: q.sort_dir?.toUpperCase() === 'DESC' ? 'DESC' : 'ASC' };
}

function listItem(r: store.PatientListRow) {
  return {
    id: r.id,
    name: `${r.first_name} ${r.last_name}`,
    date_of_birth: r.date_of_birth,
    ecm_eligibility_information: {
      id: r.eligibility_id,
      member_id: r.member_id,
      cin: r.cin,
      ecm_service_auth_id: r.ecm_service_auth_id,
      ecm_provider_name: r.ecm_provider_name,
      ecm_benefit_auth_eff_date: r.ecm_benefit_auth_eff_date,
      ecm_benefit_auth_end_date: r.ecm_benefit_auth_end_date,
      acuity_level: r.acuity_level,
      member_record_status: r.member_record_status,
    },
    case_load: {
      provider_id: r.provider_id,
      provider_name: r.provider_name,
      olcm_user_id: r.olcm_user_id,
      olcm_name: r.olcm_name,
      ilcm_user_id: r.ilcm_user_id,
      ilcm_name: r.ilcm_name,
    },
  };
}

/** One member's detail row in the shape of seed 001. */
function detailOf(r: store.PatientDetailRow): PatientDetailWire {
  return {
    id: r.id,
    name: `${r.first_name} ${r.last_name}`,
    first_name: r.first_name,
    last_name: r.last_name,
    date_of_birth: r.date_of_birth,
    gender: r.gender,
    address: { street: r.address_street, city: r.address_city, state: r.address_state, zip: r.address_zip },
    phone: r.phone,
    email: r.email,
    services: r.services,
    ecm_eligibility_information: {
      id: r.eligibility_id,
      member_id: r.member_id,
      cin: r.cin,
      ecm_service_auth_id: r.ecm_service_auth_id,
      ecm_provider_name: r.ecm_provider_name,
      ecm_npi: r.ecm_npi,
      ecm_benefit_auth_eff_date: r.ecm_benefit_auth_eff_date,
      ecm_benefit_auth_end_date: r.ecm_benefit_auth_end_date,
      acuity_level: r.acuity_level as PatientDetailWire['ecm_eligibility_information']['acuity_level'],
      member_record_status: r.member_record_status as PatientDetailWire['ecm_eligibility_information']['member_record_status'],
      created_at: isoOf(r.eligibility_created_at),
      updated_at: isoOf(r.eligibility_updated_at),
    },
    case_load: {
      id: r.case_load_id,
      provider_id: r.provider_id,
      provider_name: r.provider_name,
      olcm_user_id: r.olcm_user_id,
      olcm_name: r.olcm_name,
      ilcm_user_id: r.ilcm_user_id,
      ilcm_name: r.ilcm_name,
    },
    ecm_authorizations: r.authorizations,
    ecm_status_history: r.status_history.map((h) => ({
      id: h.id,
      status: h.status as PatientDetailWire['ecm_status_history'][number]['status'],
      changed_at: isoOf(h.changed_at),
      changed_by: h.changed_by,
    })),
    activities_count: r.activities_count,
    last_activity_at: isoOrNull(r.last_activity_at),
    created_at: isoOf(r.created_at),
    updated_at: isoOf(r.updated_at),
  };
}

/**
 * Loads one member in the detail shape of seed 001 (one statement), writing the audit row of `ctx` and `action` in the
 * same statement when the member exists.
 * @throws NotFoundError `Patient not found`.
 */
async function loadDetail(tx: Executor, ctx: RequestContext, id: number, action: AuditAction): Promise<PatientDetailWire> {
  const row = await store.findPatientDetail(tx, ctx.actor.organizationId, id, auditValues(ctx, action));
  if (!row) throw new NotFoundError(PATIENT_NOT_FOUND);
  return detailOf(row);
}

/** The list audit row of `ctx`, bound by the store to the ids its statement returned. */
function listAudit(ctx: RequestContext): store.AuditOf {
  return (ids) => auditInsertSql(ctx, { action: 'list', entityType: 'patient', entityIds: ids });
}

function blank(v: string | null | undefined): boolean {
  return v === undefined || v === null || v.trim() === '';
}

/** Checks the parts of a patient body the schema cannot (blank names, phone, case load users); returns messages. */
async function checkInput(tx: Tx, organizationId: number, input: PatientInputWire, creating: boolean): Promise<string[]> {
  const errors: string[] = [];
  if ((creating || input.first_name !== undefined) && blank(input.first_name)) errors.push("First name can't be blank");
  if ((creating || input.last_name !== undefined) && blank(input.last_name)) errors.push("Last name can't be blank");
  const elig = input.ecm_eligibility_information;
  if ((creating || elig?.member_id !== undefined) && blank(elig?.member_id)) errors.push("Member ID can't be blank");
  if (input.phone && !toE164(input.phone)) errors.push('Phone is not a valid phone number');
  if (input.date_of_birth && input.date_of_birth > new Date().toISOString().slice(0, 10)) {
    errors.push("Date of birth can't be in the future");
  }
  const eff = elig?.ecm_benefit_auth_eff_date;
  const end = elig?.ecm_benefit_auth_end_date;
  if (eff && end && end < eff) errors.push('ECM benefit auth end date must be on or after the effective date');
  const cl = input.case_load;
  if (cl) {
    const wanted = [cl.provider_id, cl.olcm_user_id, cl.ilcm_user_id].filter((v): v is number => typeof v === 'number');
    const found = new Map((await store.findUsersIn(tx, organizationId, wanted)).map((u) => [u.id, u]));
    const check = (id: number | null | undefined, label: string) => {
      if (typeof id === 'number' && !found.get(id)?.active) errors.push(`${label} must be an active user of the clinic`);
    };
    check(cl.provider_id, 'Provider');
    check(cl.olcm_user_id, 'OLCM user');
    check(cl.ilcm_user_id, 'ILCM user');
  }
  return errors;
}

function patientColumns(input: PatientInputWire) {
  const a = input.address ?? {};
  return {
    firstName: input.first_name?.trim(),
    lastName: input.last_name?.trim(),
    dateOfBirth: input.date_of_birth,
    gender: input.gender,
    phone: input.phone === undefined ? undefined : input.phone ? toE164(input.phone)! : null,
    email: input.email === undefined ? undefined : input.email?.trim() || null,
    addressStreet: a.street,
    addressCity: a.city,
    addressState: a.state,
    addressZip: a.zip,
    services: input.services,
  };
}

function eligibilityColumns(input: PatientInputWire['ecm_eligibility_information'] = {}) {
  return {
    memberId: input.member_id?.trim(),
    cin: input.cin,
    ecmServiceAuthId: input.ecm_service_auth_id,
    ecmProviderName: input.ecm_provider_name,
    ecmNpi: input.ecm_npi,
    ecmBenefitAuthEffDate: input.ecm_benefit_auth_eff_date,
    ecmBenefitAuthEndDate: input.ecm_benefit_auth_end_date,
    acuityLevel: input.acuity_level,
    memberRecordStatus: input.member_record_status,
  };
}


export function createPatientService({ db }: PatientServiceDeps) {
  async function list(ctx: RequestContext, filters: store.PatientFilters, sort: store.PatientSort, q: { page?: number; per_page?: number; page_size?: number }) {
    const page = pageRequest(q);
    // One statement (page, count and audit row): atomic without a transaction.
    const { rows, totalCount } = await store.listPatients(db, ctx.actor.organizationId, filters, sort, page, listAudit(ctx));
    return { patients: rows.map(listItem), pagination: paginationOf(page, totalCount) };
  }

  return {
    /**
     * The member `id` of the organization, for features nested under a patient (activities, events).
     * `lock`: holds the member's row until `tx` ends (a change that recounts the member's activity stats, so that
     * concurrent changes apply after it).
     * @returns `{ id, name }`.
     * @throws NotFoundError `Patient not found`.
     */
    async requirePatient(tx: Executor, organizationId: number, id: number, lock = false): Promise<{ id: number; name: string }> {
      const p = await store.findPatientName(tx, organizationId, id, lock);
      if (!p) throw new NotFoundError(PATIENT_NOT_FOUND);
      return { id: p.id, name: `${p.firstName} ${p.lastName}` };
    },

    /**
     * The member's id, name and phone on file, for communications.
     * @throws NotFoundError `Patient not found`.
     */
    async requireContact(tx: Executor, organizationId: number, id: number) {
      const p = await store.findPatientContact(tx, organizationId, id);
      if (!p) throw new NotFoundError(PATIENT_NOT_FOUND);
      return { id: p.id, name: `${p.firstName} ${p.lastName}`, phone: p.phone };
    },

    /**
     * Which of `userIds` are active users of the organization (authors, assessors of member records).
     * @returns the ids found active.
     */
    async activeUsers(tx: Executor, organizationId: number, userIds: number[]): Promise<Set<number>> {
      const rows = await store.findUsersIn(tx, organizationId, [...new Set(userIds)]);
      return new Set(rows.filter((u) => u.active).map((u) => u.id));
    },

    /** Ids of the clinic's members with this phone (E.164): inbound messages are matched on it. */
    patientIdsByPhone: (tx: Executor, organizationId: number, phone: string) => store.patientIdsByPhone(tx, organizationId, phone),

    /** The member's lead care manager `{id, name, phone}`: ILCM, else OLCM, else the clinic's first admin. */
    leadCareManager: (tx: Executor, organizationId: number, patientId: number) => store.leadCareManager(tx, organizationId, patientId),

    /** The member's outreach lead care manager (OLCM) `{id, name}` when an active user, else undefined (inbound SMS). */
    outreachLeadCareManager: (tx: Executor, organizationId: number, patientId: number) => store.outreachLeadCareManager(tx, organizationId, patientId),

    /**
     * `GET .../patients`: a page of members, filtered by `search`, `status`, `provider_id`
     * (and `assignedToUserId` for the clinic route's `assigned_to_me`).
     * @returns `{ patients, pagination }` as seed 001's list example.
     */
    listPatients(ctx: RequestContext, q: ListQueryWire, assignedToUserId?: number) {
      return list(
        ctx,
        { search: q.search, status: q.status, acuityLevel: q.acuity_level, providerId: q.provider_id, olcmUserId: q.olcm_user_id, ilcmUserId: q.ilcm_user_id, assignedToUserId },
        sortOf(q),
        q,
      );
    },

    /** `POST .../patients/filter`: the same list with every filter of seed 001's "Filter ECM Patients". */
    filterPatients(ctx: RequestContext, body: FilterBodyWire) {
      const f = body.filters ?? {};
      return list(
        ctx,
        {
          search: body.search,
          status: f.status,
          acuityLevel: f.acuity_level,
          providerId: f.provider_id,
          olcmUserId: f.olcm_user_id,
          ilcmUserId: f.ilcm_user_id,
          authorizationStatus: f.authorization_status,
        },
        sortOf(body),
        body,
      );
    },

    /**
     * One member in the detail shape.
     * @throws NotFoundError `Patient not found` for an unknown id or another clinic's member.
     */
    getPatient(ctx: RequestContext, id: number) {
      // One statement (member and audit row): atomic without a transaction; an unknown id records nothing.
      return loadDetail(db, ctx, id, 'read');
    },

    /**
     * Enrols a member by hand: patient, eligibility (`member_record_status` default `new_member`),
     * case load and a first status-history entry, in one transaction.
     * @throws ValidationError `Member ID can't be blank`, `Member ID has already been taken`, ...
     */
    async createPatient(ctx: RequestContext, input: PatientInputWire) {
      const orgId = ctx.actor.organizationId;
      try {
        return await db.transaction(async (tx) => {
          const errors = await checkInput(tx, orgId, input, true);
          if (errors.length) throw new ValidationError(errors);
          const patient = await store.insertPatient(tx, {
            ...(withoutUndefined(patientColumns(input)) as { firstName: string; lastName: string }),
            organizationId: orgId,
          });
          const elig = eligibilityColumns(input.ecm_eligibility_information);
          const status = decideMemberStatus({ writer: 'enrolment', proposed: elig.memberRecordStatus ?? null, current: null, discontinuedOn: null })!;
          await store.insertEligibility(tx, {
            ...withoutUndefined(elig),
            memberId: elig.memberId!,
            memberRecordStatus: status,
            organizationId: orgId,
            patientId: patient.id,
          });
          await store.upsertCaseLoad(tx, {
            organizationId: orgId,
            patientId: patient.id,
            providerId: input.case_load?.provider_id ?? null,
            olcmUserId: input.case_load?.olcm_user_id ?? null,
            ilcmUserId: input.case_load?.ilcm_user_id ?? null,
          });
          await store.insertStatusHistory(tx, {
            organizationId: orgId,
            patientId: patient.id,
            status,
            changedBy: ctx.actor.name,
            changedByUserId: ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null,
          });
          return loadDetail(tx, ctx, patient.id, 'create');
        });
      } catch (err) {
        if (isUniqueViolation(err, 'ecm_eligibility_org_member_id_key')) throw new ValidationError(['Member ID has already been taken']);
        throw err;
      }
    },

    /**
     * Changes a member (seed 001 "Update ECM Patient", plus contact fields and case load).
     * A new `member_record_status` appends a status-history entry by the actor.
     * @throws NotFoundError; ValidationError (one message per problem).
     */
    async updatePatient(ctx: RequestContext, id: number, input: PatientInputWire) {
      const orgId = ctx.actor.organizationId;
      try {
        return await db.transaction(async (tx) => {
          const current = await store.findPatient(tx, orgId, id, true);
          if (!current) throw new NotFoundError(PATIENT_NOT_FOUND);
          const errors = await checkInput(tx, orgId, input, false);
          if (errors.length) throw new ValidationError(errors);
          const pCols = withoutUndefined(patientColumns(input));
          if (Object.keys(pCols).length > 0) await store.updatePatient(tx, id, pCols);
          const eCols = withoutUndefined(eligibilityColumns(input.ecm_eligibility_information));
          if (Object.keys(eCols).length > 0) await store.updateEligibility(tx, current.eligibility.id, eCols);
          // Staff write any status that differs (which also ends a discontinuation in force): member-status.ts.
          const newStatus = decideMemberStatus({
            writer: 'staff', proposed: eCols.memberRecordStatus ?? null, current: current.eligibility.memberRecordStatus as MemberRecordStatus, discontinuedOn: null,
          });
          if (newStatus) {
            await store.insertStatusHistory(tx, {
              organizationId: orgId,
              patientId: id,
              status: newStatus,
              changedBy: ctx.actor.name,
              changedByUserId: ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null,
            });
          }
          if (input.case_load) {
            await store.upsertCaseLoad(tx, {
              organizationId: orgId,
              patientId: id,
              providerId: input.case_load.provider_id,
              olcmUserId: input.case_load.olcm_user_id,
              ilcmUserId: input.case_load.ilcm_user_id,
            });
          }
          return loadDetail(tx, ctx, id, 'update');
        });
      } catch (err) {
        if (isUniqueViolation(err, 'ecm_eligibility_org_member_id_key')) throw new ValidationError(['Member ID has already been taken']);
        throw err;
      }
    },

    /**
     * `PUT .../patients/{id}/case_load`: sets the member's provider, OLCM and ILCM (omitted: unchanged;
     * null: cleared), sent flat or inside `case_load` (which wins). Each named user must be an active user of the clinic.
     * @returns the member in the detail shape.
     * @throws NotFoundError `Patient not found`; ValidationError `OLCM user must be an active user of the clinic`, ...
     */
    updateCaseLoad(ctx: RequestContext, id: number, body: CaseLoadBodyWire) {
      const { case_load: nested, ...flat } = body;
      const input = { ...flat, ...withoutUndefined(nested ?? {}) };
      const orgId = ctx.actor.organizationId;
      return db.transaction(async (tx) => {
        if (!(await store.findPatient(tx, orgId, id, true))) throw new NotFoundError(PATIENT_NOT_FOUND);
        const errors = await checkInput(tx, orgId, { case_load: input }, false);
        if (errors.length) throw new ValidationError(errors);
        await store.upsertCaseLoad(tx, {
          organizationId: orgId,
          patientId: id,
          providerId: input.provider_id,
          olcmUserId: input.olcm_user_id,
          ilcmUserId: input.ilcm_user_id,
        });
        return loadDetail(tx, ctx, id, 'update');
      });
    },

    /**
     * `GET .../lead_care_managers`: the clinic's active care coordinators and admins, who can be
     * OLCM or ILCM, by name, with how many members each leads.
     * @returns `{ lead_care_managers, pagination }`.
     */
    listLeadCareManagers(ctx: RequestContext, q: LeadCareManagerQueryWire) {
      const page = pageRequest(q);
      return db.transaction(async (tx) => {
        const { rows, totalCount } = await store.listLeadCareManagers(tx, ctx.actor.organizationId, page);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'user', entityIds: rows.map((r) => r.id) });
        return { lead_care_managers: rows, pagination: paginationOf(page, totalCount) };
      });
    },

    // ---- Bulk member writes for the imports feature; each runs in the caller's transaction ----

    /** The members of the organization with these `member_id`s: `{patientId, memberId, memberRecordStatus}` each. */
    membersByMemberId: (tx: Executor, organizationId: number, memberIds: string[]) => store.membersByMemberId(tx, organizationId, memberIds),

    /** Current `member_record_status` of each of `patientIds`. */
    memberStatuses: (tx: Executor, organizationId: number, patientIds: number[]) => store.memberStatuses(tx, organizationId, patientIds),

    /**
     * Creates members from import rows: patient, eligibility with `statuses[i]`, an empty case load, and the
     * first status-history entry by `by.changedBy` (`MIF Import`). `firstName` and `lastName` must be set.
     * @returns the new patient ids, in the order of `rows`.
     */
    async createMembers(tx: Executor, organizationId: number, rows: store.MemberColumns[], statuses: string[], by: StatusWriter): Promise<number[]> {
      const ids = await store.insertMembers(tx, organizationId, rows, statuses);
      await store.insertStatusHistories(tx, organizationId, ids.map((patientId, i) => ({ patientId, status: statuses[i] })), by);
      return ids;
    },

    /** Changes members from import rows (`patientIds[i]` is `rows[i]`'s member); null columns keep the stored value. */
    updateMembers: (tx: Executor, organizationId: number, patientIds: number[], rows: store.MemberColumns[]) =>
      store.updateMembers(tx, organizationId, patientIds, rows),

    /**
     * Sets members' `member_record_status` and appends a status-history entry for each, by `by.changedBy`
     * (`MIF Import`, `Authorization Import`, `Authorization Expired`). Callers pass only real changes.
     */
    setMemberStatuses: (tx: Executor, organizationId: number, changes: Array<{ patientId: number; status: string }>, by: StatusWriter) =>
      store.setMemberStatuses(tx, organizationId, changes, by),

    /**
     * Writes one member's status as `decideMemberStatus` (member-status.ts) decided it, with its history entry by `by`.
     * @returns the history entry's id.
     */
    setMemberStatus: (tx: Executor, organizationId: number, patientId: number, status: MemberRecordStatus, by: StatusWriter) =>
      store.setMemberStatus(tx, organizationId, patientId, status, by),

    /** The id of each member's latest status-history entry (a discontinuation is in force while its entry is the latest). */
    latestStatusHistoryIds: (tx: Executor, organizationId: number, patientIds: number[]) => store.latestStatusHistoryIds(tx, organizationId, patientIds),

    /** The date (in `timeZone`, YYYY-MM-DD) each of `patientIds` last had its status written. */
    lastStatusChangeDates: (tx: Executor, organizationId: number, patientIds: number[], timeZone: string) =>
      store.lastStatusChangeDates(tx, organizationId, patientIds, timeZone),
  };
}

/** Who writes a status change, recorded in the status history. */
export interface StatusWriter {
  changedBy: string;
  changedByUserId: number | null;
}

export type MemberColumns = store.MemberColumns;

export type PatientService = ReturnType<typeof createPatientService>;
