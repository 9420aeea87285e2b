/**
 * Demo seeder of ECP contacts: one primary contact (a relative or friend) for each demo resident, at the resident's
 * location. Deterministic (faker seed 4005); idempotent (runs only while the company has no contacts).
 */
import { Faker, en, en_US } from '@faker-js/faker';
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { DEMO_COMPANY } from '../clients/demo.ts';
import { residentsOfCompany } from '../residents/service.ts';
import { newGuid } from '../shared/ids.ts';
import { countContacts, insertContact, insertLink } from './store.ts';

export const ecpContactSeeder: DemoSeeder<{ identity: IdentityService }> = {
  name: 'ecp-contacts',
  async run({ db, services }) {
    const org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    if (!org || (await countContacts(db, org.id)) > 0) return {};
    const residents = await residentsOfCompany(db, org.id);
    const faker = new Faker({ locale: [en_US, en] });
    faker.seed(4005);
    await db.transaction(async (tx) => {
      for (const r of residents) {
        const lastName = faker.helpers.arrayElement([r.lastName, faker.person.lastName()]);
        const contact = await insertContact(tx, {
          organizationId: org.id, locationId: r.locationId, guid: newGuid(),
          firstName: faker.person.firstName(), lastName,
          phone: faker.phone.number({ style: 'national' }).slice(0, 16), email: faker.internet.email().toLowerCase(),
          city: faker.location.city().slice(0, 50), state: faker.location.state({ abbreviated: true }), zip: faker.location.zipCode('#####'),
          preferredContactMethod: faker.helpers.arrayElement(['Phone', 'Text', 'Email']),
          preferredContactTime: faker.helpers.arrayElement(['Morning', 'Afternoon', 'Evening']),
        });
        await insertLink(tx, contact.id, r.id, {
          relationship: faker.helpers.arrayElement(['Daughter', 'Son', 'Spouse', 'Niece', 'Friend']),
          primaryContact: true, healthCarePoa: faker.datatype.boolean(),
        });
      }
    });
    return {};
  },
};
