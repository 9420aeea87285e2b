/**
 * The Resident File's Diagnoses tab of the community workspace: list, add (an ICD-10-CM code picked from the loaded
 * code set, checked by the codes service: a category header or an unknown code is 422 with its message) and remove
 * a resident's diagnoses, recorded as the signed-in user. Reuses the ECP diagnoses and codes services; this file adds
 * only what the workspace door decides: another company's resident or diagnosis, or one at a location outside the
 * user's `locationsAllowed`, is 404; a discharged resident's diagnoses are read-only (422). Seed 000 names no webhook
 * event for diagnoses, so none is fired.
 */
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { ecpTimestamp } from '../../platform/time.ts';
import type { Icd10cmService } from '../codes/service.ts';
import type { DiagnosisService, ResidentDiagnosisRow } from '../diagnoses/service.ts';
import type { ResidentService, ResidentWithLocation } from '../residents/service.ts';
import type { CommunityActor } from './service.ts';

type Ctx = RequestContext<CommunityActor>;

/** A diagnosis as the Diagnoses tab shows it (`CommunityDiagnosis`). */
function diagnosisObject(d: ResidentDiagnosisRow) {
  return {
    diagnosisId: d.guid, code: d.code, description: d.diagnosis, comment: d.comment, timestamp: ecpTimestamp(d.recordedAt),
    recordedBy: { loginName: d.loginName, firstName: d.firstName, lastName: d.lastName },
  };
}

export function createCommunityDiagnosisService({ residents, diagnoses, codes }: { residents: ResidentService; diagnoses: DiagnosisService; codes: Icd10cmService }) {
  /** @throws NotFoundError `Resident not found` (also another company's, or at a location outside locationsAllowed). */
  async function find(ctx: Ctx, residentId: string): Promise<ResidentWithLocation> {
    const found = await residents.findResident(ctx.actor, residentId);
    if (!found) throw new NotFoundError('Resident not found');
    return found;
  }

  async function changeable(ctx: Ctx, residentId: string): Promise<ResidentWithLocation> {
    const found = await find(ctx, residentId);
    if (found.r.dischargedAt) throw new ValidationError(['This resident is discharged; reactivate the resident first']);
    return found;
  }

  return {
    /**
     * The Diagnoses tab: newest first, and the time zone of the resident's location (times are shown in it); audited
     * (`read`). @throws NotFoundError `Resident not found`.
     */
    async list(ctx: Ctx, residentId: string) {
      const resident = await find(ctx, residentId);
      const timeZone = ctx.actor.locations.find((l) => l.id === resident.r.locationId)?.zone ?? 'UTC';
      return { diagnoses: (await diagnoses.residentDiagnoses(ctx, resident.r)).map(diagnosisObject), timeZone };
    },

    /**
     * Add a diagnosis with a billable ICD-10-CM code, recorded by the signed-in user at the resident's location.
     * @returns the stored diagnosis.
     * @throws NotFoundError `Resident not found`; ValidationError discharged resident, the codes service's message
     *   (`code E11 (Type 2 diabetes mellitus) is a category header, not a billable ICD-10-CM code (FY2026): ...`).
     */
    async create(ctx: Ctx, residentId: string, input: { code: string; comment?: string | null; timestamp?: string }) {
      const resident = await changeable(ctx, residentId);
      const location = ctx.actor.locations.find((l) => l.id === resident.r.locationId);
      if (!location) throw new NotFoundError('Resident not found');
      const guid = await diagnoses.recordForResident(ctx, { resident: resident.r, location, userId: ctx.actor.userId }, input);
      const stored = (await diagnoses.residentDiagnoses(ctx, resident.r, false)).find((d) => d.guid === guid);
      if (!stored) throw new Error(`diagnosis ${guid} vanished after it was recorded`);
      return diagnosisObject(stored);
    },

    /** Remove a diagnosis (audited `delete`). @throws NotFoundError `Resident not found`, `Diagnosis not found`; ValidationError discharged. */
    async remove(ctx: Ctx, residentId: string, diagnosisId: string): Promise<void> {
      const resident = await changeable(ctx, residentId);
      await diagnoses.removeResidentDiagnosis(ctx, resident.r, diagnosisId);
    },

    /** The ICD-10-CM picker: the latest loaded code set by code prefix or description words (reference data: no audit). */
    async searchCodes(text: string, limit: number) {
      const found = await codes.search(text, limit);
      return { fiscalYear: found.fiscalYear, codes: found.data };
    },
  };
}

export type CommunityDiagnosisService = ReturnType<typeof createCommunityDiagnosisService>;
