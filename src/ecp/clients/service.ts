/**
 * ECP companies, locations and partner clients. A client's secret and Api-Key are shown once, at creation or rotation, and stored as SHA-256
 * hashes. Disabling a client stops its tokens at once (every request checks the client), and rotating the
 * secret refuses tokens issued before the rotation.
 */
import { importJWK, type JWK } from 'jose';
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

/** Bounds of a registered JWK Set: its JSON text, and its keys. */
export const JWKS_MAX_BYTES = 16 * 1024;
export const JWKS_MAX_KEYS = 10;
/** The signing algorithms a client assertion may use (SMART Backend Services), one per key type. */
const JWK_ALGORITHM: Record<string, 'RS384' | 'ES384'> = { RSA: 'RS384', EC: 'ES384' };
/** Private or symmetric members no public JWK carries (RFC 7518 sections 6.2.2, 6.3.2, 6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The bit length of a base64url RSA modulus (leading zero bits aside). */
function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  const first = bytes.findIndex((b) => b !== 0);
  return first < 0 ? 0 : (bytes.length - first - 1) * 8 + bytes[first].toString(2).length;
}

/**
 * A client's JWK Set for `private_key_jwt` (RFC 7517; SMART Backend Services): `{keys: [...]}` of 1 to 10 public
 * keys, at most 16 KB of JSON, each with a distinct `kid`: RSA keys of at least 2048 bits for RS384 or EC P-384 keys
 * for ES384 (an `alg` member, when given, must be that one; `use`, when given, `sig`). Each key is imported with
 * `jose` (`importJWK`), so a set the token endpoint could not use is refused here. The CLI (`--jwks`, `set-jwks`)
 * and the community workspace's Integrations page both register through it.
 * @returns the set as given. @throws ValidationError naming the problem (one sentence).
 */
export async function checkJwks(jwks: unknown): Promise<{ keys: Array<Record<string, unknown>> }> {
  const text = JSON.stringify(jwks ?? null);
  if (Buffer.byteLength(text, 'utf8') > JWKS_MAX_BYTES) throw new ValidationError([`The JWKS is too large (at most ${JWKS_MAX_BYTES / 1024} KB)`]);
  const keys = (jwks as { keys?: unknown })?.keys;
  if (typeof jwks !== 'object' || jwks === null || Array.isArray(jwks) || !Array.isArray(keys) || keys.length === 0) {
    throw new ValidationError(['The JWKS must be a JSON object with a non-empty "keys" array']);
  }
  if (keys.length > JWKS_MAX_KEYS) throw new ValidationError([`The JWKS holds ${keys.length} keys (at most ${JWKS_MAX_KEYS})`]);
  const kids = new Set<string>();
  for (const [i, k] of (keys as unknown[]).entries()) {
    const n = i + 1;
    if (typeof k !== 'object' || k === null || Array.isArray(k)) throw new ValidationError([`JWKS key ${n} is not a JSON object`]);
    const key = k as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((m) => m in key)) throw new ValidationError([`JWKS key ${n} holds a private key; register the public key only`]);
    const alg = JWK_ALGORITHM[String(key.kty)];
    if (!alg) throw new ValidationError([`JWKS key ${n}: kty must be RSA or EC`]);
    if (typeof key.kid !== 'string' || !key.kid || key.kid.length > 200) throw new ValidationError([`JWKS key ${n}: kid is required (at most 200 characters)`]);
    if (kids.has(key.kid)) throw new ValidationError([`JWKS key ${n}: kid ${key.kid} is used twice`]);
    kids.add(key.kid);
    if (key.alg !== undefined && key.alg !== alg) throw new ValidationError([`JWKS key ${n}: alg must be ${alg} for a ${String(key.kty)} key (RS384 or ES384)`]);
    if (key.use !== undefined && key.use !== 'sig') throw new ValidationError([`JWKS key ${n}: use must be sig`]);
    if (key.kty === 'EC' && key.crv !== 'P-384') throw new ValidationError([`JWKS key ${n}: an EC key must be on curve P-384 (ES384)`]);
    const members = key.kty === 'RSA' ? ['n', 'e'] : ['x', 'y'];
    if (members.some((m) => typeof key[m] !== 'string' || !/^[A-Za-z0-9_-]+$/.test(key[m] as string))) {
      throw new ValidationError([`JWKS key ${n} is not a valid ${String(key.kty)} public key`]);
    }
    if (key.kty === 'RSA' && rsaModulusBits(key.n as string) < 2048) throw new ValidationError([`JWKS key ${n}: an RSA key must have at least 2048 bits`]);
    try {
      await importJWK(key as JWK, alg);
    } catch {
      throw new ValidationError([`JWKS key ${n} is not a valid ${String(key.kty)} public key`]);
    }
  }
  return { keys: keys as Array<Record<string, unknown>> };
}

/** What the community workspace shows of a partner client: never a secret or key, only whether keys are registered. */
export interface ClientSummary {
  clientId: string;
  scopes: string[];
  locations: Array<{ locationId: string; name: string }>;
  enabled: boolean;
  /** The `kid`s of the registered JWK Set (empty: secret only). */
  jwksKeyIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

function summaryOf(row: store.PartnerClientRow, locations: store.LocationRow[]): ClientSummary {
  const keys = (row.jwks as { keys?: Array<{ kid?: unknown }> } | null)?.keys ?? [];
  return {
    clientId: row.clientId,
    scopes: row.scopes,
    locations: row.locationIds.map((id) => locations.find((l) => l.id === id)).filter((l) => l !== undefined).map((l) => ({ locationId: l.guid, name: l.name })),
    enabled: row.disabledAt === null,
    jwksKeyIds: keys.map((k) => String(k.kid)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The scopes of `scopes` (space- or comma-separated; default every scope). @throws ValidationError for an unknown one. */
function wantedScopes(scopes: string | undefined): string[] {
  const wanted = scopes ? parseScopes(scopes.replace(/,/g, ' ')) : [...ECP_SCOPES];
  const unknown = wanted.filter((s) => !(ECP_SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw new ValidationError([`Unknown scope: ${unknown.join(', ')} (known: ${ECP_SCOPES.join(', ')})`]);
  if (wanted.length === 0) throw new ValidationError(['At least one scope is required']);
  return wanted;
}

export function createPartnerClientService({ db, identity }: { db: Db; identity: IdentityService }) {
  /** Inserts a client with a fresh secret and Api-Key (stored as SHA-256 hashes) inside `tx`. @returns them in clear. */
  async function insertWithCredentials(tx: Executor, organizationId: number, locations: store.LocationRow[], scopes: string[], jwks: unknown): Promise<ClientCredentials> {
    const secret = newToken();
    const apiKey = newToken();
    const client = await store.insertClient(tx, {
      organizationId,
      clientId: newGuid(),
      secretHash: hashToken(secret),
      apiKeyHash: hashToken(apiKey),
      scopes,
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
      companyId: await companyGuidOf(tx, organizationId),
      company_id: organizationId,
      locations: locations.map((l) => ({ locationId: l.guid, name: l.name })),
    };
  }

  return {
    /**
     * Creates a partner client of `company` (the company and its named locations are created when missing).
     * @param scopes space- or comma-separated; default every scope.
     * @param opts.jwks the client's public keys (JWK Set) for `private_key_jwt` at `/token`.
     * @returns the credentials, the secret and key in clear this once.
     * @throws ValidationError for an unknown scope or no location.
     */
    async createClient(company: string, locationNames: string[], scopes?: string, opts: { jwks?: unknown } = {}): Promise<ClientCredentials> {
      const jwks = opts.jwks === undefined ? null : await checkJwks(opts.jwks);
      const wanted = wantedScopes(scopes);
      const names = [...new Set(locationNames.map((n) => n.trim()).filter(Boolean))];
      if (names.length === 0) throw new ValidationError(['At least one location is required']);
      const org = await identity.ensureOrganization(company.trim(), { kind: 'ecp_company' });
      return db.transaction(async (tx) => {
        const locations = [];
        for (const name of names) locations.push(await store.ensureLocation(tx, org.id, name, newGuid()));
        return insertWithCredentials(tx, org.id, locations, wanted, jwks);
      });
    },

    /**
     * Creates a partner client of company `organizationId` at its existing locations `locationIds` (row ids, checked by
     * the caller), for the community workspace's Integrations page.
     * @param scopes space- or comma-separated; default every scope.
     * @returns the credentials (secret and key in clear this once) and the client as the workspace shows it.
     * @throws ValidationError for an unknown scope, no location, or a bad JWK Set.
     */
    async createCompanyClient(organizationId: number, locationIds: number[], scopes?: string, opts: { jwks?: unknown } = {}) {
      const jwks = opts.jwks === undefined || opts.jwks === null ? null : await checkJwks(opts.jwks);
      const wanted = wantedScopes(scopes);
      if (locationIds.length === 0) throw new ValidationError(['At least one location is required']);
      return db.transaction(async (tx) => {
        const locations = (await store.locationsOfCompany(tx, organizationId)).filter((l) => locationIds.includes(l.id));
        if (locations.length !== new Set(locationIds).size) throw new NotFoundError('Location not found');
        const credentials = await insertWithCredentials(tx, organizationId, locations, wanted, jwks);
        const row = await store.findClientByClientId(tx, credentials.client_id);
        return { credentials, client: summaryOf(row!, locations) };
      });
    },

    /** The partner clients of company `organizationId`, oldest first, as the workspace shows them. */
    async companyClients(organizationId: number): Promise<ClientSummary[]> {
      const [rows, locations] = await Promise.all([store.clientsOfCompany(db, organizationId), store.locationsOfCompany(db, organizationId)]);
      return rows.map((r) => summaryOf(r, locations));
    },

    /** The client `clientId` of company `organizationId` as the workspace shows it; undefined for none (or another company's). */
    async companyClient(organizationId: number, clientId: string): Promise<ClientSummary | undefined> {
      const row = await store.findClientByClientId(db, clientId.trim().toUpperCase());
      if (!row || row.organizationId !== organizationId) return undefined;
      return summaryOf(row, await store.locationsOfCompany(db, organizationId));
    },

    /**
     * Changes a client's scopes and/or locations (row ids of its company's locations, checked by the caller). Takes
     * effect at the client's next request (authentication reads them); tokens already issued keep their scopes.
     * @throws ValidationError for an unknown scope or no location; NotFoundError.
     */
    async setGrants(clientId: string, grants: { scopes?: string; locationIds?: number[] }) {
      const values: Partial<store.PartnerClientRow> = {};
      if (grants.scopes !== undefined) values.scopes = wantedScopes(grants.scopes);
      if (grants.locationIds !== undefined) {
        if (grants.locationIds.length === 0) throw new ValidationError(['At least one location is required']);
        values.locationIds = [...new Set(grants.locationIds)];
      }
      const row = await store.updateClient(db, clientId.toUpperCase(), values);
      if (!row) throw new NotFoundError(`No partner client ${clientId}`);
      return row;
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
      const row = await store.updateClient(db, clientId.toUpperCase(), { jwks: await checkJwks(jwks) });
      if (!row) throw new NotFoundError(`No partner client ${clientId}`);
      return { client_id: row.clientId, keys: (row.jwks as { keys: unknown[] }).keys.length };
    },

    /** Removes the client's JWK Set: it authenticates with its secret only. @throws NotFoundError. */
    async clearJwks(clientId: string) {
      const row = await store.updateClient(db, clientId.toUpperCase(), { jwks: null });
      if (!row) throw new NotFoundError(`No partner client ${clientId}`);
      return row;
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
