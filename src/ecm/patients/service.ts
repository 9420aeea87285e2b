/**
 * ECM Patients: list, filter, details, enrolment and updates of a clinic's
 * members (seed 001_00609966d66acc37.txt; issue "Foundation").
 *
 * Every call runs in one transaction that also writes its audit row: a list
 * records the ids it returned, a read the member it showed, a change the member
 * it changed. A change of `member_record_status` appends to the status history
 * with `changed_by` = the actor's name.
 */
import type { Db, Executor, Tx } from '../../db/pool.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { isUniqueViolation, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { toE164 } from '../../platform/phone.ts';
import type {
  CaseLoadBodyWire,
  FilterBodyWire,
  LeadCareManagerQueryWire,
  ListQueryWire,
  PatientDetailWire,
  PatientInputWire,
  SortField,
} from './schemas.ts';
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

/** Loads one member in the detail shape of seed 001, or throws NotFoundError. */
async function loadDetail(tx: Tx, organizationId: number, id: number): Promise<PatientDetailWire> {
  const row = await store.findPatient(tx, organizationId, id);
  if (!row) throw new NotFoundError(PATIENT_NOT_FOUND);
  const { patient: p, eligibility: e } = row;
  const rel = await store.findPatientRelations(tx, organizationId, id);
  const c = rel.caseLoad;
  return {
    id: p.id,
    name: `${p.firstName} ${p.lastName}`,
    first_name: p.firstName,
    last_name: p.lastName,
    date_of_birth: p.dateOfBirth,
    gender: p.gender,
    address: { street: p.addressStreet, city: p.addressCity, state: p.addressState, zip: p.addressZip },
    phone: p.phone,
    email: p.email,
    services: p.services,
    ecm_eligibility_information: {
      id: e.id,
      member_id: e.memberId,
      cin: e.cin,
      ecm_service_auth_id: e.ecmServiceAuthId,
      ecm_provider_name: e.ecmProviderName,
      ecm_npi: e.ecmNpi,
      ecm_benefit_auth_eff_date: e.ecmBenefitAuthEffDate,
      ecm_benefit_auth_end_date: e.ecmBenefitAuthEndDate,
      acuity_level: e.acuityLevel as PatientDetailWire['ecm_eligibility_information']['acuity_level'],
      member_record_status: e.memberRecordStatus as PatientDetailWire['ecm_eligibility_information']['member_record_status'],
      created_at: e.createdAt.toISOString(),
      updated_at: e.updatedAt.toISOString(),
    },
    case_load: {
      id: c.id,
      provider_id: c.provider_id,
      provider_name: c.provider_name,
      olcm_user_id: c.olcm_user_id,
      olcm_name: c.olcm_name,
      ilcm_user_id: c.ilcm_user_id,
      ilcm_name: c.ilcm_name,
    },
    ecm_authorizations: rel.authorizations.map((a) => ({
      id: a.id,
      auth_no: a.authNo,
      auth_type: a.authType,
      authorization_type: a.authorizationType,
      status: a.status,
      start_date: a.startDate,
      expiration_date: a.expirationDate,
    })),
    ecm_status_history: rel.history.map((h) => ({
      id: h.id,
      status: h.status as PatientDetailWire['ecm_status_history'][number]['status'],
      changed_at: h.changedAt.toISOString(),
      changed_by: h.changedBy,
    })),
    activities_count: p.activitiesCount,
    last_activity_at: p.lastActivityAt ? p.lastActivityAt.toISOString() : null,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
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

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createPatientService({ db }: PatientServiceDeps) {
  async function list(ctx: RequestContext, filters: store.PatientFilters, sort: store.PatientSort, q: { page?: number; per_page?: number; page_size?: number }) {
    const page = pageRequest(q);
    return db.transaction(async (tx) => {
      const { rows, totalCount } = await store.listPatients(tx, ctx.actor.organizationId, filters, sort, page);
      await recordAudit(tx, ctx, { action: 'list', entityType: 'patient', entityIds: rows.map((r) => r.id) });
      return { patients: rows.map(listItem), pagination: paginationOf(page, totalCount) };
    });
  }

  return {
    /**
     * The member `id` of the organization, for features nested under a patient (activities, events).
     * @returns `{ id, name }`.
     * @throws NotFoundError `Patient not found`.
     */
    async requirePatient(tx: Executor, organizationId: number, id: number): Promise<{ id: number; name: string }> {
      const p = await store.findPatientName(tx, organizationId, id);
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

    /** Ids of the clinic's members with this phone (E.164): inbound messages are matched on it. */
    patientIdsByPhone: (tx: Executor, organizationId: number, phone: string) => store.patientIdsByPhone(tx, organizationId, phone),

    /** The member's lead care manager `{id, name, phone}`: ILCM, else OLCM, else the clinic's first admin. */
    leadCareManager: (tx: Executor, organizationId: number, patientId: number) => store.leadCareManager(tx, organizationId, patientId),

    /** Records the member's activity count and most recent activity time (kept by the activities feature). */
    setActivityStats(tx: Executor, patientId: number, count: number, lastActivityAt: Date | null): Promise<void> {
      return store.setActivityStats(tx, patientId, count, lastActivityAt);
    },

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
      return db.transaction(async (tx) => {
        const detail = await loadDetail(tx, ctx.actor.organizationId, id);
        await recordAudit(tx, ctx, { action: 'read', entityType: 'patient', entityIds: [id] });
        return detail;
      });
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
          const status = elig.memberRecordStatus ?? 'new_member';
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
          await recordAudit(tx, ctx, { action: 'create', entityType: 'patient', entityIds: [patient.id] });
          return loadDetail(tx, orgId, patient.id);
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
          if (eCols.memberRecordStatus && eCols.memberRecordStatus !== current.eligibility.memberRecordStatus) {
            await store.insertStatusHistory(tx, {
              organizationId: orgId,
              patientId: id,
              status: eCols.memberRecordStatus,
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
          await recordAudit(tx, ctx, { action: 'update', entityType: 'patient', entityIds: [id] });
          return loadDetail(tx, orgId, id);
        });
      } catch (err) {
        if (isUniqueViolation(err, 'ecm_eligibility_org_member_id_key')) throw new ValidationError(['Member ID has already been taken']);
        throw err;
      }
    },

    /**
     * `PUT .../patients/{id}/case_load` (issue 7): sets the member's provider, OLCM and ILCM (omitted: unchanged;
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
        await recordAudit(tx, ctx, { action: 'update', entityType: 'patient', entityIds: [id] });
        return loadDetail(tx, orgId, id);
      });
    },

    /**
     * `GET .../lead_care_managers` (issue 7): the clinic's active care coordinators and admins, who can be
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

    // ---- Bulk member writes for the imports feature (issue 7); each runs in the caller's transaction ----

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
