/**
 * The resident objects of seed 000 ("resident Object", "diet Object", "levelOfCare Object", "allergy Object") built
 * from stored rows, keys as in the seed's samples and absent optional values as `null`; `livingWill` is always a
 * boolean, `gender` is null when never given (docs/decisions.md, the one exception to "Always Specified"). Used by
 * `GET /clinical/v1/resident` and by the webhook payloads, so a partner sees one shape everywhere.
 * `codeStatus` "DNR" is shown as "DNR (Do Not Resuscitate)" (ARCHITECTURE.md "Decisions"); dates are `YYYY-MM-DD`;
 * instants ISO 8601 UTC with milliseconds and `+00:00`.
 */
import { ecpTimestamp } from '../../platform/time.ts';
import type { ResidentRow as Resident } from './store.ts';

/** Stored code status → the seed's payload value. */
export const codeStatusOut = (v: string | null) => (v === 'DNR' ? 'DNR (Do Not Resuscitate)' : v);

/** Seed 000 resident object. */
export function residentObject(r: Resident) {
  return {
    building: r.building,
    careType: r.careType,
    codeStatus: codeStatusOut(r.codeStatus),
    dateOfBirth: r.dateOfBirth,
    email: r.email,
    externalIds: (r.externalIds ?? {}) as Record<string, string>,
    firstName: r.firstName,
    gender: r.gender,
    lastName: r.lastName,
    livingWill: r.livingWill ?? false,
    middleName: r.middleName,
    nickname: r.nickname,
    otherAdvancedDirectives: r.otherAdvancedDirectives,
    phone: r.phone,
    residentId: r.guid,
    room: r.room,
    status: r.status,
    statusDescription: r.statusDescription,
    suffix: r.suffix,
  };
}

/** Seed 000 diet object. */
export function dietObject(r: Resident) {
  return {
    dietPlans: r.dietPlans,
    fluidConsistency: r.fluidConsistency,
    foodTexture: r.foodTexture,
    residentId: r.guid,
    specialDietOrders: r.specialDietOrders,
  };
}

/** Seed 000 levelOfCare object (`amount` in dollars, a number). */
export function levelOfCareObject(r: Resident) {
  return {
    amount: r.levelOfCareAmount === null ? null : Number(r.levelOfCareAmount),
    amountFrequency: r.levelOfCareAmountFrequency,
    effectiveTimestamp: r.levelOfCareEffectiveAt ? ecpTimestamp(r.levelOfCareEffectiveAt) : null,
    name: r.levelOfCareName,
    residentId: r.guid,
  };
}

