/**
 * Demo seeder of ECP residents: 24 residents of the demo company, spread over its locations in turn, with diets and
 * levels of care. Deterministic (faker seed 4004); idempotent (runs only while the company has no residents).
 */
import { Faker, en, en_US } from '@faker-js/faker';
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { DEMO_COMPANY } from '../clients/demo.ts';
import { companyLocations } from '../clients/service.ts';
import { newGuid } from '../shared/ids.ts';
import { countResidents, insertResident } from './store.ts';

export const ecpResidentSeeder: DemoSeeder<{ identity: IdentityService }> = {
  name: 'ecp-residents',
  async run({ db, services }) {
    const org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    if (!org || (await countResidents(db, org.id)) > 0) return {};
    const locations = await companyLocations(db, org.id);
    const faker = new Faker({ locale: [en_US, en] });
    faker.seed(4004);
    await db.transaction(async (tx) => {
      for (let i = 0; i < 24; i++) {
        const sex = faker.person.sexType();
        await insertResident(tx, {
          organizationId: org.id,
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
    return {};
  },
};
