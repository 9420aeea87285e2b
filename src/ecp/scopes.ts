/** The OAuth2 scopes of the ECP API (seed 000, "Scope Required" of each endpoint; the webhook scopes are the platform's). */
export const ECP_SCOPES = [
  'location.read',
  'resident.read',
  'resident.write',
  'contact.write',
  'vital.read',
  'vital.write',
  'allergy.read',
  'allergy.write',
  'diagnosis.read',
  'diagnosis.write',
  'user.read',
  'user.write',
  'webhook.read',
  'webhook.write',
] as const;
export type EcpScope = (typeof ECP_SCOPES)[number];

/** Splits an RFC 6749 scope string (space-delimited, section 3.3) into distinct scopes. */
export function parseScopes(scope: string | undefined | null): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))];
}

/**
 * The FHIR resource types of the FHIR door and the ECP read scope whose data each shows: a SMART v2 system scope
 * for a type (`system/Patient.rs`) is granted to a client holding that scope.
 */
export const SMART_RESOURCE_SCOPES = {
  Patient: 'resident.read',
  Observation: 'vital.read',
  AllergyIntolerance: 'allergy.read',
  Condition: 'diagnosis.read',
  Location: 'location.read',
  Organization: 'location.read',
  Practitioner: 'user.read',
  RelatedPerson: 'resident.read',
} as const;

/** True for a SMART system scope (`system/<Type|*>.<permissions>`; SMART App Launch 2.0 scopes, v1 `.read` too). */
export function isSmartScope(scope: string): boolean {
  return scope.startsWith('system/');
}

/**
 * What a SMART system scope narrows to for a client holding `held` (SMART: "the server may grant fewer scopes than
 * requested"): `system/<Type>.rs` for each resource type the scope names whose ECP read scope the client holds, read
 * and search being all the FHIR door does (`.cruds`, `.r`, `.read`, `.*` all narrow to `.rs`; a permission without
 * r or s narrows to nothing); `system/*` names every type. An unknown type or malformed scope narrows to nothing.
 */
export function narrowSmartScope(scope: string, held: string[]): string[] {
  const m = /^system\/([A-Za-z]+|\*)\.(read|\*|c?r?u?d?s?)$/.exec(scope);
  if (!m || m[2] === '' || !(m[2] === 'read' || m[2] === '*' || /[rs]/.test(m[2]))) return [];
  const types = m[1] === '*' ? Object.keys(SMART_RESOURCE_SCOPES) : [m[1]];
  return types.filter((t) => {
    const need = (SMART_RESOURCE_SCOPES as Record<string, string>)[t];
    return need !== undefined && held.includes(need);
  }).map((t) => `system/${t}.rs`);
}
