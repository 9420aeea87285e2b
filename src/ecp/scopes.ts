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
