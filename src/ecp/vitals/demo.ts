/**
 * Demo seeder of ECP vitals: a month of readings for each demo resident, recorded by the nursing staff (daily blood
 * pressure, pulse, temperature, blood oxygen and respirations; weekly weight; twice-daily blood sugar for residents
 * on the diabetic diet). Deterministic (faker seed 4007); idempotent (runs only while the company has no readings).
 */
import { Faker, en, en_US } from '@faker-js/faker';
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { DEMO_COMPANY } from '../clients/demo.ts';
import { residentsOfCompany } from '../residents/service.ts';
import { companyUsers } from '../users/service.ts';
import { countReadings, insertReadingRows, type NewVitalRow } from './store.ts';

export const ecpVitalSeeder: DemoSeeder<{ identity: IdentityService }> = {
  name: 'ecp-vitals',
  async run({ db, services }) {
    const org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    if (!org || (await countReadings(db, org.id)) > 0) return {};
    const nurses = (await companyUsers(db, org.id)).filter((u) => u.userGroup !== 'Maintenance' && u.userGroup !== 'Director');
    if (!nurses.length) return {};
    const residents = await residentsOfCompany(db, org.id);
    const faker = new Faker({ locale: [en_US, en] });
    faker.seed(4007);
    const vitals: NewVitalRow[] = [];
    const start = Date.now() - 30 * 86_400_000;
    for (const r of residents) {
      const diabetic = r.dietPlans.includes('Diabetic Plate Method');
      const baseWeight = faker.number.int({ min: 110, max: 210 });
      for (let day = 0; day < 30; day++) {
        const at = (hour: number) => new Date(start + day * 86_400_000 + hour * 3_600_000 + faker.number.int({ min: 0, max: 40 }) * 60_000);
        const by = faker.helpers.arrayElement(nurses);
        const base = { organizationId: org.id, locationId: r.locationId, residentId: r.id, userId: by.id };
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
    await db.transaction((tx) => insertReadingRows(tx, vitals));
    return {};
  },
};
