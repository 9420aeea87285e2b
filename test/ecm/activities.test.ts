import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents, ecmEvents } from '../../src/db/schema.ts';
import { insertTextMessage, insertVoiceCall } from '../../src/ecm/communications/store.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';

let t: TestContext;
let coord: TestUser;
let bob: TestUser;
let stranger: TestUser;
let patientId: number;
let otherPatientId: number;
let strangerPatientId: number;

const base = () => `/v1/clinic/ecm/patients/${patientId}/activities`;
const create = (activity: Record<string, unknown>, as: TestUser = coord, pid = patientId) =>
  call(t.app, as, 'POST', `/v1/clinic/ecm/patients/${pid}/activities`, { activity });

async function enrol(admin: TestUser, first: string, memberId: string) {
  const res = await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: { first_name: first, last_name: 'Doe', ecm_eligibility_information: { member_id: memberId } },
  });
  return res.json().patient.id as number;
}

beforeAll(async () => {
  t = await createTestContext();
  const admin = await createUser(t.services, 'Activity Clinic', 'admin');
  coord = await createUser(t.services, 'Activity Clinic', 'care_coordinator', 'Jane Coordinator');
  bob = await createUser(t.services, 'Activity Clinic', 'care_coordinator', 'Bob Manager');
  stranger = await createUser(t.services, 'Elsewhere', 'admin');
  patientId = await enrol(admin, 'John', 'A-1');
  otherPatientId = await enrol(admin, 'Jim', 'A-2');
  strangerPatientId = await enrol(stranger, 'Far', 'Z-1');
});
afterAll(() => t.close());

describe('POST .../activities (seed 003 "Create Activity")', () => {
  it('replays "Create Task": performed_by is the caller, the task makes a task event', async () => {
    const res = await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Schedule follow-up appointment with patient', subject: 'Follow-up Scheduling' });
    expect(res.statusCode).toBe(201);
    const a = res.json().activity;
    expect(a).toMatchObject({
      activity_type: 'task', status: 'created', message: 'Schedule follow-up appointment with patient', subject: 'Follow-up Scheduling',
      patient_id: patientId, patient_name: 'John Doe', performed_by_id: coord.id, performed_by_name: 'Jane Coordinator',
      assigned_to_id: bob.id, assigned_to_name: 'Bob Manager', parent_id: null, comments_count: 0,
    });
    expect(a.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(a.event).toMatchObject({ event_type: 'task', status: 'created', occurred_at: a.occurred_at, prtf_category: null });
  });

  it('replays "Create Note": no event', async () => {
    const res = await create({ activity_type: 'note', assigned_to_id: bob.id, subject: 'Progress Note',
      body: 'Patient reported feeling better after starting new medication. Will continue monitoring progress.' });
    expect(res.statusCode).toBe(201);
    expect(res.json().activity.event).toBeNull();
  });

  it('replays "Create In-Person Appointment": the event occurs at booked_at, in person', async () => {
    const res = await create({ activity_type: 'in_person_appointment', assigned_to_id: bob.id, booked_at: '2024-12-01T14:00:00.000Z',
      subject: 'Monthly Check-in', body: 'Monthly in-person check-in with patient and family' });
    expect(res.statusCode).toBe(201);
    const a = res.json().activity;
    expect(a).toMatchObject({ booked_at: '2024-12-01T14:00:00.000Z', modality: 'in_person' });
    expect(a.event).toMatchObject({ event_type: 'appointment', occurred_at: '2024-12-01T14:00:00.000Z', status: 'created', prtf_category: null });
    const done = await call(t.app, coord, 'PUT', `${base()}/${a.id}`, { activity: { status: 'complete', duration: 45 } });
    expect(done.json().activity.event).toMatchObject({ status: 'complete', prtf_category: 'in_person_encounter' });
  });

  it('answers 422 with the seed\'s messages, all at once', async () => {
    const res = await create({ activity_type: 'task' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ errors: ["Message can't be blank", "Assigned to can't be blank"] });
    const types: Array<[Record<string, unknown>, string[]]> = [
      [{}, ["Activity type can't be blank", "Assigned to can't be blank"]],
      [{ activity_type: 'note', assigned_to_id: bob.id }, ["Body can't be blank"]],
      [{ activity_type: 'sms', assigned_to_id: bob.id }, ["Body can't be blank", "Text message can't be blank"]],
      [{ activity_type: 'call', assigned_to_id: bob.id }, ["Voice call can't be blank"]],
      [{ activity_type: 'call', assigned_to_id: bob.id, outcome: 'reached' }, ["Voice call can't be blank"]],
      [{ activity_type: 'email', assigned_to_id: bob.id }, ["Body can't be blank", "Email to can't be blank"]],
      [{ activity_type: 'email', assigned_to_id: bob.id, body: 'x', email_to: 'not-an-address' }, ['Email to is not a valid email address']],
      [{ activity_type: 'in_person_appointment', assigned_to_id: bob.id }, ["Booked at can't be blank"]],
      [{ activity_type: 'meeting', assigned_to_id: bob.id }, ["Booked at can't be blank"]],
      [{ activity_type: 'task', message: 'm', assigned_to_id: stranger.id }, ['Assigned to must be an active user of the clinic']],
      [{ activity_type: 'note', body: 'b', assigned_to_id: bob.id, modality: 'video', due_at: '2030-01-01T00:00:00Z' }, ['Modality is only allowed for appointments and meetings', 'Due at is only allowed for tasks']],
      [{ activity_type: 'walk', assigned_to_id: bob.id, status: 'done', booked_at: 'tomorrow' }, ['Activity type is not included in the list', 'Booked at must be a valid date and time (ISO 8601)', 'Status is not included in the list']],
    ];
    for (const [activity, errors] of types) {
      const r = await create(activity);
      expect(r.statusCode, JSON.stringify(activity)).toBe(422);
      expect(r.json().errors, JSON.stringify(activity)).toEqual(errors);
    }
  });

  it('logs a call by hand with outcome and duration, and needs a voice call of the same patient otherwise', async () => {
    const byHand = await create({ activity_type: 'call', assigned_to_id: bob.id, outcome: 'reached', duration: 12, subject: 'Desk phone' });
    expect(byHand.statusCode).toBe(201);
    expect(byHand.json().activity.event).toMatchObject({ event_type: 'call', prtf_category: 'telehealth_encounter' });

    const org = coord.organizationId;
    const theirs = await insertVoiceCall(t.database.db, { organizationId: org, patientId: otherPatientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550101', status: 'completed' });
    const wrong = await create({ activity_type: 'call', assigned_to_id: bob.id, voice_call_id: theirs.id });
    expect(wrong.json().errors).toEqual(['Voice call must be a voice call of the same patient']);

    const mine = await insertVoiceCall(t.database.db, { organizationId: org, patientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550102', status: 'completed', durationSeconds: 130, memberReached: false });
    const ok = await create({ activity_type: 'call', assigned_to_id: bob.id, voice_call_id: mine.id, status: 'complete' });
    expect(ok.statusCode).toBe(201);
    const ev = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, ok.json().activity.id));
    expect(ev[0]).toMatchObject({ eventType: 'call', duration: 3, prtfCategory: 'telehealth_outreach' }); // voicemail: 130 s -> 3 min
  });

  it('needs a text message of the same patient for sms; a delivered one is telehealth outreach', async () => {
    const org = coord.organizationId;
    const msg = await insertTextMessage(t.database.db, { organizationId: org, patientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550103', body: 'Hi', status: 'delivered' });
    const res = await create({ activity_type: 'sms', assigned_to_id: bob.id, body: 'Hi', text_message_id: msg.id, status: 'complete' });
    expect(res.statusCode).toBe(201);
    expect(res.json().activity).toMatchObject({ text_message_id: msg.id, event: { event_type: 'sms', prtf_category: 'telehealth_outreach' } });
    const cross = await create({ activity_type: 'sms', assigned_to_id: bob.id, body: 'Hi', text_message_id: msg.id }, coord, otherPatientId);
    expect(cross.json().errors).toEqual(['Text message must be a text message of the same patient']);
  });

  it('answers 404 Patient not found for an unknown or foreign patient', async () => {
    for (const pid of [999999, strangerPatientId]) {
      const res = await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'x' }, coord, pid);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: ['Patient not found'] });
    }
  });
});

describe('subtasks, blocking and comments', () => {
  it('replays "Create Subtask" and lists subtasks as summaries in the parent', async () => {
    const parent = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Parent' })).json().activity;
    const sub = await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Call patient to confirm appointment time', parent_id: parent.id });
    expect(sub.statusCode).toBe(201);
    const detail = (await call(t.app, coord, 'GET', `${base()}/${parent.id}`)).json().activity;
    expect(detail.subtasks).toEqual([{
      id: sub.json().activity.id, activity_type: 'task', status: 'created', message: 'Call patient to confirm appointment time',
      subject: null, assigned_to_id: bob.id, assigned_to_name: 'Bob Manager',
    }]);
    const note = (await create({ activity_type: 'note', assigned_to_id: bob.id, body: 'n' })).json().activity;
    for (const parent_id of [note.id, 999999]) {
      const bad = await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'x', parent_id });
      expect(bad.json().errors).toEqual(['Subtasks can only be created under task-type activities']);
    }
    const foreign = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'theirs' }, coord, otherPatientId)).json().activity;
    const cross = await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'x', parent_id: foreign.id });
    expect(cross.json().errors).toEqual(['Subtasks can only be created under task-type activities']);
  });

  it('links blocking activities of the same patient and refuses cycles', async () => {
    const a = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'A' })).json().activity;
    const b = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'B', blocked_by_id: a.id })).json().activity;
    expect(b.blocked_by_id).toBe(a.id);
    const c = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'C', blocked_by_id: b.id })).json().activity;
    // a blocks b blocks c: c blocking a closes the loop.
    const loop = await call(t.app, coord, 'PUT', `${base()}/${c.id}`, { activity: { blocking_id: a.id } });
    expect(loop.statusCode).toBe(422);
    expect(loop.json().errors).toEqual(['Blocking links would make a cycle']);
    const self = await call(t.app, coord, 'PUT', `${base()}/${a.id}`, { activity: { blocked_by_id: a.id } });
    expect(self.json().errors).toEqual(['Blocking links would make a cycle']);
    const foreign = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'x' }, coord, otherPatientId)).json().activity;
    const cross = await call(t.app, coord, 'PUT', `${base()}/${a.id}`, { activity: { blocking_id: foreign.id } });
    expect(cross.json().errors).toEqual(['Blocking must be an activity of the same patient']);
    const fine = await call(t.app, coord, 'PUT', `${base()}/${c.id}`, { activity: { subject: 'still fine' } });
    expect(fine.statusCode).toBe(200);
  });

  it('adds comments with the author\'s name and counts them', async () => {
    const a = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Commented' })).json().activity;
    const c = await call(t.app, bob, 'POST', `${base()}/${a.id}/comments`, { comment: { body: 'Called patient, no answer' } });
    expect(c.statusCode).toBe(201);
    expect(c.json().comment).toMatchObject({ body: 'Called patient, no answer', user_id: bob.id, user_name: 'Bob Manager' });
    await call(t.app, coord, 'POST', `${base()}/${a.id}/comments`, { comment: { body: 'Will try again' } });
    const detail = (await call(t.app, coord, 'GET', `${base()}/${a.id}`)).json().activity;
    expect(detail.comments_count).toBe(2);
    expect(detail.comments.map((x: { body: string }) => x.body)).toEqual(['Called patient, no answer', 'Will try again']);
    const blank = await call(t.app, coord, 'POST', `${base()}/${a.id}/comments`, { comment: { body: '' } });
    expect(blank.json()).toEqual({ errors: ["Body can't be blank"] });
  });
});

describe('GET .../activities (seed 003 "List Patient Activities" and "Get Activity Details")', () => {
  it('replays the list example with its fields and page_size', async () => {
    const res = await call(t.app, coord, 'GET', `${base()}?activity_type=task&status=created&page_size=2`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.pagination).toMatchObject({ current_page: 1, per_page: 2 });
    expect(body.pagination.total_count).toBeGreaterThan(2);
    for (const key of ['id', 'activity_type', 'status', 'message', 'subject', 'body', 'occurred_at', 'patient_id', 'patient_name', 'performed_by_id',
      'performed_by_name', 'assigned_to_id', 'assigned_to_name', 'parent_id', 'comments_count', 'created_at', 'updated_at']) {
      expect(body.activities[0]).toHaveProperty(key);
    }
    expect(body.activities.every((a: { activity_type: string; status: string }) => a.activity_type === 'task' && a.status === 'created')).toBe(true);
    const mine = (await call(t.app, coord, 'GET', `${base()}?assigned_to_id=${coord.id}`)).json();
    expect(mine.pagination.total_count).toBe(0);
  });

  it('replays the detail example with every documented field', async () => {
    const a = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Follow up with patient about medication', subject: 'Medication Follow-up',
      body: 'Need to check if patient has started new medication regimen' })).json().activity;
    const res = await call(t.app, coord, 'GET', `${base()}/${a.id}`);
    expect(res.statusCode).toBe(200);
    const d = res.json().activity;
    for (const key of ['id', 'activity_type', 'status', 'message', 'subject', 'body', 'occurred_at', 'booked_at', 'email_to', 'transcript', 'patient_id',
      'patient_name', 'performed_by_id', 'performed_by_name', 'assigned_to_id', 'assigned_to_name', 'parent_id', 'blocked_by_id', 'blocking_id',
      'voice_call_id', 'text_message_id', 'comments', 'subtasks', 'event', 'created_at', 'updated_at']) {
      expect(d).toHaveProperty(key);
    }
    expect(d.event).toMatchObject({ id: expect.any(Number), event_type: 'task', status: 'created' });
  });

  it('answers 404 Activity not found for unknown, malformed, other-patient and other-clinic ids', async () => {
    const theirs = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'x' }, coord, otherPatientId)).json().activity;
    for (const id of ['999999', 'abc', String(theirs.id)]) {
      const res = await call(t.app, coord, 'GET', `${base()}/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: ['Activity not found'] });
    }
    const foreign = await call(t.app, stranger, 'GET', `/v1/clinic/ecm/patients/${patientId}/activities/${theirs.id}`);
    expect(foreign.json()).toEqual({ errors: ['Patient not found'] });
  });
});

describe('PUT and DELETE', () => {
  it('replays "Mark Task Complete"; the event follows', async () => {
    const a = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'To complete', duration: 5 })).json().activity;
    const res = await call(t.app, coord, 'PUT', `${base()}/${a.id}`, { activity: { status: 'complete' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().activity).toMatchObject({ status: 'complete', event: { status: 'complete', prtf_category: null } });
    const ev = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, a.id));
    expect(ev[0]).toMatchObject({ status: 'complete', duration: 5, body: 'To complete' });
    const blanked = await call(t.app, coord, 'PUT', `${base()}/${a.id}`, { activity: { message: '' } });
    expect(blanked.json().errors).toEqual(["Message can't be blank"]);
  });

  // Seed 003: "Update Activity" takes the same fields as create, activity_type included.
  it('changes activity_type among task, note, appointment, meeting and a call logged by hand; the event follows', async () => {
    const put = (id: number, activity: Record<string, unknown>) => call(t.app, coord, 'PUT', `${base()}/${id}`, { activity });
    const eventOf = async (id: number) => (await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, id)))[0];
    const a = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Visit', due_at: '2030-01-01T00:00:00Z' })).json().activity;

    // The new type's required fields must be present.
    const missing = await put(a.id, { activity_type: 'in_person_appointment' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json()).toEqual({ errors: ["Booked at can't be blank"] });

    // task -> appointment: the event is retyped (same row); the task's due date goes, modality defaults as on create.
    const appt = await put(a.id, { activity_type: 'in_person_appointment', booked_at: '2024-12-01T14:00:00Z', status: 'complete' });
    expect(appt.statusCode, appt.body).toBe(200);
    expect(appt.json().activity).toMatchObject({ activity_type: 'in_person_appointment', due_at: null, modality: 'in_person',
      event: { event_type: 'appointment', status: 'complete', occurred_at: '2024-12-01T14:00:00.000Z', prtf_category: 'in_person_encounter' } });
    const first = await eventOf(a.id);

    // -> note: a note makes no event, so the event is cancelled and counts in no PRTF category.
    const note = await put(a.id, { activity_type: 'note', body: 'Met at home' });
    expect(note.json().activity).toMatchObject({ activity_type: 'note', modality: null, event: { status: 'cancelled', prtf_category: null } });
    expect(await eventOf(a.id)).toMatchObject({ id: first.id, status: 'cancelled', prtfCategory: null });

    // -> a call logged by hand: the event comes back as a call, with its category.
    const logged = await put(a.id, { activity_type: 'call', outcome: 'reached', duration: 10 });
    expect(logged.json().activity).toMatchObject({ activity_type: 'call', event: { event_type: 'call', status: 'complete', prtf_category: 'telehealth_encounter' } });
    expect(await eventOf(a.id)).toMatchObject({ id: first.id, eventType: 'call', duration: 10 });

    // -> meeting, with a modality.
    const meeting = await put(a.id, { activity_type: 'meeting', booked_at: '2024-12-02T15:00:00Z', modality: 'video' });
    expect(meeting.json().activity).toMatchObject({ activity_type: 'meeting', modality: 'video', event: { event_type: 'meeting', prtf_category: 'telehealth_encounter' } });
    const audits = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.entityType, 'activity'), eq(auditEvents.action, 'update')));
    expect(audits.filter((r) => r.entityIds.includes(String(a.id))).length).toBeGreaterThanOrEqual(4);

    // Not to sms or email: those record a communication.
    const toSms = await put(a.id, { activity_type: 'sms', body: 'x' });
    expect(toSms.json()).toEqual({ errors: ['Activity type can only be changed among task, note, in_person_appointment, meeting, call'] });
  });

  it('keeps the type of an activity tied to a communication record, and of a task with subtasks, saying why', async () => {
    const org = coord.organizationId;
    const put = (id: number, activity: Record<string, unknown>) => call(t.app, coord, 'PUT', `${base()}/${id}`, { activity });
    const msg = await insertTextMessage(t.database.db, { organizationId: org, patientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550104', body: 'Hi', status: 'delivered' });
    const sms = (await create({ activity_type: 'sms', assigned_to_id: bob.id, body: 'Hi', text_message_id: msg.id })).json().activity;
    expect((await put(sms.id, { activity_type: 'note' })).json()).toEqual({ errors: ["Activity type can't be changed: the activity records a text message"] });

    const vc = await insertVoiceCall(t.database.db, { organizationId: org, patientId, direction: 'outbound', fromNumber: '+18055550100', toNumber: '+18055550105', status: 'completed' });
    const dialled = (await create({ activity_type: 'call', assigned_to_id: bob.id, voice_call_id: vc.id })).json().activity;
    expect((await put(dialled.id, { activity_type: 'task', message: 'x' })).json()).toEqual({ errors: ["Activity type can't be changed: the activity records a call made through Twilio"] });

    const email = (await create({ activity_type: 'email', assigned_to_id: bob.id, body: 'Hi', email_to: 'family@example.com' })).json().activity;
    expect((await put(email.id, { activity_type: 'note' })).json()).toEqual({ errors: ["Activity type can't be changed: the activity records an email queued or sent"] });

    const note = (await create({ activity_type: 'note', assigned_to_id: bob.id, body: 'n' })).json().activity;
    expect((await put(note.id, { activity_type: 'call', voice_call_id: vc.id })).json().errors).toContain('Activity type can only be changed to call for a call logged by hand (outcome and duration, no voice call)');

    const parent = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Parent' })).json().activity;
    await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Child', parent_id: parent.id });
    expect((await put(parent.id, { activity_type: 'note', body: 'n' })).json()).toEqual({ errors: ["Activity type can't be changed: the task has subtasks"] });
    // Nothing changed.
    for (const [id, type] of [[sms.id, 'sms'], [dialled.id, 'call'], [email.id, 'email'], [note.id, 'note'], [parent.id, 'task']] as const) {
      expect((await call(t.app, coord, 'GET', `${base()}/${id}`)).json().activity.activity_type).toBe(type);
    }
  });

  it('replays "Delete Activity": 204, gone from lists and details, event cancelled, subtasks too', async () => {
    const parent = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Doomed' })).json().activity;
    const child = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Doomed child', parent_id: parent.id })).json().activity;
    const del = await t.app.inject({ method: 'DELETE', url: `${base()}/${parent.id}`, headers: { 'x-user-token': coord.token, 'content-type': 'application/json' } });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    for (const id of [parent.id, child.id]) {
      expect((await call(t.app, coord, 'GET', `${base()}/${id}`)).statusCode).toBe(404);
      const [ev] = await t.database.db.select().from(ecmEvents).where(eq(ecmEvents.activityId, id));
      expect(ev.status).toBe('cancelled');
    }
    const list = (await call(t.app, coord, 'GET', `${base()}?per_page=100`)).json();
    expect(list.activities.some((a: { id: number }) => a.id === parent.id || a.id === child.id)).toBe(false);
    expect((await call(t.app, coord, 'DELETE', `${base()}/${parent.id}`)).statusCode).toBe(404);
  });

  it('keeps the member\'s activities_count and last_activity_at', async () => {
    const before = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/patients/${otherPatientId}`)).json().patient;
    const a = (await create({ activity_type: 'note', assigned_to_id: bob.id, body: 'x', occurred_at: '2025-01-02T03:04:05.000Z' }, coord, otherPatientId)).json().activity;
    const after = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/patients/${otherPatientId}`)).json().patient;
    expect(after.activities_count).toBe(before.activities_count + 1);
    await call(t.app, coord, 'DELETE', `/v1/clinic/ecm/patients/${otherPatientId}/activities/${a.id}`);
    const gone = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/patients/${otherPatientId}`)).json().patient;
    expect(gone.activities_count).toBe(before.activities_count);
  });
});

describe('activities_count and last_activity_at (kept as activities change, not recounted)', () => {
  /** The member's stats as the details answer them, and as a recount of the live activities gives them. */
  async function stats(pid: number) {
    const p = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/patients/${pid}`)).json().patient;
    const { rows: [r] } = await t.database.pool.query(
      `SELECT count(*)::int AS n, max(occurred_at) FILTER (WHERE occurred_at <= now()) AS last FROM activities WHERE patient_id = $1 AND deleted_at IS NULL`, [pid]);
    return { count: p.activities_count as number, last: p.last_activity_at as string | null, recount: { count: r.n as number, last: r.last ? (r.last as Date).toISOString() : null } };
  }
  const admin = () => createUser(t.services, 'Activity Clinic', 'admin', 'Stats Admin');

  it('counts every create (any type, by hand or from a communication) and moves last_activity_at to what has occurred', async () => {
    const pid = await enrol(await admin(), 'Stat', `S-${Date.now()}`);
    expect(await stats(pid)).toMatchObject({ count: 0, last: null });
    const now = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'now' }, coord, pid)).json().activity;
    expect(await stats(pid)).toMatchObject({ count: 1, last: now.occurred_at });
    await create({ activity_type: 'note', assigned_to_id: bob.id, body: 'earlier', occurred_at: '2024-01-02T03:04:05.000Z' }, coord, pid);
    await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'future', occurred_at: '2999-01-01T00:00:00.000Z' }, coord, pid);
    const msg = await insertTextMessage(t.database.db, { organizationId: coord.organizationId, patientId: pid, direction: 'inbound', fromNumber: '+18055550110', toNumber: '+18055550111', body: 'Hi', status: 'received' });
    await t.database.db.transaction((tx) => t.services.activities.recordCommunicationActivity(tx, {
      organizationId: coord.organizationId, patientId: pid, type: 'sms', performedById: null, assignedToId: bob.id, body: 'Hi', textMessageId: msg.id, occurredAt: new Date('2024-06-01T00:00:00.000Z'), status: 'complete',
    }));
    const s = await stats(pid);
    expect(s).toMatchObject({ count: 4, last: now.occurred_at });
    expect({ count: s.count, last: s.last }).toEqual(s.recount);
    // A create refused by the statement's own check (an assignee of another clinic) leaves no trace.
    const audits = async () => (await t.database.db.select().from(auditEvents).where(eq(auditEvents.organizationId, coord.organizationId))).length;
    const before = await audits();
    const refused = await create({ activity_type: 'task', assigned_to_id: stranger.id, message: 'nope' }, coord, pid);
    expect(refused.json()).toEqual({ errors: ['Assigned to must be an active user of the clinic'] });
    expect(await stats(pid)).toMatchObject({ count: 4, last: now.occurred_at });
    expect(await audits()).toBe(before + 1); // the GET in stats() only
  });

  it('keeps them right across updates of occurred_at, deletes (with subtasks) and concurrent creates', async () => {
    const pid = await enrol(await admin(), 'Stat', `T-${Date.now()}`);
    const a = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'a', occurred_at: '2025-03-01T00:00:00.000Z' }, coord, pid)).json().activity;
    const b = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'b', occurred_at: '2025-02-01T00:00:00.000Z' }, coord, pid)).json().activity;
    await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'b child', parent_id: b.id, occurred_at: '2025-01-01T00:00:00.000Z' }, coord, pid);
    expect(await stats(pid)).toMatchObject({ count: 3, last: '2025-03-01T00:00:00.000Z' });
    // Moving the latest activity back in time moves last_activity_at back to the latest that remains.
    await call(t.app, coord, 'PUT', `/v1/clinic/ecm/patients/${pid}/activities/${a.id}`, { activity: { occurred_at: '2024-12-01T00:00:00.000Z' } });
    expect(await stats(pid)).toMatchObject({ count: 3, last: '2025-02-01T00:00:00.000Z' });
    await call(t.app, coord, 'PUT', `/v1/clinic/ecm/patients/${pid}/activities/${a.id}`, { activity: { status: 'complete' } });
    expect(await stats(pid)).toMatchObject({ count: 3, last: '2025-02-01T00:00:00.000Z' });
    // Deleting a task deletes its subtask: two fewer, and the latest left is a.
    expect((await call(t.app, coord, 'DELETE', `/v1/clinic/ecm/patients/${pid}/activities/${b.id}`)).statusCode).toBe(204);
    expect(await stats(pid)).toMatchObject({ count: 1, last: '2024-12-01T00:00:00.000Z' });
    // A repeated delete changes nothing.
    expect((await call(t.app, coord, 'DELETE', `/v1/clinic/ecm/patients/${pid}/activities/${b.id}`)).statusCode).toBe(404);
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      create({ activity_type: 'note', assigned_to_id: bob.id, body: `n${i}`, occurred_at: `2025-04-0${i + 1}T00:00:00.000Z` }, coord, pid)));
    expect(created.every((r) => r.statusCode === 201)).toBe(true);
    const s = await stats(pid);
    expect(s).toMatchObject({ count: 9, last: '2025-04-08T00:00:00.000Z' });
    expect({ count: s.count, last: s.last }).toEqual(s.recount);
    expect((await call(t.app, coord, 'DELETE', `/v1/clinic/ecm/patients/${pid}/activities/${a.id}`)).statusCode).toBe(204);
    expect(await stats(pid)).toMatchObject({ count: 8, last: '2025-04-08T00:00:00.000Z' });
  });
});

describe('GET /v1/clinic/ecm/activities (across the clinic)', () => {
  it('gives a coordinator their open work, filters by patient and due_before, soonest due first', async () => {
    await create({ activity_type: 'task', assigned_to_id: coord.id, message: 'Late', due_at: '2025-01-01T17:00:00.000Z' });
    await create({ activity_type: 'task', assigned_to_id: coord.id, message: 'Later', due_at: '2025-03-01T17:00:00.000Z' }, coord, otherPatientId);
    await create({ activity_type: 'task', assigned_to_id: coord.id, message: 'Done', status: 'complete' });
    const mine = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/activities?assigned_to_id=${coord.id}&status=created`)).json();
    expect(mine.activities.map((a: { message: string }) => a.message).sort()).toEqual(['Late', 'Later']);
    const due = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/activities?assigned_to_id=${coord.id}&due_before=2025-06-01`)).json();
    expect(due.activities.map((a: { message: string }) => a.message)).toEqual(['Late', 'Later']);
    const early = (await call(t.app, coord, 'GET', '/v1/clinic/ecm/activities?due_before=2025-02-01T00:00:00Z')).json();
    expect(early.activities.map((a: { message: string }) => a.message)).toEqual(['Late']);
    const one = (await call(t.app, coord, 'GET', `/v1/clinic/ecm/activities?patient_id=${otherPatientId}&assigned_to_id=${coord.id}`)).json();
    expect(one.activities.map((a: { message: string; patient_name: string }) => [a.message, a.patient_name])).toEqual([['Later', 'Jim Doe']]);
    const theirs = (await call(t.app, stranger, 'GET', '/v1/clinic/ecm/activities')).json();
    expect(theirs.pagination.total_count).toBe(0);
  });
});

describe('audit', () => {
  it('writes a row for each read, list, create, update and delete of activities', async () => {
    const a = (await create({ activity_type: 'task', assigned_to_id: bob.id, message: 'Audited' })).json().activity;
    await call(t.app, coord, 'GET', `${base()}/${a.id}`);
    await call(t.app, coord, 'PUT', `${base()}/${a.id}`, { activity: { status: 'complete' } });
    await call(t.app, coord, 'DELETE', `${base()}/${a.id}`);
    const rows = await t.database.db.select().from(auditEvents)
      .where(and(eq(auditEvents.entityType, 'activity'), eq(auditEvents.actorId, String(coord.id))));
    const mine = rows.filter((r) => r.entityIds.includes(String(a.id))).map((r) => r.action);
    expect(mine).toEqual(['create', 'read', 'update', 'delete']);
  });
});
