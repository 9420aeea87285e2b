/**
 * Demo seeder of the ECP company (the first of the ECP seeders): "Evergreen Senior Living" with the locations
 * "Evergreen Assisted Living" (the name seed 000's allergy example uses) and "Evergreen Memory Care", and one partner
 * client with every scope. Idempotent: the company and client are created once; the demo client keeps its
 * client_id and gets a fresh secret and Api-Key on every run, printed as `ecp_client` (with `ecp_locations`).
 */
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { clientOfCompany, companyLocations, printableCredentials, type ClientCredentials, type PartnerClientService } from './service.ts';

export const DEMO_COMPANY = 'Evergreen Senior Living';
export const DEMO_LOCATIONS = ['Evergreen Assisted Living', 'Evergreen Memory Care'];

export const ecpCompanySeeder: DemoSeeder<{ identity: IdentityService; partnerClients: PartnerClientService }> = {
  name: 'ecp-company',
  async run({ db, services }) {
    const org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    const existing = org ? await clientOfCompany(db, org.id) : undefined;
    let credentials: ClientCredentials;
    if (!existing) {
      credentials = await services.partnerClients.createClient(DEMO_COMPANY, DEMO_LOCATIONS);
    } else {
      const secret = await services.partnerClients.rotateSecret(existing.clientId);
      const key = await services.partnerClients.rotateApiKey(existing.clientId);
      const locations = await services.partnerClients.locationsOf(existing);
      credentials = {
        ...secret, api_key: key.api_key, companyId: await services.partnerClients.companyGuid(existing.organizationId), company_id: existing.organizationId,
        locations: locations.map((l) => ({ locationId: l.guid, name: l.name })),
      };
    }
    const locations = await companyLocations(db, credentials.company_id);
    return { ecp_client: printableCredentials(credentials), ecp_locations: locations.map((l) => l.name).sort() };
  },
};
