import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTextMessage, insertVoiceCall } from '../../src/ecm/communications/store.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let admin: TestUser;
let coord: TestUser;
let provider: TestUser;
let stranger: TestUser;
let patientId: number;
let otherId: number;
const ids: Record<string, number> = {};

const events = (pid = patientId) => `/v1/clinic/ecm/patients/${pid}/events`;
async function act(activity: Record<string, unknown>, pid = patientId) {
  const res = await call(t.app, coord, 'POST', `/v1/clinic/ecm/patients/${pid}/activities`, { activity: { assigned_to_id: coord.id, ...activity } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().activity;
}

beforeAll(async () => {
  t = await createTestContext();
  admin = await createUser(t.services, 'Events Clinic', 'admin');
  coord = await createUser(t.services, 'Events Clinic', 'care_coordinator', 'Jane Coordinator');
  provider = await createUser(t.services, 'Events Clinic', 'provider', 'Dr. Smith');
  stranger = await createUser(t.services, 'Other Events Clinic', 'admin');
  const enrol = async (name: string, memberId: string, providerId?: number) =>
    (await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
      patient: { first_name: name, last_name: 'Doe', ecm_eligibility_information: { member_id: memberId }, case_load: { provider_id: providerId ?? null } },
    })).json().patient.id as number;
  patientId = await enrol('John', 'E-1', provider.id);
  otherId = await enrol('Jane', 'E-2');
  const org = coord.organizationId;

  // November 2024 in Los Angeles (UTC-8): 2024-11-01T07:00Z .. 2024-12-01T08:00Z.
  const call1 = await insertVoiceCall(t.database.db, { organizationId: org, patientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550101', status: 'completed', durationSeconds: 900, memberReached: true });
  ids.call = (await act({ activity_type: 'call', voice_call_id: call1.id, status: 'complete', subject: 'Follow-up call', body: 'Called patient to discuss medication adherence', occurred_at: '2024-11-20T10:00:00.000Z' })).id;
  const sms = await insertTextMessage(t.database.db, { organizationId: org, patientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550101', body: 'Reminder', status: 'delivered' });
  ids.sms = (await act({ activity_type: 'sms', text_message_id: sms.id, body: 'Reminder: Your appointment is tomorrow at 2pm', subject: 'Appointment reminder', status: 'complete', occurred_at: '2024-11-18T14:30:00.000Z' })).id;
  const failed = await insertTextMessage(t.database.db, { organizationId: org, patientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550101', body: 'x', status: 'undelivered' });
  ids.smsFailed = (await act({ activity_type: 'sms', text_message_id: failed.id, body: 'x', status: 'complete', occurred_at: '2024-11-19T14:30:00.000Z' })).id;
  ids.task = (await act({ activity_type: 'task', message: 'Paperwork', occurred_at: '2024-11-05T16:00:00.000Z' })).id;
  ids.note = (await act({ activity_type: 'note', body: 'No event for me', occurred_at: '2024-11-06T16:00:00.000Z' })).id;
  ids.video = (await act({ activity_type: 'meeting', booked_at: '2024-11-12T18:00:00.000Z', modality: 'video', status: 'complete', duration: 30 })).id;
  ids.noShow = (await act({ activity_type: 'in_person_appointment', booked_at: '2024-11-13T18:00:00.000Z', status: 'complete', outcome: 'no_show' })).id;
  ids.held = (await act({ activity_type: 'in_person_appointment', booked_at: '2024-11-14T18:00:00.000Z', status: 'complete' })).id;
  ids.scheduled = (await act({ activity_type: 'in_person_appointment', booked_at: '2024-11-15T18:00:00.000Z' })).id;
  ids.cancelled = (await act({ activity_type: 'call', outcome: 'reached', duration: 5, status: 'cancelled', occurred_at: '2024-11-21T10:00:00.000Z' })).id;
  // Boundaries: 23:30 on Nov 30 in LA is in November; 00:30 on Nov 1 in LA too; 23:30 on Oct 31 in LA is not.
  ids.lastMinute = (await act({ activity_type: 'call', outcome: 'not_reached', duration: 1, occurred_at: '2024-12-01T07:30:00.000Z' })).id;
  ids.firstMinute = (await act({ activity_type: 'call', outcome: 'not_reached', duration: 1, occurred_at: '2024-11-01T07:30:00.000Z' })).id;
  ids.october = (await act({ activity_type: 'call', outcome: 'not_reached', duration: 1, occurred_at: '2024-11-01T06:30:00.000Z' })).id;
  ids.future = (await act({ activity_type: 'meeting', booked_at: '2099-11-15T18:00:00.000Z', status: 'complete' })).id;
  ids.otherPatient = (await act({ activity_type: 'call', outcome: 'reached', duration: 9, occurred_at: '2024-11-10T10:00:00.000Z' }, otherId)).id;
});
afterAll(() => t.close());

describe('GET .../events (seed 002 "List Patient Events")', () => {
  it('replays the example: calls of November 2024, newest first, with the documented fields', async () => {
    const res = await call(t.app, coord, 'GET', `${events()}?event_type=call&start_date=2024-11-01&end_date=2024-11-30`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.events.map((e: { activity_id: number }) => e.activity_id)).toEqual([ids.lastMinute, ids.cancelled, ids.call, ids.firstMinute]);
    expect(body.events[2]).toEqual({
      id: expect.any(Number), event_type: 'call', occurred_at: '2024-11-20T10:00:00.000Z', subject: 'Follow-up call',
      body: 'Called patient to discuss medication adherence', duration: 15, status: 'complete', prtf_category: 'telehealth_encounter',
      patient_id: patientId, patient_name: 'John Doe', activity_id: ids.call, created_at: expect.any(String), updated_at: expect.any(String),
    });
    expect(body.pagination).toEqual({ current_page: 1, total_pages: 1, total_count: 4, per_page: 25 });
  });

  it('maps activity types to event types; notes make none', async () => {
    const all = (await call(t.app, coord, 'GET', `${events()}?per_page=100`)).json().events;
    const typeOf = new Map(all.map((e: { activity_id: number; event_type: string }) => [e.activity_id, e.event_type]));
    expect(typeOf.get(ids.sms)).toBe('sms');
    expect(typeOf.get(ids.task)).toBe('task');
    expect(typeOf.get(ids.video)).toBe('meeting');
    expect(typeOf.get(ids.held)).toBe('appointment');
    expect(typeOf.has(ids.note)).toBe(false);
    expect(all.some((e: { patient_id: number }) => e.patient_id !== patientId)).toBe(false);
  });

  it('answers 404 for another clinic\'s patient and 422 for a bad date', async () => {
    expect((await call(t.app, stranger, 'GET', events())).json()).toEqual({ errors: ['Patient not found'] });
    const bad = await call(t.app, coord, 'GET', `${events()}?start_date=2024-13-01`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ errors: ['Start date must be a valid date (YYYY-MM-DD)'] });
  });
});

describe('GET .../events/{id} (seed 002 "Get Event Details")', () => {
  it('replays the example with the activity summary', async () => {
    const list = (await call(t.app, coord, 'GET', `${events()}?event_type=call&start_date=2024-11-20&end_date=2024-11-20`)).json().events;
    const id = list.find((e: { activity_id: number }) => e.activity_id === ids.call).id;
    const res = await call(t.app, coord, 'GET', `${events()}/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().event).toMatchObject({
      id, event_type: 'call', duration: 15, status: 'complete', patient_id: patientId, activity_id: ids.call,
      activity: { id: ids.call, activity_type: 'call', status: 'complete', performed_by_id: coord.id, performed_by_name: 'Jane Coordinator', assigned_to_id: coord.id, assigned_to_name: 'Jane Coordinator' },
    });
    for (const [pid, eid] of [[patientId, 999999], [otherId, id]]) {
      const nf = await call(t.app, coord, 'GET', `${events(pid)}/${eid}`);
      expect(nf.statusCode).toBe(404);
      expect(nf.json()).toEqual({ errors: ['Event not found'] });
    }
  });
});

describe('GET .../events/counts (seed 002 "Event Counts")', () => {
  it('replays the example: November 2024 in the clinic\'s time zone, every key present, each event in one category', async () => {
    const res = await call(t.app, coord, 'GET', `${events()}/counts?start_date=2024-11-01&end_date=2024-11-30`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      patient_id: patientId,
      start_date: '2024-11-01',
      end_date: '2024-11-30',
      counts: {
        // call: reached + 2 boundary not_reached (cancelled and October excluded); sms: delivered + undelivered;
        // meeting: video; appointment: no-show, held, scheduled; task: 1.
        total: 10,
        by_type: { sms: 2, call: 3, email: 0, appointment: 3, task: 1, meeting: 1 },
        prtf_categories: { telehealth_encounters: 2, in_person_encounters: 1, telehealth_outreach: 3, in_person_outreach: 1 },
      },
    });
  });

  it('requires both dates, in the seed\'s words', async () => {
    for (const q of ['', '?start_date=2024-11-01', '?end_date=2024-11-30']) {
      const res = await call(t.app, coord, 'GET', `${events()}/counts${q}`);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toEqual({ errors: ['start_date and end_date are required'] });
    }
    const reversed = await call(t.app, coord, 'GET', `${events()}/counts?start_date=2024-11-30&end_date=2024-11-01`);
    expect(reversed.json()).toEqual({ errors: ['end_date must be on or after start_date'] });
  });

  it('moves counts when an activity changes, and drops deleted activities', async () => {
    const url = `${events()}/counts?start_date=2024-11-01&end_date=2024-11-30`;
    await call(t.app, coord, 'PUT', `/v1/clinic/ecm/patients/${patientId}/activities/${ids.scheduled}`, { activity: { status: 'complete' } });
    let c = (await call(t.app, coord, 'GET', url)).json().counts;
    expect(c.prtf_categories.in_person_encounters).toBe(2);
    await call(t.app, coord, 'DELETE', `/v1/clinic/ecm/patients/${patientId}/activities/${ids.scheduled}`);
    c = (await call(t.app, coord, 'GET', url)).json().counts;
    expect(c.prtf_categories.in_person_encounters).toBe(1);
    expect(c.by_type.appointment).toBe(2);
    expect(c.total).toBe(9);
  });
});

describe('GET /v1/clinic/ecm/events/counts (clinic-wide)', () => {
  it('sums every member, or one provider\'s members', async () => {
    const all = (await call(t.app, coord, 'GET', '/v1/clinic/ecm/events/counts?start_date=2024-11-01&end_date=2024-11-30')).json();
    expect(all.counts.by_type.call).toBe(4);
    expect(all.counts.prtf_categories.telehealth_encounters).toBe(3);
    expect(all.filters).toEqual({ provider_id: null, olcm_user_id: null, ilcm_user_id: null });
    const mine = (await call(t.app, provider, 'GET', `/v1/clinic/ecm/events/counts?start_date=2024-11-01&end_date=2024-11-30&provider_id=${provider.id}`)).json();
    expect(mine.counts.by_type.call).toBe(3);
    const theirs = (await call(t.app, stranger, 'GET', '/v1/clinic/ecm/events/counts?start_date=2024-11-01&end_date=2024-11-30')).json();
    expect(theirs.counts.total).toBe(0);
    expect((await call(t.app, coord, 'GET', '/v1/clinic/ecm/events/counts')).json()).toEqual({ errors: ['start_date and end_date are required'] });
  });

  it('documents the counting rules in the OpenAPI description', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/clinic/ecm/events/counts'].get.description).toContain('telehealth_encounters when the member was reached');
    expect(doc.paths['/v1/clinic/ecm/patients/{patient_id}/events/counts'].get.description).toContain('events still in the future');
  });
});
