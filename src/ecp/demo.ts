/**
 * Demo seeder of the ECP partner API: the company "Evergreen Senior Living" with the locations "Evergreen
 * Assisted Living" (the name seed 000's allergy example uses) and "Evergreen Memory Care", one partner client
 * with every scope, 24 residents with contacts, allergies, diets and levels of care, an assessment template (score to Level 1-3), 6 staff users (login
 * names printed by `care demo`), and a month of vital readings (daily blood pressure, pulse, temperature and
 * blood oxygen; weekly weight; twice-daily blood sugar for diabetic residents). Idempotent: the data is created
 * once; the demo client keeps its client_id and gets a fresh secret and Api-Key on every run, printed as `ecp_client`.
 */
import { Faker, en, en_US } from '@faker-js/faker';
import { and, eq, sql } from 'drizzle-orm';
import { ecpAllergies, ecpContactResidents, ecpContacts, ecpLocations, ecpResidents, ecpUsers, ecpVitals, partnerClients } from '../db/schema.ts';
import type { Db } from '../db/pool.ts';
import type { DemoSeeder } from '../platform/demo.ts';
import type { AssessmentService } from './assessments/service.ts';
import { printableCredentials, type PartnerClientService } from './clients/service.ts';
import { systemContext } from '../platform/context.ts';
import { newGuid } from './shared/ids.ts';
import type { IdentityService } from '../platform/identity/service.ts';

export const DEMO_COMPANY = 'Evergreen Senior Living';
export const DEMO_LOCATIONS = ['Evergreen Assisted Living', 'Evergreen Memory Care'];

/**
 * The demo company's assessment template: five activities of daily living, 0 to 3 points each; the total (0-15)
 * picks Level 1, 2 or 3, the levels (and monthly charges) the demo residents already carry.
 */
export const DEMO_ASSESSMENT_TEMPLATE = {
  name: 'Evergreen Care Needs Assessment',
  description: 'Five activities of daily living, each scored 0 (independent) to 3 (total assistance).',
  questions: [
    ['bathing', 'Bathing'], ['dressing', 'Dressing'], ['mobility', 'Mobility and transfers'], ['medication', 'Medication management'], ['cognition', 'Cognition and memory'],
  ].map(([questionId, text]) => ({
    questionId, text,
    choices: [{ answer: 'Independent', points: 0 }, { answer: 'Cueing', points: 1 }, { answer: 'Hands-on help', points: 2 }, { answer: 'Total assistance', points: 3 }],
  })),
  levels: [
    { minScore: 0, maxScore: 4, name: 'Level 1', amount: 1200, amountFrequency: 'Monthly' as const },
    { minScore: 5, maxScore: 9, name: 'Level 2', amount: 1500, amountFrequency: 'Monthly' as const },
    { minScore: 10, maxScore: 15, name: 'Level 3', amount: 2100, amountFrequency: 'Monthly' as const },
  ],
};

export const ecpDemoSeeder: DemoSeeder<{ identity: IdentityService; partnerClients: PartnerClientService; residentAssessments: AssessmentService }> = {
  name: 'ecp-company',
  async run({ db, services }) {
    let org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    let credentials;
    const existing = org ? (await db.select().from(partnerClients).where(eq(partnerClients.organizationId, org.id)).limit(1))[0] : undefined;
    if (!existing) {
      credentials = await services.partnerClients.createClient(DEMO_COMPANY, DEMO_LOCATIONS);
      org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    } else {
      const secret = await services.partnerClients.rotateSecret(existing.clientId);
      const key = await services.partnerClients.rotateApiKey(existing.clientId);
      const locations = await services.partnerClients.locationsOf(existing);
      credentials = {
        ...secret, api_key: key.api_key, companyId: await services.partnerClients.companyGuid(existing.organizationId), company_id: existing.organizationId,
        locations: locations.map((l) => ({ locationId: l.guid, name: l.name })),
      };
    }
    const locations = await db.select().from(ecpLocations).where(eq(ecpLocations.organizationId, org!.id));
    const [{ count }] = await db.select({ count: sql<number>`count(*)::int` }).from(ecpResidents).where(and(eq(ecpResidents.organizationId, org!.id)));
    if (count === 0) {
      const faker = new Faker({ locale: [en_US, en] });
      faker.seed(4004);
      await db.transaction(async (tx) => {
        for (let i = 0; i < 24; i++) {
          const sex = faker.person.sexType();
          await tx.insert(ecpResidents).values({
            organizationId: org!.id,
            locationId: locations[i % locations.length].id,
            guid: newGuid(),
            firstName: faker.person.firstName(sex),
            lastName: faker.person.lastName(),
            dateOfBirth: faker.date.birthdate({ mode: 'age', min: 68, max: 99 }).toISOString().slice(0, 10),
            gender: sex === 'female' ? 'Female' : 'Male',
            room: `${100 + i}`,
            building: i % 2 ? 'East Wing' : 'West Wing',
            codeStatus: faker.helpers.arrayElement(['Full Code', 'DNR']),
            livingWill: faker.datatype.boolean(),
            moveInDate: faker.date.past({ years: 4 }).toISOString().slice(0, 10),
            status: 'Active',
            statusDescription: 'Active Resident',
            externalIds: { billingId: `BILL-${1000 + i}` },
            careType: locations[i % locations.length].name.includes('Memory') ? 'Memory Care' : 'Assisted Living',
            dietPlans: faker.helpers.arrayElements(['Regular/General', 'Diabetic Plate Method', 'No Added Salt (NAS)', 'Heart-Healthy (Cardiac)'], { min: 1, max: 2 }),
            foodTexture: faker.helpers.arrayElement(['Regular/Easy to Chew', 'Mechanical Soft', 'Soft & Bite-Sized']),
            fluidConsistency: faker.helpers.arrayElement(['Thin', 'Thin', 'Mildly Thick']),
            levelOfCareName: faker.helpers.arrayElement(['Level 1', 'Level 2', 'Level 3']),
            levelOfCareAmount: faker.helpers.arrayElement(['1200.00', '1500.00', '2100.00']),
            levelOfCareAmountFrequency: 'Monthly',
            levelOfCareEffectiveAt: faker.date.past({ years: 1 }),
          });
        }
      });
    }
    const [{ users }] = await db.select({ users: sql<number>`count(*)::int` }).from(ecpUsers).where(eq(ecpUsers.organizationId, org!.id));
    if (users === 0) await seedClinicalData(db, org!.id, locations);
    if (!(await services.residentAssessments.listTemplates(org!.id)).length) {
      await services.residentAssessments.defineTemplate(systemContext(org!.id, 'care demo'), org!.id, DEMO_ASSESSMENT_TEMPLATE);
    }
    return { ecp_client: printableCredentials(credentials), ecp_locations: locations.map((l) => l.name).sort(), ecp_staff: DEMO_STAFF.map((u) => u.loginName) };
  },
};

/** Demo staff: login names a partner can use as `loginName` in vitals and diagnoses. */
export const DEMO_STAFF = [
  { loginName: 'jbaum', firstName: 'James', lastName: 'Baum', role: 'Nursing', userGroup: 'RN', title: 'VP of Clinical Services' },
  { loginName: 'mgarcia', firstName: 'Maria', lastName: 'Garcia', role: 'Nursing', userGroup: 'RN', title: 'Charge Nurse' },
  { loginName: 'tnguyen', firstName: 'Tam', lastName: 'Nguyen', role: 'Med Passer', userGroup: 'Medpasser', title: 'Med Tech' },
  { loginName: 'kjohnson', firstName: 'Kim', lastName: 'Johnson', role: 'Caregiver', userGroup: 'Resident Assistant', title: 'Caregiver' },
  { loginName: 'rpatel', firstName: 'Raj', lastName: 'Patel', role: 'Director', userGroup: 'Director', title: 'Executive Director' },
  { loginName: 'lchen', firstName: 'Li', lastName: 'Chen', role: 'Maintenance', userGroup: 'Maintenance', title: 'Facilities' },
];

/** Staff, contacts, allergies and a month of vitals for the demo company (one transaction). */
async function seedClinicalData(db: Db, organizationId: number, locations: Array<typeof ecpLocations.$inferSelect>) {
  const faker = new Faker({ locale: [en_US, en] });
  faker.seed(4005);
  const residents = await db.select().from(ecpResidents).where(eq(ecpResidents.organizationId, organizationId)).orderBy(ecpResidents.id);
  await db.transaction(async (tx) => {
    const staff = await tx.insert(ecpUsers).values(DEMO_STAFF.map((u, i) => ({
      organizationId,
      guid: newGuid(),
      ...u,
      chartingInitials: `${u.firstName.slice(0, 2)}${u.lastName.slice(0, 2)}`,
      email: `${u.loginName}@evergreen.example`,
      systemAdmin: i === 4,
      viewAllResidents: i < 2 || i === 4,
      locationIds: i === 3 ? [locations[0].id] : locations.map((l) => l.id),
    }))).returning();
    const nurses = staff.filter((u) => u.userGroup !== 'Maintenance' && u.userGroup !== 'Director');
    for (const r of residents) {
      const lastName = faker.helpers.arrayElement([r.lastName, faker.person.lastName()]);
      const [contact] = await tx.insert(ecpContacts).values({
        organizationId, locationId: r.locationId, guid: newGuid(),
        firstName: faker.person.firstName(), lastName,
        phone: faker.phone.number({ style: 'national' }).slice(0, 16), email: faker.internet.email().toLowerCase(),
        city: faker.location.city().slice(0, 50), state: faker.location.state({ abbreviated: true }), zip: faker.location.zipCode('#####'),
        preferredContactMethod: faker.helpers.arrayElement(['Phone', 'Text', 'Email']),
        preferredContactTime: faker.helpers.arrayElement(['Morning', 'Afternoon', 'Evening']),
      }).returning();
      await tx.insert(ecpContactResidents).values({
        contactId: contact.id, residentId: r.id, relationship: faker.helpers.arrayElement(['Daughter', 'Son', 'Spouse', 'Niece', 'Friend']),
        primaryContact: true, healthCarePoa: faker.datatype.boolean(),
      });
      const allergies = faker.helpers.arrayElements(['Penicillin', 'Peanuts', 'Latex', 'Shellfish', 'Sulfa drugs', 'Bees', 'Gluten'], { min: 0, max: 3 });
      if (allergies.length) await tx.insert(ecpAllergies).values(allergies.map((allergy) => ({ organizationId, residentId: r.id, allergy })));
    }
    const vitals: Array<typeof ecpVitals.$inferInsert> = [];
    const start = Date.now() - 30 * 86_400_000;
    for (const r of residents) {
      const diabetic = r.dietPlans.includes('Diabetic Plate Method');
      const baseWeight = faker.number.int({ min: 110, max: 210 });
      for (let day = 0; day < 30; day++) {
        const at = (hour: number) => new Date(start + day * 86_400_000 + hour * 3_600_000 + faker.number.int({ min: 0, max: 40 }) * 60_000);
        const by = faker.helpers.arrayElement(nurses);
        const base = { organizationId, locationId: r.locationId, residentId: r.id, userId: by.id };
        const systolic = faker.number.int({ min: 110, max: 150 });
        vitals.push(
          { ...base, vitalType: 'blood-pressure', value: systolic, value2: systolic - faker.number.int({ min: 30, max: 60 }), recordedAt: at(8) },
          { ...base, vitalType: 'pulse', value: faker.number.int({ min: 58, max: 92 }), recordedAt: at(8) },
          { ...base, vitalType: 'temperature', value: faker.number.float({ min: 97.2, max: 99.4, fractionDigits: 1 }), recordedAt: at(8) },
          { ...base, vitalType: 'blood-ox', value: faker.number.int({ min: 92, max: 99 }), recordedAt: at(8) },
          { ...base, vitalType: 'respirations', value: faker.number.int({ min: 12, max: 20 }), recordedAt: at(8) },
        );
        if (day % 7 === 0) vitals.push({ ...base, vitalType: 'weight', value: baseWeight + faker.number.float({ min: -2, max: 2, fractionDigits: 1 }), recordedAt: at(9) });
        if (diabetic) {
          vitals.push({ ...base, vitalType: 'blood-sugar', value: faker.number.int({ min: 80, max: 180 }), recordedAt: at(7) });
          vitals.push({ ...base, vitalType: 'blood-sugar', value: faker.number.int({ min: 90, max: 220 }), recordedAt: at(17) });
        }
      }
    }
    for (let i = 0; i < vitals.length; i += 1000) await tx.insert(ecpVitals).values(vitals.slice(i, i + 1000));
  });
}
