/**
 * ECP companies, locations and partner clients. A client's secret and Api-Key are shown once, at creation or rotation, and stored as SHA-256
 * hashes. Disabling a client stops its tokens at once (every request checks the client), and rotating the
 * secret refuses tokens issued before the rotation.
 */
import type { Db, Executor } from '../../db/pool.ts';
import { hashToken, newToken } from '../../platform/crypto.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { canonicalTimeZone } from '../../platform/time.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { ECP_SCOPES, parseScopes } from '../scopes.ts';
import { newGuid } from '../shared/ids.ts';
import { companyGuidOf } from '../webhooks/outbox.ts';
import * as store from './store.ts';

export type { LocationRow, PartnerClientRow, ReachableLocation } from './store.ts';

export interface ClientCredentials {
  client_id: string;
  client_secret: string;
  client_secret_base64: string;
  api_key: string;
  /** The company's GUID, as partners see it (`companyId` of every webhook payload). */
  companyId: string;
  /** The company's internal organization id: for the server's own callers, never printed (`printableCredentials`). */
  company_id: number;
  locations: Array<{ locationId: string; name: string }>;
}

/**
 * What an operator is shown of new credentials (`care ecp clients create`, `care demo`): the client's ids, secret
 * and key, the company GUID (`companyId`) and the location GUIDs; never an internal row id, which no partner
 * message carries.
 */
export function printableCredentials(c: ClientCredentials): Omit<ClientCredentials, 'company_id'> {
  const { company_id: _internal, ...shown } = c;
  return shown;
}

/**
 * A client's JWK Set for `private_key_jwt` (RFC 7517; SMART Backend Services): `{keys: [...]}` of public RSA or EC
 * keys, each with its `kid`, no private parts.
 * @returns the set as given. @throws ValidationError naming the problem.
 */
export function checkJwks(jwks: unknown): { keys: Array<Record<string, unknown>> } {
  const keys = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new ValidationError(['The JWKS must be a JSON object with a non-empty "keys" array']);
  keys.forEach((k: Record<string, unknown>, i) => {
    if (typeof k !== 'object' || k === null || !['RSA', 'EC'].includes(String(k.kty))) throw new ValidationError([`JWKS key ${i + 1}: kty must be RSA or EC`]);
    if ('d' in k || 'p' in k || 'q' in k) throw new ValidationError([`JWKS key ${i + 1} holds a private key; register the public key only`]);
    if (typeof k.kid !== 'string' || !k.kid) throw new ValidationError([`JWKS key ${i + 1}: kid is required`]);
  });
  return { keys };
}

export function createPartnerClientService({ db, identity }: { db: Db; identity: IdentityService }) {
  return {
    /**
     * Creates a partner client of `company` (the company and its named locations are created when missing).
     * @param scopes space- or comma-separated; default every scope.
     * @param opts.jwks the client's public keys (JWK Set) for `private_key_jwt` at `/token`.
     * @returns the credentials, the secret and key in clear this once.
     * @throws ValidationError for an unknown scope or no location.
     */
    async createClient(company: string, locationNames: string[], scopes?: string, opts: { jwks?: unknown } = {}): Promise<ClientCredentials> {
      const jwks = opts.jwks === undefined ? null : checkJwks(opts.jwks);
      const wanted = scopes ? parseScopes(scopes.replace(/,/g, ' ')) : [...ECP_SCOPES];
      const unknown = wanted.filter((s) => !(ECP_SCOPES as readonly string[]).includes(s));
      if (unknown.length) throw new ValidationError([`Unknown scope: ${unknown.join(', ')} (known: ${ECP_SCOPES.join(', ')})`]);
      const names = [...new Set(locationNames.map((n) => n.trim()).filter(Boolean))];
      if (names.length === 0) throw new ValidationError(['At least one location is required']);
      const org = await identity.ensureOrganization(company.trim(), { kind: 'ecp_company' });
      const secret = newToken();
      const apiKey = newToken();
      return db.transaction(async (tx) => {
        const locations = [];
        for (const name of names) locations.push(await store.ensureLocation(tx, org.id, name, newGuid()));
        const client = await store.insertClient(tx, {
          organizationId: org.id,
          clientId: newGuid(),
          secretHash: hashToken(secret),
          apiKeyHash: hashToken(apiKey),
          scopes: wanted,
          locationIds: locations.map((l) => l.id),
          jwks,
          // Every token of a new client is valid (the database clock could be ahead of this process's).
          tokensValidAfter: new Date(0),
        });
        return {
          client_id: client.clientId,
          client_secret: secret,
          client_secret_base64: Buffer.from(secret, 'utf8').toString('base64'),
          api_key: apiKey,
          companyId: await companyGuidOf(tx, org.id),
          company_id: org.id,
          locations: locations.map((l) => ({ locationId: l.guid, name: l.name })),
        };
      });
    },

    /** Disables (or re-enables) a client; its tokens stop working at once. @throws NotFoundError. */
    async setDisabled(clientId: string, disabled: boolean) {
      const now = new Date();
      const row = await store.updateClient(db, clientId.toUpperCase(), disabled ? { disabledAt: now } : { disabledAt: null, tokensValidAfter: now });
      if (!row) throw new NotFoundError(`No partner client ${clientId}`);
      return row;
    },

    /** Issues a new secret; tokens issued before are refused. @returns the secret in clear and base64. */
    async rotateSecret(clientId: string) {
      const secret = newToken();
      const row = await store.updateClient(db, clientId.toUpperCase(), { secretHash: hashToken(secret), tokensValidAfter: new Date() });
      if (!row) throw new NotFoundError(`No partner client ${clientId}`);
      return { client_id: row.clientId, client_secret: secret, client_secret_base64: Buffer.from(secret).toString('base64') };
    },

    /** Registers (or replaces) the client's JWK Set for `private_key_jwt`. @throws ValidationError a bad set; NotFoundError. */
    async setJwks(clientId: string, jwks: unknown) {
      const row = await store.updateClient(db, clientId.toUpperCase(), { jwks: checkJwks(jwks) });
      if (!row) throw new NotFoundError(`No partner client ${clientId}`);
      return { client_id: row.clientId, keys: (row.jwks as { keys: unknown[] }).keys.length };
    },

    /** Issues a new Api-Key; the old one stops working at once. */
    async rotateApiKey(clientId: string) {
      const apiKey = newToken();
      const row = await store.updateClient(db, clientId.toUpperCase(), { apiKeyHash: hashToken(apiKey) });
      if (!row) throw new NotFoundError(`No partner client ${clientId}`);
      return { client_id: row.clientId, api_key: apiKey };
    },

    /** The GUID (`companyId`) of the company `organizationId`, created on first use. */
    companyGuid: (organizationId: number) => db.transaction((tx) => companyGuidOf(tx, organizationId)),

    /**
     * Sets the time zone of the location whose GUID is `locationId`: the IANA zone its offset-less request
     * timestamps are read in (ARCHITECTURE.md, "Time zones"); stored under its canonical name (`america/chicago`
     * and `US/Central` give `America/Chicago`).
     * `null`: the location follows its company's zone again.
     * @returns `{locationId, name, timeZone}`.
     * @throws ValidationError for a name the runtime's IANA tz data does not know; NotFoundError for no such location.
     */
    async setLocationTimeZone(locationId: string, timeZone: string | null) {
      const zone = timeZone === null ? null : canonicalTimeZone(timeZone) ?? null;
      if (timeZone !== null && !zone) {
        throw new ValidationError([`"${timeZone}" is not an IANA time zone name; give one such as America/Chicago or America/Los_Angeles`]);
      }
      const row = await store.updateLocationTimeZone(db, locationId.trim().toUpperCase(), zone);
      if (!row) throw new NotFoundError(`No location ${locationId}`);
      return { locationId: row.guid, name: row.name, timeZone: zone };
    },

    findByClientId: (clientId: string) => store.findClientByClientId(db, clientId.toUpperCase()),
    /** The client of this Api-Key with the locations it reaches (by name), in one statement; undefined when none. */
    authenticate: (apiKey: string) => store.findAuthenticatingClient(db, hashToken(apiKey)),
    locationsOf: (client: store.PartnerClientRow) => store.locationsByIds(db, client.locationIds),
  };
}

export type PartnerClientService = ReturnType<typeof createPartnerClientService>;

/** The location `locationId` (GUID, case-insensitive) of any company, for operator commands. @returns undefined when none. */
export function findLocationByGuid(db: Executor, locationId: string) {
  return store.locationByGuid(db, locationId.trim().toUpperCase());
}

/**
 * The locations with these row ids (any company; none for an empty list), by name, read with `db` (or a caller's
 * transaction): how other ECP features turn stored location ids into GUIDs.
 */
export function findLocationsById(db: Executor, ids: number[]) {
  return store.locationsByIds(db, ids);
}

/** The first partner client (by id) of company `organizationId`, read with `db`; undefined when it has none. */
export function clientOfCompany(db: Executor, organizationId: number) {
  return store.clientOfCompany(db, organizationId);
}

/** The locations of company `organizationId`, in the order they were created, read with `db`. */
export function companyLocations(db: Executor, organizationId: number) {
  return store.locationsOfCompany(db, organizationId);
}

/** The partner client `clientId` (as stored: upper case), read with `tx`; undefined when none. */
export function clientByClientId(tx: Executor, clientId: string) {
  return store.findClientByClientId(tx, clientId);
}
