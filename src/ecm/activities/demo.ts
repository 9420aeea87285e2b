/**
 * Demo seeder of activities and events: for every Demo Clinic member, a
 * realistic history over the last 120 days (tasks, notes, delivered and failed
 * SMS, reached and unanswered calls, sent emails, held, missed and upcoming
 * appointments and video meetings), each with its event, written through the
 * same store and events service as the API. Deterministic (faker seed 3003);
 * idempotent (runs only while the clinic has no activities). Nothing is sent:
 * the SMS, call and email records say what happened.
 */
import { Faker, en, en_US } from '@faker-js/faker';
import { and, asc, eq, sql } from 'drizzle-orm';
import { activities, patients, users } from '../../db/schema.ts';
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import type { PatientService } from '../patients/service.ts';
import type { EventService } from '../events/service.ts';
import { insertTextMessageRecord, insertVoiceCallRecord } from '../communications/service.ts';
import { DEMO_CLINIC } from '../patients/demo.ts';
import type { CommunicationRecords } from '../events/service.ts';
import * as store from './store.ts';

const DAY = 86_400_000;

export const ecmActivitySeeder: DemoSeeder<{ identity: IdentityService; events: EventService; patients: PatientService }> = {
  name: 'ecm-activities',
  async run({ db, services }) {
    const org = await services.identity.findOrganizationByName(DEMO_CLINIC);
    if (!org) return {};
    const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(activities).where(eq(activities.organizationId, org.id));
    if (count > 0) return {};
    const staff = await db.select().from(users).where(eq(users.organizationId, org.id)).orderBy(asc(users.id));
    const coordinators = staff.filter((u) => u.role === 'care_coordinator');
    const members = await db.select({ id: patients.id, phone: patients.phone, email: patients.email }).from(patients)
      .where(and(eq(patients.organizationId, org.id))).orderBy(asc(patients.id));
    const clinicNumber = org.phoneNumbers[0] ?? org.phone ?? '+14155550101';
    const faker = new Faker({ locale: [en_US, en] });
    faker.seed(3003);
    const now = Date.now();

    await db.transaction(async (tx) => {
      for (const m of members) {
        const coord = coordinators[m.id % coordinators.length];
        const base = { organizationId: org.id, patientId: m.id, performedById: coord.id, assignedToId: coord.id };
        let added = 0;
        let latest: Date | null = null;
        const add = async (values: Omit<store.NewActivity, 'organizationId' | 'patientId' | 'assignedToId'>, records: CommunicationRecords = {}) => {
          const a = await store.insertActivity(tx, { ...base, ...values });
          await services.events.syncEventForActivity(tx, a, records);
          added++;
          if (a.occurredAt.getTime() <= now && (!latest || a.occurredAt > latest)) latest = a.occurredAt;
        };
        const when = (maxDaysAgo: number) => new Date(now - faker.number.int({ min: 1, max: maxDaysAgo }) * DAY - faker.number.int({ min: 0, max: 8 }) * 3_600_000);
        const n = faker.number.int({ min: 4, max: 12 });
        for (let i = 0; i < n; i++) {
          const kind = faker.helpers.weightedArrayElement([
            { weight: 3, value: 'task' }, { weight: 2, value: 'note' }, { weight: 4, value: 'sms' }, { weight: 4, value: 'call' },
            { weight: 1, value: 'email' }, { weight: 2, value: 'appointment' }, { weight: 1, value: 'meeting' },
          ]);
          const at = when(120);
          if (kind === 'task') {
            const done = faker.datatype.boolean(0.6);
            await add({ activityType: 'task', status: done ? 'complete' : 'created', occurredAt: at, subject: faker.helpers.arrayElement(['Medication follow-up', 'Housing referral', 'Transportation', 'Benefits paperwork', 'Care plan review']), message: faker.helpers.arrayElement(['Follow up with member about medication refills', 'Send housing navigation referral', 'Arrange ride to PCP visit', 'Help complete CalFresh renewal', 'Review care plan goals with member']), dueAt: new Date(at.getTime() + 7 * DAY), duration: done ? faker.number.int({ min: 5, max: 30 }) : null });
          } else if (kind === 'note') {
            await add({ activityType: 'note', occurredAt: at, subject: 'Progress note', body: faker.helpers.arrayElement(['Member reports feeling better since starting new medication.', 'Member missed last PCP visit; will reschedule.', 'Discussed food insecurity resources with member.', 'Member moved in with family; updated address pending.']) });
          } else if (kind === 'sms' && m.phone) {
            const delivered = faker.datatype.boolean(0.9);
            const body = faker.helpers.arrayElement(['Hi, this is your care team checking in. Reply if you need anything.', 'Reminder: you have an appointment tomorrow.', 'Please call us back when you have a moment.']);
            const msg = await insertTextMessageRecord(tx, { organizationId: org.id, patientId: m.id, direction: 'outbound', fromNumber: clinicNumber, toNumber: m.phone, body, status: delivered ? 'delivered' : 'undelivered', errorCode: delivered ? null : 30003, sentByUserId: coord.id, createdAt: at, updatedAt: at });
            await add({ activityType: 'sms', status: delivered ? 'complete' : 'created', occurredAt: at, body, textMessageId: msg.id }, { textMessage: msg });
          } else if (kind === 'call' && m.phone) {
            const reached = faker.datatype.boolean(0.55);
            const seconds = reached ? faker.number.int({ min: 120, max: 1800 }) : faker.number.int({ min: 0, max: 40 });
            const vc = await insertVoiceCallRecord(tx, { organizationId: org.id, patientId: m.id, direction: 'outbound', fromNumber: clinicNumber, toNumber: m.phone, status: reached ? 'completed' : faker.helpers.arrayElement(['no-answer', 'busy', 'completed']), durationSeconds: seconds, memberReached: reached, placedByUserId: coord.id, createdAt: at, updatedAt: at });
            await add({ activityType: 'call', status: 'complete', occurredAt: at, subject: reached ? 'Check-in call' : 'Outreach attempt', voiceCallId: vc.id }, { voiceCall: vc });
          } else if (kind === 'email' && m.email) {
            await add({ activityType: 'email', status: 'complete', occurredAt: at, emailTo: m.email, subject: 'Your care plan', body: 'Attached is a summary of your care plan. Call us with any questions.', emailStatus: 'sent', emailSentAt: at, emailAttempts: 1 });
          } else if (kind === 'appointment' || kind === 'meeting') {
            const upcoming = faker.datatype.boolean(0.2);
            const booked = upcoming ? new Date(now + faker.number.int({ min: 1, max: 30 }) * DAY) : at;
            const outcome = upcoming ? null : faker.helpers.weightedArrayElement([{ weight: 8, value: 'reached' }, { weight: 2, value: 'no_show' }]);
            await add({
              activityType: kind === 'meeting' ? 'meeting' : 'in_person_appointment',
              status: upcoming ? 'created' : 'complete',
              occurredAt: upcoming ? new Date(now - DAY) : at,
              bookedAt: booked,
              modality: kind === 'meeting' ? faker.helpers.arrayElement(['video', 'phone']) : 'in_person',
              outcome,
              duration: upcoming || outcome === 'no_show' ? null : faker.number.int({ min: 20, max: 60 }),
              subject: kind === 'meeting' ? 'Care conference' : 'Monthly check-in',
            });
          }
        }
        await store.applyActivityStats(tx, m.id, { countDelta: added, occurredAt: latest });
      }
    });
    return {};
  },
};
