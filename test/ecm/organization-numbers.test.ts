/**
 * A Twilio number belongs to at most one organization: the settings refuse a number another clinic holds
 * (422, nothing changed), the database decides between concurrent claims, inbound webhooks reach the one
 * holder, and the demo leaves a held number where it is.
 */
import pg from 'pg';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsOptOuts, textMessages, unmatchedCommunications } from '../../src/db/schema.ts';
import { ecmClinicSeeder } from '../../src/ecm/patients/demo.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { ACCOUNT_SID, AUTH_TOKEN, startTwilioPeer, type TwilioPeer } from '../support/twilio-peer.ts';

const PUBLIC_URL = 'http://care.test';
const A_NUMBER = '+18059876543';
const B_NUMBER = '+18059876544';
const TWILIO_FROM = '+18059876500';
const MEMBER_PHONE = '+18051234567';
let t: TestContext;
let peer: TwilioPeer;
let adminA: TestUser;
let adminB: TestUser;
let memberA: number;
let memberB: number;

const settings = (as: TestUser) => call(t.app, as, 'GET', '/v1/admin/organization').then((r) => r.json().organization);
const putSettings = (as: TestUser, organization: Record<string, unknown>) => call(t.app, as, 'PUT', '/v1/admin/organization', { organization });

async function enrol(as: TestUser, memberId: string) {
  const res = await call(t.app, as, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: 'Mo', last_name: 'Member', phone: MEMBER_PHONE, ecm_eligibility_information: { member_id: memberId } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().patient.id as number;
}

beforeAll(async () => {
  peer = await startTwilioPeer();
  t = await createTestContext({
    PUBLIC_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM_NUMBER: TWILIO_FROM, TWILIO_API_URL: peer.apiUrl,
  });
  adminA = await createUser(t.services, 'Clinic A', 'admin');
  adminB = await createUser(t.services, 'Clinic B', 'admin');
  expect((await putSettings(adminA, { phone_numbers: [A_NUMBER] })).statusCode).toBe(200);
  expect((await putSettings(adminB, { phone_numbers: [B_NUMBER], mcp_name: 'Plan B' })).statusCode).toBe(200);
  // The same member phone in both clinics: a message routed to the wrong clinic would find a member there too.
  memberA = await enrol(adminA, 'A-1');
  memberB = await enrol(adminB, 'B-1');
});

afterAll(async () => {
  await t.close();
  await peer.close();
});

describe('PUT /v1/admin/organization with a number another clinic holds', () => {
  it('answers 422 naming the number and changes neither clinic', async () => {
    const before = { a: await settings(adminA), b: await settings(adminB) };
    for (const claim of [[A_NUMBER], [B_NUMBER, '(805) 987-6543'], ['805.987.6543', B_NUMBER]]) {
      const res = await putSettings(adminB, { phone_numbers: claim, mcp_name: 'Changed' });
      expect(res.statusCode, claim.join()).toBe(422);
      expect(res.json()).toEqual({ errors: [`Phone number ${A_NUMBER} is already in use`] });
    }
    expect(await settings(adminA)).toEqual(before.a);
    expect(await settings(adminB)).toEqual(before.b);
    expect((await settings(adminB)).mcp_name).toBe('Plan B');
  });

  it('names every taken number at once, and lets a clinic keep, reorder and release its own', async () => {
    const adminC = await createUser(t.services, 'Clinic C', 'admin');
    const res = await putSettings(adminC, { phone_numbers: ['+18059876545', A_NUMBER, B_NUMBER] });
    expect(res.json()).toEqual({ errors: [`Phone number ${A_NUMBER} is already in use`, `Phone number ${B_NUMBER} is already in use`] });
    expect((await settings(adminC)).phone_numbers).toEqual([]);

    const reordered = await putSettings(adminB, { phone_numbers: ['+18059876546', B_NUMBER] });
    expect(reordered.statusCode).toBe(200);
    expect(reordered.json().organization.phone_numbers).toEqual(['+18059876546', B_NUMBER]);
    expect((await putSettings(adminB, { phone_numbers: [B_NUMBER] })).json().organization.phone_numbers).toEqual([B_NUMBER]);
    // Released by B, the number is free for C.
    expect((await putSettings(adminC, { phone_numbers: ['+18059876546'] })).json().organization.phone_numbers).toEqual(['+18059876546']);
  });

  it('lets the database decide a claim that raced past the check: 422, nothing half-written', async () => {
    const racer = await createUser(t.services, 'Racing Clinic', 'admin');
    const contested = '+18059876547';
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    try {
      // Another save has inserted the number and not committed yet: B's check cannot see it, its insert waits.
      await holder.query('BEGIN');
      await holder.query('INSERT INTO organization_phone_numbers (number, organization_id, position) VALUES ($1, $2, 0)', [contested, racer.organizationId]);
      const claim = putSettings(adminB, { phone_numbers: [B_NUMBER, contested], mcp_name: 'Raced' }).then((r) => r); // inject starts on then()
      const until = Date.now() + 10_000;
      for (;;) {
        // From the pool: inside the holder's transaction the statistics views would be a snapshot.
        const { rows } = await t.database.pool.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%insert into%organization_phone_numbers%'",
        );
        if (rows[0].n > 0) break;
        if (Date.now() > until) throw new Error('the PUT never waited on the number');
        await new Promise((r) => setTimeout(r, 20));
      }
      await holder.query('COMMIT');
      const res = await claim;
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: [`Phone number ${contested} is already in use`] });
    } finally {
      await holder.end();
    }
    const b = await settings(adminB);
    expect(b).toMatchObject({ phone_numbers: [B_NUMBER], mcp_name: 'Plan B' });
    expect((await settings(racer)).phone_numbers).toEqual([contested]);
  });

  it('gives a number claimed by several clinics at once to exactly one', async () => {
    const clinics = await Promise.all([1, 2, 3, 4].map((i) => createUser(t.services, `Rush Clinic ${i}`, 'admin')));
    const results = await Promise.all(clinics.map((c) => putSettings(c, { phone_numbers: ['+18059876548'] })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 422, 422, 422]);
    for (const r of results.filter((x) => x.statusCode === 422)) expect(r.json()).toEqual({ errors: ['Phone number +18059876548 is already in use'] });
  });
});

describe('inbound webhooks by the To number', () => {
  it('lands an SMS and a STOP to clinic A\'s number in clinic A, never in B', async () => {
    await putSettings(adminB, { phone_numbers: [B_NUMBER, A_NUMBER] }); // refused, as above
    const sid = 'SM' + 'a1'.repeat(16);
    const res = await peer.callback(t.app, PUBLIC_URL, '/v1/clinic/webhooks/twilio/sms', { MessageSid: sid, From: MEMBER_PHONE, To: A_NUMBER, Body: 'Hello A' });
    expect(res.statusCode).toBe(200);
    const [msg] = await t.database.db.select().from(textMessages).where(eq(textMessages.twilioSid, sid));
    expect(msg).toMatchObject({ organizationId: adminA.organizationId, patientId: memberA, direction: 'inbound', toNumber: A_NUMBER });
    expect(await t.database.db.select().from(textMessages).where(eq(textMessages.patientId, memberB))).toEqual([]);
    expect(await t.database.db.select().from(unmatchedCommunications).where(eq(unmatchedCommunications.organizationId, adminB.organizationId))).toEqual([]);

    await peer.callback(t.app, PUBLIC_URL, '/v1/clinic/webhooks/twilio/sms', { MessageSid: 'SM' + 'a2'.repeat(16), From: MEMBER_PHONE, To: A_NUMBER, Body: 'STOP' });
    const optOuts = await t.database.db.select().from(smsOptOuts).where(eq(smsOptOuts.memberPhone, MEMBER_PHONE));
    expect(optOuts.map((o) => [o.organizationId, o.clinicNumber])).toEqual([[adminA.organizationId, A_NUMBER]]);
    const toB = await t.database.db.select().from(smsOptOuts).where(and(eq(smsOptOuts.memberPhone, MEMBER_PHONE), eq(smsOptOuts.organizationId, adminB.organizationId)));
    expect(toB).toEqual([]);
  });
});

describe('the demo', () => {
  it('leaves TWILIO_FROM_NUMBER with the clinic that holds it, and says so', async () => {
    const holder = await createUser(t.services, 'Number Holder Clinic', 'admin');
    expect((await putSettings(holder, { phone_numbers: [TWILIO_FROM] })).statusCode).toBe(200);
    const out = await ecmClinicSeeder.run({ db: t.database.db, services: t.services, config: t.config, previous: {} });
    expect(out.warnings).toEqual([`Phone number ${TWILIO_FROM} is already in use by another organization, so Demo Clinic does not text or call from it`]);
    const demo = await t.services.identity.getOrganization(out.organization_id as number);
    expect(demo.phoneNumbers).toEqual([]);
    expect((await settings(holder)).phone_numbers).toEqual([TWILIO_FROM]);
  });
});
