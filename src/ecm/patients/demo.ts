/**
 * Demo seeder of the ECM clinic: organization "Demo Clinic" with its settings,
 * an admin, care coordinators and providers, and 240 members across every
 * `member_record_status` and `acuity_level`, with eligibility, case loads,
 * authorizations and status history. Deterministic (faker seed 2024) and
 * idempotent: members are created only when the clinic has none; users are
 * created when missing; new tokens are issued on every run.
 *
 * Phone numbers come from the fictional 555-0100..555-0199 range (NANP reserves
 * it for fiction), spread over California area codes so every member's number
 * is unique and valid for libphonenumber-js.
 */
import { Faker, en, en_US } from '@faker-js/faker';
import { and, asc, eq, sql } from 'drizzle-orm';
import { ecmEligibilityInformations, ecmAuthorizations, patients as patientsTable, users } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import { systemContext, type Role } from '../../platform/context.ts';
import { hashPassword } from '../../platform/crypto.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { MEMBER_RECORD_STATUSES, ACUITY_LEVELS } from './schemas.ts';
import * as store from './store.ts';

export const DEMO_CLINIC = 'Demo Clinic';
export const DEMO_PASSWORD = 'demo-password-2024';
export const DEMO_ADMIN_EMAIL = 'admin@demo-clinic.example.com';
const PATIENT_COUNT = 240;
const AREA_CODES = ['213', '310', '323', '424', '562', '626', '661', '714', '805', '818', '909', '949'];

/** The i-th fictional member phone number (E.164), unique for i < 1200. */
export function demoPhone(i: number): string {
  return `+1${AREA_CODES[Math.floor(i / 100)]}55501${String(i % 100).padStart(2, '0')}`;
}

const STAFF: Array<{ email: string; name: string; role: Role; phone: string }> = [
  { email: DEMO_ADMIN_EMAIL, name: 'Alicia Admin', role: 'admin', phone: '+19165550100' },
  { email: 'maria.coordinator@demo-clinic.example.com', name: 'Maria Lopez', role: 'care_coordinator', phone: '+19165550101' },
  { email: 'james.coordinator@demo-clinic.example.com', name: 'James Carter', role: 'care_coordinator', phone: '+19165550102' },
  { email: 'priya.coordinator@demo-clinic.example.com', name: 'Priya Patel', role: 'care_coordinator', phone: '+19165550103' },
  { email: 'dev.coordinator@demo-clinic.example.com', name: 'Devon Brooks', role: 'care_coordinator', phone: '+19165550104' },
  { email: 'dr.smith@demo-clinic.example.com', name: 'Dr. Helen Smith', role: 'provider', phone: '+19165550105' },
  { email: 'dr.nguyen@demo-clinic.example.com', name: 'Dr. Kevin Nguyen', role: 'provider', phone: '+19165550106' },
  { email: 'dr.garcia@demo-clinic.example.com', name: 'Dr. Rosa Garcia', role: 'provider', phone: '+19165550107' },
];

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export const ecmClinicSeeder: DemoSeeder<{ identity: IdentityService }, { twilio: { fromNumber: string } | undefined }> = {
  name: 'ecm-clinic',
  async run({ db, services, config }) {
    // The clinic texts and calls from TWILIO_FROM_NUMBER when Twilio is configured (else a fictional number).
    const clinicNumber = config.twilio?.fromNumber ?? '+14155550101';
    let org = await services.identity.ensureOrganization(DEMO_CLINIC, {
      kind: 'ecm_clinic',
      npi: '1234567890',
      tin: '954567890',
      phone: '+14155550100',
      timeZone: 'America/Los_Angeles',
      mcpId: 'DEMO-MCP-01',
      mcpName: 'Golden State Health Plan',
    });
    const warnings: string[] = [];
    if (!org.phoneNumbers.includes(clinicNumber)) {
      // The same rule as the settings: a number another clinic holds stays with it (its members' replies go there).
      try {
        org = await services.identity.updateOrganization(systemContext(org.id, 'care demo'), { phone_numbers: [clinicNumber, ...org.phoneNumbers] });
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        warnings.push(`${err.messages.join('; ')} by another organization, so Demo Clinic does not text or call from it`);
      }
    }
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const ctx = systemContext(org.id, 'System Import');

    const staff = await db.transaction(async (tx) => {
      for (const s of STAFF) {
        await tx
          .insert(users)
          .values({ organizationId: org.id, email: s.email, name: s.name, role: s.role, phone: s.phone, passwordHash })
          .onConflictDoNothing();
      }
      return tx.select().from(users).where(eq(users.organizationId, org.id)).orderBy(asc(users.id));
    });
    const byRole = (role: Role) => staff.filter((u) => u.role === role && u.active);
    const coordinators = byRole('care_coordinator');
    const providers = byRole('provider');

    const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(patientsTable).where(eq(patientsTable.organizationId, org.id));
    if (count === 0) {
      const faker = new Faker({ locale: [en_US, en] });
      faker.seed(2024);
      const today = new Date();
      await db.transaction(async (tx) => {
        const ids: number[] = [];
        for (let i = 0; i < PATIENT_COUNT; i++) {
          const sex = faker.person.sexType();
          const firstName = faker.person.firstName(sex);
          const lastName = faker.person.lastName();
          const status = MEMBER_RECORD_STATUSES[i % MEMBER_RECORD_STATUSES.length];
          const acuity = ACUITY_LEVELS[Math.floor(i / 5) % ACUITY_LEVELS.length];
          const enrolled = faker.date.between({ from: new Date(today.getTime() - 540 * 86_400_000), to: new Date(today.getTime() - 30 * 86_400_000) });
          const authEnd = new Date(enrolled.getTime() + 365 * 86_400_000);
          const p = await store.insertPatient(tx, {
            organizationId: org.id,
            firstName,
            lastName,
            dateOfBirth: isoDate(faker.date.birthdate({ mode: 'age', min: 19, max: 88 })),
            gender: sex,
            phone: demoPhone(i),
            email: faker.internet.email({ firstName, lastName, provider: 'example.com' }).toLowerCase(),
            addressStreet: faker.location.streetAddress(),
            addressCity: faker.helpers.arrayElement(['Los Angeles', 'Long Beach', 'Pasadena', 'Glendale', 'Torrance', 'Inglewood', 'Pomona']),
            addressState: 'CA',
            addressZip: faker.helpers.arrayElement(['90001', '90011', '90805', '91101', '91205', '90503', '90301', '91766']),
            services: i % 4 === 0 ? ['ecm', 'clinical'] : ['ecm'],
            createdAt: enrolled,
            updatedAt: enrolled,
          });
          ids.push(p.id);
          const memberId = `MEM${String(i + 1).padStart(10, '0')}`;
          await store.insertEligibility(tx, {
            organizationId: org.id,
            patientId: p.id,
            memberId,
            cin: `9${faker.string.numeric(7)}${faker.string.alpha({ length: 1, casing: 'upper' })}`,
            ecmServiceAuthId: `AUTH${String(i + 1).padStart(6, '0')}`,
            ecmProviderName: DEMO_CLINIC,
            ecmNpi: org.npi,
            ecmBenefitAuthEffDate: isoDate(enrolled),
            ecmBenefitAuthEndDate: isoDate(authEnd),
            acuityLevel: acuity,
            memberRecordStatus: status,
            createdAt: enrolled,
            updatedAt: enrolled,
          });
          await store.upsertCaseLoad(tx, {
            organizationId: org.id,
            patientId: p.id,
            providerId: providers[i % providers.length]?.id ?? null,
            olcmUserId: coordinators[i % coordinators.length]?.id ?? null,
            ilcmUserId: coordinators[(i + 1) % coordinators.length]?.id ?? null,
          });
          const authStatus = { new_member: 'Approved', continuing_member: 'Approved', pending_member: 'Pending', terminated_member: 'Terminated', inactive_member: 'Approved' }[status];
          await tx.insert(ecmAuthorizations).values({
            organizationId: org.id,
            patientId: p.id,
            authNo: `AUTH${String(i + 1).padStart(10, '0')}`,
            authType: 'ES',
            authorizationType: faker.helpers.arrayElement(['Form I', 'Form E', 'Form C']),
            status: authStatus,
            startDate: isoDate(enrolled),
            expirationDate: isoDate(authEnd),
          });
          await store.insertStatusHistory(tx, { organizationId: org.id, patientId: p.id, status: 'new_member', changedAt: enrolled, changedBy: 'System Import' });
          if (status !== 'new_member') {
            await store.insertStatusHistory(tx, {
              organizationId: org.id,
              patientId: p.id,
              status,
              changedAt: new Date(enrolled.getTime() + 20 * 86_400_000),
              changedBy: staff[0].name,
              changedByUserId: staff[0].id,
            });
          }
        }
        await recordAudit(tx, ctx, { action: 'create', entityType: 'patient', entityIds: ids });
      });
    }

    const patientIds = (
      await db
        .select({ id: patientsTable.id })
        .from(patientsTable)
        .innerJoin(ecmEligibilityInformations, eq(ecmEligibilityInformations.patientId, patientsTable.id))
        .where(and(eq(patientsTable.organizationId, org.id)))
        .orderBy(asc(patientsTable.id))
    ).map((r) => r.id);
    const admin = staff.find((u) => u.email === DEMO_ADMIN_EMAIL)!;
    const coordinator = coordinators[0];
    return {
      organization_id: org.id,
      admin_email: DEMO_ADMIN_EMAIL,
      coordinator_email: coordinator.email,
      password: DEMO_PASSWORD,
      admin_token: await services.identity.issueToken(admin.id, org.id),
      coordinator_token: await services.identity.issueToken(coordinator.id, org.id),
      patient_ids: patientIds,
      ...(warnings.length ? { warnings } : {}),
    };
  },
};
