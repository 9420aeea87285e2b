import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { auditEvents, ecpUserGroups, ecpUsers } from '../../src/db/schema.ts';
import { generateChartingInitials } from '../../src/ecp/users/service.ts';
import { CELL_CARRIERS, ROLES } from '../../src/ecp/users/schemas.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, tokenFor, type Partner } from '../support/ecp.ts';

let t: TestContext;
/** Evergreen: reaches Assisted Living, Memory Care and Independent Living. */
let p: Partner;
/** Evergreen too, but reaches Assisted Living and Memory Care only. */
let p2: Partner;
/** Evergreen, Independent Living only. */
let p3: Partner;
/** Another company. */
let other: Partner;
let creds: { token: string; apiKey: string };
let creds2: { token: string; apiKey: string };
let creds3: { token: string; apiKey: string };
let otherCreds: { token: string; apiKey: string };

const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** A user with every documented field (the seed has no example body; values from the webhook user.create sample). */
const fullUser = (overrides: Record<string, unknown> = {}) => ({
  loginName: 'jbaum',
  location: [p.locations[0].locationId, p.locations[1].name],
  firstName: 'James',
  lastName: 'Baum',
  active: true,
  viewAllResidents: true,
  userGroup: 'RN',
  role: 'Nursing',
  systemAdmin: false,
  chartingInitials: 'JBm',
  title: 'VP of Clinical Services',
  address: '123 Main St.',
  cityStateZip: 'Elkhorn, WI 53121',
  phone: '555-555-5555',
  cellphone: '555-555-5566',
  cellCarrier: 'Verizon',
  pager: '555-555-5577',
  email: 'james@james.com',
  ...overrides,
});

/** The required fields only. */
const minimalUser = (loginName: string, overrides: Record<string, unknown> = {}) => ({
  loginName, location: [p.locations[0].locationId], firstName: 'Pat', lastName: 'Quinn', userGroup: 'RN', role: 'Caregiver', ...overrides,
});

const post = (body: unknown, c = creds) => clinical(t.app, c, 'POST', '/clinical/v1/user', body);
const put = (body: unknown, c = creds) => clinical(t.app, c, 'PUT', '/clinical/v1/user', body);
const get = (loginName: string, c = creds) => clinical(t.app, c, 'GET', `/clinical/v1/user?loginName=${encodeURIComponent(loginName)}`);
const rowOf = async (guid: string) => (await t.database.db.select().from(ecpUsers).where(eq(ecpUsers.guid, guid)))[0];

/** POSTs and expects success; returns the userId. */
async function created(body: unknown, c = creds): Promise<string> {
  const res = await post(body, c);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().userId;
}

beforeAll(async () => {
  t = await createTestContext();
  p = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living', 'Evergreen Memory Care', 'Evergreen Independent Living']);
  p2 = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living', 'Evergreen Memory Care']);
  p3 = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Independent Living']);
  other = await createPartner(t, 'Sunset Homes', ['Sunset Villa']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  creds2 = { token: await tokenFor(t.app, p2), apiKey: p2.api_key };
  creds3 = { token: await tokenFor(t.app, p3), apiKey: p3.api_key };
  otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
});
afterAll(() => t.close());

describe('generateChartingInitials', () => {
  it.each([
    ['James', 'Baum', [], 'JaBa'],
    ['JAMES', 'baum', [], 'JaBa'],
    ['James', 'Baum', ['jaba'], 'JaBa2'],
    ['James', 'Baum', ['jaba', 'jaba2', 'jaba3', 'jaba4', 'jaba5', 'jaba6', 'jaba7', 'jaba8', 'jaba9'], 'JaB10'],
    ['Jo', "O'Neil", [], 'JoOn'],
    ['J', 'B', [], 'JB'],
    ['Émile', 'Zola', [], 'ÉmZo'],
  ])('%s %s with %j taken gives %s', (first, last, taken, expected) => {
    expect(generateChartingInitials(first, last, new Set(taken))).toBe(expected);
  });
});

describe('POST /clinical/v1/user', () => {
  it('creates a user with every documented field and GET returns them all', async () => {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/user/', fullUser());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'Success', userId: expect.stringMatching(GUID) });
    const userId = res.json().userId;

    const read = await get('jbaum');
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toEqual({
      result: 'Success', userId, loginName: 'jbaum', location: [p.locations[0].locationId, p.locations[1].locationId],
      firstName: 'James', lastName: 'Baum', active: true, viewAllResidents: true, userGroup: 'RN', role: 'Nursing', systemAdmin: false,
      chartingInitials: 'JBm', title: 'VP of Clinical Services', address: '123 Main St.', cityStateZip: 'Elkhorn, WI 53121',
      phone: '555-555-5555', cellphone: '555-555-5566', cellCarrier: 'Verizon', pager: '555-555-5577', email: 'james@james.com',
    });
    expect(await rowOf(userId)).toMatchObject({ organizationId: p.company_id, deactivatedAt: null });
  });

  it('defaults active true, viewAllResidents and systemAdmin false, and answers null for absent optional fields', async () => {
    await created(minimalUser('minimal'));
    const read = (await get('minimal')).json();
    expect(read).toMatchObject({ active: true, viewAllResidents: false, systemAdmin: false, chartingInitials: 'PaQu' });
    for (const f of ['title', 'address', 'cityStateZip', 'phone', 'cellphone', 'cellCarrier', 'pager', 'email']) expect(read[f]).toBeNull();
  });

  it('generates "JaBa" for James Baum and keeps initials unique with a digit suffix', async () => {
    const first = await created(fullUser({ loginName: 'james.baum', chartingInitials: undefined }));
    const second = await created(fullUser({ loginName: 'james.baum2', chartingInitials: undefined }));
    const third = await created(fullUser({ loginName: 'james.baum3', chartingInitials: '' }));
    expect((await rowOf(first)).chartingInitials).toBe('JaBa');
    expect((await rowOf(second)).chartingInitials).toBe('JaBa2');
    expect((await rowOf(third)).chartingInitials).toBe('JaBa3');
  });

  it('refuses given chartingInitials already used in the company, case-insensitively', async () => {
    const res = await post(fullUser({ loginName: 'dup.initials', chartingInitials: 'jbm' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ result: 'Error', error: 'chartingInitials jbm is already used by another user of this company' });
  });

  it('refuses a loginName already taken in the company, case-insensitively, but not in another company', async () => {
    const res = await post(fullUser({ loginName: 'JBAUM', chartingInitials: 'X1' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ result: 'Error', error: 'loginName JBAUM is already taken' });
    await created(fullUser({ loginName: 'jbaum', location: [other.locations[0].locationId] }), otherCreds);
  });

  it('names every missing required field', async () => {
    const res = await post({});
    expect(res.statusCode).toBe(400);
    for (const f of ['loginName', 'location', 'firstName', 'lastName', 'userGroup', 'role']) expect(res.json().error).toContain(`${f} is required`);
    const blank = await post(minimalUser('  ', { firstName: ' ' }));
    expect(blank.json()).toEqual({ result: 'Error', error: 'loginName is required; firstName is required' });
    const none = await post(minimalUser('no.location', { location: [] }));
    expect(none.json()).toEqual({ result: 'Error', error: 'location must name at least one location' });
  });

  it('names the field of a value over its documented length', async () => {
    const cases: Array<[string, number, number]> = [
      ['loginName', 26, 25], ['firstName', 31, 30], ['lastName', 31, 30], ['chartingInitials', 6, 5], ['title', 51, 50], ['address', 51, 50],
      ['cityStateZip', 51, 50], ['phone', 17, 16], ['cellphone', 17, 16], ['pager', 17, 16], ['email', 151, 150],
    ];
    for (const [field, length, max] of cases) {
      const res = await post(minimalUser('too.long', { [field]: 'x'.repeat(length) }));
      expect(res.statusCode, field).toBe(400);
      expect(res.json(), field).toEqual({ result: 'Error', error: `${field} must be at most ${max} characters` });
    }
    const loc = await post(minimalUser('too.long', { location: ['x'.repeat(61)] }));
    expect(loc.json().error).toBe('location.0 must be at most 60 characters');
  });

  it('refuses a role, cellCarrier or userGroup outside the allowed values, listing them', async () => {
    const role = await post(minimalUser('bad.role', { role: 'Nurse' }));
    expect(role.json()).toEqual({ result: 'Error', error: `role must be one of: ${ROLES.join(', ')}` });
    const carrier = await post(minimalUser('bad.carrier', { cellCarrier: 'T-Mobile' }));
    expect(carrier.json()).toEqual({ result: 'Error', error: `cellCarrier must be one of: ${CELL_CARRIERS.join(', ')}` });
    const group = await post(minimalUser('bad.group', { userGroup: 'rn' }));
    expect(group.json()).toEqual({
      result: 'Error', error: "userGroup must be one of the company's user groups: Resident Assistant, RN, Medpasser, Maintenance, Super User, Director",
    });
  });

  it('accepts "Community Relations" and "Resident Assistant" although longer than String(15)', async () => {
    const id = await created(minimalUser('long.values', { role: 'Community Relations', userGroup: 'Resident Assistant', cellCarrier: 'Virgin Mobile' }));
    expect(await rowOf(id)).toMatchObject({ role: 'Community Relations', userGroup: 'Resident Assistant', cellCarrier: 'Virgin Mobile' });
  });

  it("checks userGroup against the company's own groups once it has any", async () => {
    const company = await createPartner(t, 'Custom Groups Inc', ['Custom House']);
    const c = { token: await tokenFor(t.app, company), apiKey: company.api_key };
    await t.database.db.insert(ecpUserGroups).values([{ organizationId: company.company_id, name: 'Night Shift' }, { organizationId: company.company_id, name: 'Wellness' }]);
    const loc = [company.locations[0].locationId];
    const refused = await post(minimalUser('custom.rn', { location: loc }), c);
    expect(refused.json()).toEqual({ result: 'Error', error: "userGroup must be one of the company's user groups: Night Shift, Wellness" });
    await created(minimalUser('custom.night', { location: loc, userGroup: 'Night Shift' }), c);
  });

  it('requires an email for a system admin and refuses a malformed one', async () => {
    const res = await post(minimalUser('admin.noemail', { systemAdmin: true }));
    expect(res.json()).toEqual({ result: 'Error', error: 'email is required when systemAdmin is true' });
    const bad = await post(minimalUser('bad.email', { email: 'not-an-address' }));
    expect(bad.json()).toEqual({ result: 'Error', error: 'email is not a valid email address' });
  });

  it('refuses a fourth active system admin; a deactivated one does not count, and cannot come back over the limit', async () => {
    const company = await createPartner(t, 'Admin Heavy LLC', ['Admin House']);
    const c = { token: await tokenFor(t.app, company), apiKey: company.api_key };
    const admin = (n: number, extra: Record<string, unknown> = {}) =>
      minimalUser(`admin${n}`, { location: [company.locations[0].locationId], systemAdmin: true, email: `admin${n}@example.com`, firstName: `A${n}`, ...extra });
    await created(admin(1), c);
    await created(admin(2), c);
    await created(admin(3, { active: false }), c);
    await created(admin(4), c);
    const limit = { result: 'Error', error: 'systemAdmin: this company already has 3 active system admins, the most allowed' };
    expect((await post(admin(5), c)).json()).toEqual(limit);
    expect((await put({ loginName: 'admin3', active: true }, c)).json()).toEqual(limit);
    await created(admin(6, { systemAdmin: false }), c);
    expect((await put({ loginName: 'admin6', systemAdmin: 1 }, c)).json()).toEqual(limit);
    expect((await put({ loginName: 'admin1', active: false }, c)).statusCode).toBe(200);
    expect((await put({ loginName: 'admin6', systemAdmin: true }, c)).statusCode).toBe(200);
  });

  it('takes locations by name or GUID and refuses another company\'s location as invalid', async () => {
    const id = await created(minimalUser('by.name', { location: ['Evergreen Memory Care', p.locations[2].locationId.toLowerCase()] }));
    expect((await get('by.name')).json().location).toEqual([p.locations[1].locationId, p.locations[2].locationId]);
    expect((await rowOf(id)).locationIds).toHaveLength(2);
    for (const loc of [other.locations[0].locationId, 'Sunset Villa', 'Nowhere']) {
      const res = await post(minimalUser('bad.location', { location: [p.locations[0].locationId, loc] }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ result: 'Error', error: 'location is invalid' });
    }
    // A location of the company that this client does not reach is invalid too.
    const unreachable = await post(minimalUser('bad.location', { location: ['Evergreen Independent Living'] }), creds2);
    expect(unreachable.json()).toEqual({ result: 'Error', error: 'location is invalid' });
  });

  it('takes booleans as 1/0', async () => {
    const id = await created(minimalUser('flags', { active: 0, viewAllResidents: 1, systemAdmin: 0 }));
    const row = await rowOf(id);
    expect(row).toMatchObject({ active: false, viewAllResidents: true, systemAdmin: false });
    expect(row.deactivatedAt).toBeInstanceOf(Date);
  });
});

describe('PUT /clinical/v1/user', () => {
  it('updates only the fields present, and an empty string clears an optional field', async () => {
    const id = await created(fullUser({ loginName: 'partial', chartingInitials: 'PaRt' }));
    const res = await clinical(t.app, creds, 'PUT', '/clinical/v1/user/', { loginName: 'PARTIAL', title: 'Director of Nursing', phone: '', cellCarrier: '', role: 'Director' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ result: 'Success', userId: id });
    expect(await rowOf(id)).toMatchObject({
      loginName: 'partial', title: 'Director of Nursing', phone: null, cellCarrier: null, role: 'Director',
      firstName: 'James', lastName: 'Baum', cellphone: '555-555-5566', email: 'james@james.com', chartingInitials: 'PaRt', userGroup: 'RN',
    });
  });

  it('clears optional fields sent as null', async () => {
    const id = await created(fullUser({ loginName: 'nulls', chartingInitials: 'NuLl' }));
    const res = await put({ loginName: 'nulls', email: null, cellCarrier: null, pager: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(await rowOf(id)).toMatchObject({ email: null, cellCarrier: null, pager: null, phone: '555-555-5555' });
    const bad = await put({ loginName: 'nulls', cellCarrier: 'T-Mobile' });
    expect(bad.json()).toEqual({ result: 'Error', error: `cellCarrier must be one of: ${CELL_CARRIERS.join(', ')}` });
  });

  it('checks updated values like a create does', async () => {
    await created(minimalUser('checked'));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ role: 'Boss' }, `role must be one of: ${ROLES.join(', ')}`],
      [{ userGroup: 'Nurses' }, "userGroup must be one of the company's user groups: Resident Assistant, RN, Medpasser, Maintenance, Super User, Director"],
      [{ firstName: 'x'.repeat(31) }, 'firstName must be at most 30 characters'],
      [{ chartingInitials: 'JBM' }, 'chartingInitials JBM is already used by another user of this company'],
      [{ systemAdmin: true }, 'email is required when systemAdmin is true'],
      [{ location: ['Sunset Villa'] }, 'location is invalid'],
      [{ email: 'nope' }, 'email is not a valid email address'],
    ];
    for (const [change, error] of cases) expect((await put({ loginName: 'checked', ...change })).json()).toEqual({ result: 'Error', error });
    expect((await put({ loginName: 'nobody', title: 'x' })).json()).toEqual({ result: 'Error', error: 'No user with loginName nobody' });
    expect((await put({ title: 'x' })).json()).toEqual({ result: 'Error', error: 'loginName is required' });
  });

  it('replaces the locations the client reaches and keeps the ones it does not', async () => {
    const [assisted, memory, independent] = p.locations.map((l) => l.locationId);
    const id = await created(minimalUser('moving', { location: [assisted, independent] }));
    const res = await put({ loginName: 'moving', location: [memory] }, creds2);
    expect(res.statusCode, res.body).toBe(200);
    expect((await get('moving')).json().location).toEqual([memory, independent]);
    expect((await get('moving', creds2)).json().location).toEqual([memory]);
    await put({ loginName: 'moving', location: [assisted] }, creds);
    expect((await get('moving')).json().location).toEqual([assisted]);
    expect((await rowOf(id)).locationIds).toHaveLength(1);
  });

  it('deactivates and reactivates with the same userId', async () => {
    const id = await created(minimalUser('leaver'));
    const off = await put({ loginName: 'leaver', active: false });
    expect(off.json()).toEqual({ result: 'Success', userId: id });
    expect(await rowOf(id)).toMatchObject({ active: false, deactivatedAt: expect.any(Date) });
    expect((await get('leaver')).json()).toMatchObject({ userId: id, active: false });
    const on = await put({ loginName: 'leaver', active: 1 });
    expect(on.json()).toEqual({ result: 'Success', userId: id });
    expect(await rowOf(id)).toMatchObject({ active: true, deactivatedAt: null });
  });

  it('reports through the service what changed, for the webhook events', async () => {
    await created(minimalUser('events'));
    const client = await t.services.partnerClients.findByClientId(p.client_id);
    const actor = { kind: 'partner' as const, id: p.client_id, name: 'test', organizationId: p.company_id, clientId: p.client_id, scopes: [], locationIds: client!.locationIds,
      locations: await t.services.partnerClients.locationsOf(client!) };
    const ctx = { actor, ip: null, requestId: null };
    const users = t.services.ecpUsers;
    expect((await users.updateUser(ctx, { loginName: 'events' })).change).toBe('unchanged');
    expect((await users.updateUser(ctx, { loginName: 'events', title: 'Aide' })).change).toBe('updated');
    const off = await users.updateUser(ctx, { loginName: 'events', active: false, title: 'Former aide' });
    expect(off.change).toBe('deactivated');
    expect(off.user).toMatchObject({ active: false, title: 'Former aide', loginName: 'events' });
    expect((await users.updateUser(ctx, { loginName: 'events', active: true })).change).toBe('reactivated');
  });
});

describe('GET /clinical/v1/user', () => {
  it('finds the user by query string or JSON body, case-insensitively', async () => {
    const id = await created(minimalUser('Reader.One'));
    expect((await get('reader.one')).json()).toMatchObject({ result: 'Success', userId: id, loginName: 'Reader.One' });
    const body = await clinical(t.app, creds, 'GET', '/clinical/v1/user/', { loginName: 'READER.ONE' });
    expect(body.statusCode, body.body).toBe(200);
    expect(body.json()).toMatchObject({ result: 'Success', userId: id });
    const missing = await clinical(t.app, creds, 'GET', '/clinical/v1/user');
    expect(missing.json()).toEqual({ result: 'Error', error: 'loginName is required' });
  });

  it('does not find a user at another company or at none of the client\'s locations', async () => {
    await created(minimalUser('elsewhere'));
    expect((await get('elsewhere', otherCreds)).json()).toEqual({ result: 'Error', error: 'No user with loginName elsewhere' });
    expect((await get('elsewhere', creds3)).json()).toEqual({ result: 'Error', error: 'No user with loginName elsewhere' });
    expect((await put({ loginName: 'elsewhere', title: 'x' }, creds3)).json()).toEqual({ result: 'Error', error: 'No user with loginName elsewhere' });
    // Sunset's own "jbaum" is not Evergreen's.
    expect((await get('jbaum', otherCreds)).json().location).toEqual([other.locations[0].locationId]);
  });

  it('writes one audit row per read or change', async () => {
    const id = await created(minimalUser('audited'));
    await get('audited');
    await put({ loginName: 'audited', title: 'Aide' });
    const rows = await t.database.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, 'ecp_user'), sql`${auditEvents.entityIds} @> ARRAY[${id}]::text[]`))
      .orderBy(auditEvents.id);
    expect(rows.map((r) => r.action)).toEqual(['create', 'read', 'update']);
  });
});

describe('scopes', () => {
  it('needs user.write to create or update and user.read to read', async () => {
    await created(minimalUser('scoped'));
    const readOnly = { token: await tokenFor(t.app, p, 'user.read'), apiKey: p.api_key };
    const writeOnly = { token: await tokenFor(t.app, p, 'user.write'), apiKey: p.api_key };
    expect((await post(minimalUser('scoped2'), readOnly)).statusCode).toBe(403);
    expect((await put({ loginName: 'scoped', title: 'x' }, readOnly)).statusCode).toBe(403);
    expect((await get('scoped', readOnly)).statusCode).toBe(200);
    const denied = await get('scoped', writeOnly);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({ result: 'Error', error: 'This token lacks the scope user.read' });
    expect((await put({ loginName: 'scoped', title: 'x' }, writeOnly)).statusCode).toBe(200);
    const locationOnly = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living'], 'location.read');
    const lc = { token: await tokenFor(t.app, locationOnly), apiKey: locationOnly.api_key };
    expect((await get('scoped', lc)).statusCode).toBe(403);
    expect((await post(minimalUser('scoped3'), lc)).statusCode).toBe(403);
  });
});
