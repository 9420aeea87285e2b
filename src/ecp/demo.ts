/**
 * Demo seeder of the ECP partner API: the company "Evergreen Senior Living" with the locations "Evergreen
 * Assisted Living" (the name seed 000's allergy example uses) and "Evergreen Memory Care", one partner client
 * with every scope, and 24 residents. Idempotent: residents are created once; the demo client keeps its
 * client_id and gets a fresh secret and Api-Key on every run, printed as `ecp_client`.
 */
import { Faker, en, en_US } from '@faker-js/faker';
import { and, eq, sql } from 'drizzle-orm';
import { ecpLocations, ecpResidents, partnerClients } from '../db/schema.ts';
import type { DemoSeeder } from '../platform/demo.ts';
import { newGuid } from './clients/service.ts';

export const DEMO_COMPANY = 'Evergreen Senior Living';
export const DEMO_LOCATIONS = ['Evergreen Assisted Living', 'Evergreen Memory Care'];

export const ecpDemoSeeder: DemoSeeder = {
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
      credentials = { ...secret, api_key: key.api_key, company_id: existing.organizationId, locations: locations.map((l) => ({ locationId: l.guid, name: l.name })) };
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
          });
        }
      });
    }
    return { ecp_client: credentials };
  },
};
