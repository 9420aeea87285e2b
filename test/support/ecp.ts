/**
 * ECP test helpers: partner clients, tokens from the real `/token` endpoint, and `/clinical/v1` calls with
 * both headers.
 */
import type { FastifyInstance } from 'fastify';
import type { ClientCredentials } from '../../src/ecp/clients/service.ts';
import type { TestContext } from './app.ts';

export type Partner = ClientCredentials;

export async function createPartner(t: TestContext, company: string, locations: string[], scopes?: string): Promise<Partner> {
  return t.services.partnerClients.createClient(company, locations, scopes);
}

/** A token through the seed's JSON body (`client_secret` base64). */
export async function tokenFor(app: FastifyInstance, p: Partner, scope?: string): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/token',
    payload: { grant_type: 'client_credentials', client_id: p.client_id, client_secret: p.client_secret_base64, ...(scope ? { scope } : {}) },
  });
  if (res.statusCode !== 200) throw new Error(`token: ${res.statusCode} ${res.body}`);
  return res.json().access_token;
}

/** `/clinical/v1` request with `auth-bearer` and `authorization: Api-Key`. */
export function clinical(app: FastifyInstance, creds: { token?: string; apiKey?: string }, method: string, url: string, body?: unknown) {
  return app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(creds.token ? { 'auth-bearer': `Bearer ${creds.token}` } : {}),
      ...(creds.apiKey ? { authorization: `Api-Key ${creds.apiKey}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * An ECP user (community staff) inserted directly, for tests of endpoints that name the recording user
 * (the users API has its own tests). `locationIds` are `ecp_locations.id`; default: the partner's locations.
 */
export async function insertEcpUser(t: TestContext, p: Partner, loginName: string, opts: { active?: boolean; locationGuids?: string[] } = {}) {
  const { ecpLocations, ecpUsers } = await import('../../src/db/schema.ts');
  const { inArray } = await import('drizzle-orm');
  const { newGuid } = await import('../../src/ecp/shared/ids.ts');
  const guids = opts.locationGuids ?? p.locations.map((l) => l.locationId);
  const locs = await t.database.db.select().from(ecpLocations).where(inArray(ecpLocations.guid, guids));
  const [row] = await t.database.db.insert(ecpUsers).values({
    organizationId: locs[0].organizationId,
    guid: newGuid(),
    loginName,
    firstName: loginName,
    lastName: 'Staff',
    userGroup: 'RN',
    role: 'Nursing',
    chartingInitials: loginName.slice(0, 5),
    active: opts.active ?? true,
    locationIds: locs.map((l) => l.id),
  }).returning();
  return row;
}

/** Creates a resident through the API and returns its GUID. */
export async function createResident(app: FastifyInstance, creds: { token: string; apiKey: string }, body: Record<string, unknown>): Promise<string> {
  const res = await clinical(app, creds, 'POST', '/clinical/v1/resident', body);
  if (res.statusCode !== 200) throw new Error(`resident: ${res.statusCode} ${res.body}`);
  return res.json().residentId;
}

/** An `ecp_residents` row as the webhook payload builders take it (not stored), for outbox tests. */
export function residentRow(organizationId: number, locationId: number, guid: string) {
  return {
    id: 0, organizationId, locationId, guid, firstName: 'Ada', lastName: 'Test', middleName: null, nickname: null, suffix: null,
    dateOfBirth: '1940-03-01', gender: 'Female', email: null, phone: null, building: null, room: '12', codeStatus: 'Full Code', livingWill: false,
    otherAdvancedDirectives: null, moveInDate: null, status: 'Active', statusDescription: 'Active Resident', externalIds: {}, careType: 'Assisted Living',
    dietPlans: [], foodTexture: null, fluidConsistency: null, specialDietOrders: [], levelOfCareName: null, levelOfCareAmount: null,
    levelOfCareAmountFrequency: null, levelOfCareEffectiveAt: null, dischargedAt: null, createdAt: new Date(), updatedAt: new Date(),
  };
}

/** A request to the community door (`/v1/community/...`) as the user holding `token` (`X-User-Token`), JSON body when given. */
export function community(app: FastifyInstance, token: string, method: string, url: string, body?: unknown) {
  return app.inject({
    method: method as 'GET', url,
    headers: { 'x-user-token': token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}
