/**
 * Demo seeder of ECP allergies: up to 3 common allergies for each demo resident. Deterministic (faker seed 4006);
 * idempotent (runs only while the company has no allergy rows).
 */
import { Faker, en, en_US } from '@faker-js/faker';
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { DEMO_COMPANY } from '../clients/demo.ts';
import { residentsOfCompany } from '../residents/service.ts';
import { countAllergies, insertAllergies, type NewAllergyRow } from './store.ts';

export const ecpAllergySeeder: DemoSeeder<{ identity: IdentityService }> = {
  name: 'ecp-allergies',
  async run({ db, services }) {
    const org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    if (!org || (await countAllergies(db, org.id)) > 0) return {};
    const residents = await residentsOfCompany(db, org.id);
    const faker = new Faker({ locale: [en_US, en] });
    faker.seed(4006);
    const rows: NewAllergyRow[] = [];
    for (const r of residents) {
      const allergies = faker.helpers.arrayElements(['Penicillin', 'Peanuts', 'Latex', 'Shellfish', 'Sulfa drugs', 'Bees', 'Gluten'], { min: 0, max: 3 });
      for (const allergy of allergies) rows.push({ organizationId: org.id, residentId: r.id, allergy });
    }
    await insertAllergies(db, rows);
    return {};
  },
};
