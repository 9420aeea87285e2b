/**
 * `PUT /clinical/v1/resident` as one statement (issue 8): the resident locked, changed and audited by a single
 * statement inside the transaction that also writes the webhook outbox; refused and empty changes write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, desc, eq, like } from 'drizzle-orm';
import { auditEvents, ecpLocations, ecpResidents, ecpWebhookMessages } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, tokenFor, type Partner } from '../support/ecp.ts';
import { statementCounter } from '../support/statements.ts';

let t: TestContext;
let p: Partner;
let other: Partner;
let creds: { token: string; apiKey: string };
let otherCreds: { token: string; apiKey: string };
let measure: ReturnType<typeof statementCounter>;
const LOC = 'Evergreen Assisted Living';

beforeAll(async () => {
  t = await createTestContext({ OUTBOUND_ALLOW_PRIVATE_URLS: 'true' });
  p = await createPartner(t, 'Evergreen Senior Living', [LOC, 'Evergreen Memory Care']);
  other = await createPartner(t, 'Sunset Homes', ['Sunset Villa']);
  creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
  otherCreds = { token: await tokenFor(t.app, other), apiKey: other.api_key };
  // Three subscribers, as the webhook bench has; nothing listens there, and no worker runs in this file.
  for (let i = 0; i < 3; i++) {
    const res = await clinical(t.app, creds, 'POST', '/clinical/v1/webhook', { callbackUrl: `http://127.0.0.1:9/hook/${i}` });
    expect(res.statusCode, res.body).toBe(200);
  }
  measure = statementCounter(t.database.pool);
});
afterAll(() => t.close());

const put = (body: Record<string, unknown>, c = creds) => clinical(t.app, c, 'PUT', '/clinical/v1/resident', body);
const rowOf = async (guid: string) => (await t.database.db.select().from(ecpResidents).where(eq(ecpResidents.guid, guid)))[0];
/** Audit rows of resident updates and webhook messages about the resident. */
const written = async (guid: string) => ({
  audit: (await t.database.db.select({ n: count() }).from(auditEvents)
    .where(and(eq(auditEvents.entityType, 'resident'), eq(auditEvents.action, 'update'), eq(auditEvents.entityIds, [guid]))))[0].n,
  messages: (await t.database.db.select({ n: count() }).from(ecpWebhookMessages).where(like(ecpWebhookMessages.resourceKey, `%resident:${guid}`)))[0].n,
});
const newResident = (over: Record<string, unknown> = {}) =>
  createResident(t.app, creds, { firstName: 'Rita', lastName: 'Moreno', dateOfBirth: '1931-12-11', locationId: LOC, room: '12', ...over });

describe('PUT /clinical/v1/resident in one statement (issue 8)', () => {
  it('locks, changes and audits the resident in one statement, between BEGIN and the outbox', async () => {
    const id = await newResident();
    const before = await written(id);
    const { result: res, statements } = await measure(() => put({ residentId: id.toLowerCase(), room: ' 14B ', nickname: null }));
    expect(res.json(), res.body).toEqual({ result: 'Success', residentId: id });
    expect(statements[0]).toMatch(/FROM partner_clients/);
    expect(statements[1]).toMatch(/^begin$/i);
    expect(statements[2]).toMatch(/FOR UPDATE[\s\S]*UPDATE ecp_residents[\s\S]*INSERT INTO audit_events/);
    expect(statements.at(-1)).toMatch(/^commit$/i);
    // Nothing else reads or writes the resident or the audit trail: the rest is the webhook outbox.
    expect(statements.filter((s) => /ecp_residents|audit_events/.test(s))).toHaveLength(1);
    expect(await rowOf(id)).toMatchObject({ room: '14B', nickname: null, firstName: 'Rita' });
    expect(await written(id)).toEqual({ audit: before.audit + 1, messages: before.messages + 1 });
  });

  it('writes no audit row and no event for a change that changes nothing, in four statements', async () => {
    const id = await newResident({ externalIds: { billingid: '77', mrn: 'A' } });
    const before = await written(id);
    const { result: res, statements } = await measure(() => put({ residentId: id, room: '12', firstName: 'Rita ', externalIds: { mrn: 'A', billingid: '77' } }));
    expect(res.json()).toEqual({ result: 'Success', residentId: id });
    expect(statements).toHaveLength(4);
    expect(await written(id)).toEqual(before);
    // One changed field among unchanged ones is a change.
    expect((await put({ residentId: id, room: '12', building: 'East' })).json()).toEqual({ result: 'Success', residentId: id });
    expect(await written(id)).toEqual({ audit: before.audit + 1, messages: before.messages + 1 });
  });

  it('refuses an unknown or foreign resident, a discharged one, and an unreachable location, writing nothing', async () => {
    const id = await newResident();
    const discharged = await newResident({ firstName: 'Leo' });
    expect((await clinical(t.app, creds, 'DELETE', '/clinical/v1/resident', { residentId: discharged })).statusCode).toBe(200);
    const before = { id: await written(id), discharged: await written(discharged) };
    const rowBefore = await rowOf(id);
    const cases: Array<[Record<string, unknown>, string, typeof creds?]> = [
      [{ residentId: '00000000-0000-0000-0000-000000000000', room: '1' }, 'No resident with residentId 00000000-0000-0000-0000-000000000000'],
      [{ residentId: id, room: '1' }, `No resident with residentId ${id}`, otherCreds],
      [{ residentId: discharged, room: '1' }, 'This resident is discharged; send status "Active" to reactivate the resident'],
      // The resident checks come before the location's, as before.
      [{ residentId: discharged, room: '1', locationId: 'Sunset Villa' }, 'This resident is discharged; send status "Active" to reactivate the resident'],
      [{ residentId: '00000000-0000-0000-0000-000000000000', locationId: 'Sunset Villa' }, 'No resident with residentId 00000000-0000-0000-0000-000000000000'],
      [{ residentId: id, room: '1', locationId: 'Sunset Villa' }, 'location is invalid'],
      [{ residentId: id, room: '1', locationId: other.locations[0].locationId }, 'location is invalid'],
    ];
    for (const [body, error, c] of cases) {
      const res = await put(body, c);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toEqual({ result: 'Error', error });
    }
    expect(await rowOf(id)).toEqual(rowBefore);
    expect({ id: await written(id), discharged: await written(discharged) }).toEqual(before);
    // Reactivation is the one change a discharged resident takes: event resident.create, one audit row.
    expect((await put({ residentId: discharged, status: 'Active', room: '3' })).json()).toEqual({ result: 'Success', residentId: discharged });
    expect(await rowOf(discharged)).toMatchObject({ status: 'Active', statusDescription: 'Active Resident', dischargedAt: null, room: '3' });
    expect(await written(discharged)).toEqual({ audit: before.discharged.audit + 1, messages: before.discharged.messages + 1 });
    const [msg] = await t.database.db.select().from(ecpWebhookMessages).where(like(ecpWebhookMessages.resourceKey, `%resident:${discharged}`)).orderBy(desc(ecpWebhookMessages.eventTimestamp)).limit(1);
    expect(msg.eventName).toBe('resident.create');
  });

  it('moves a resident to another reachable location, and concurrent updates of one resident all land in order', async () => {
    const id = await newResident();
    expect((await put({ residentId: id, locationId: 'Evergreen Memory Care' })).json()).toEqual({ result: 'Success', residentId: id });
    const [memoryCare] = await t.database.db.select().from(ecpLocations).where(eq(ecpLocations.guid, p.locations[1].locationId));
    expect(await rowOf(id)).toMatchObject({ locationId: memoryCare.id, room: '12' });
    const [moved] = await t.database.db.select().from(ecpWebhookMessages).where(like(ecpWebhookMessages.resourceKey, `%resident:${id}`)).orderBy(desc(ecpWebhookMessages.eventTimestamp)).limit(1);
    expect(JSON.parse(moved.payload)).toMatchObject({ eventName: 'resident.update', locationId: memoryCare.guid });
    const before = await written(id);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => put({ residentId: id, room: `C${i}` })));
    for (const r of results) expect(r.json()).toEqual({ result: 'Success', residentId: id });
    expect(await written(id)).toEqual({ audit: before.audit + 6, messages: before.messages + 6 });
    // Each update locked the row: the last message carries the stored state.
    const messages = await t.database.db.select().from(ecpWebhookMessages).where(like(ecpWebhookMessages.resourceKey, `%resident:${id}`)).orderBy(ecpWebhookMessages.eventTimestamp);
    expect(JSON.parse(messages.at(-1)!.payload).data.resident.room).toBe((await rowOf(id)).room);
  });
});
