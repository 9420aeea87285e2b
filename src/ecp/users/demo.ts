/**
 * Demo seeder of ECP staff: the 6 users of `DEMO_STAFF` in the demo company (the care aide at the first location
 * only), printed as `ecp_staff` (login names a partner can use as `loginName`). Idempotent (inserts only while the
 * company has no users).
 */
import type { DemoSeeder } from '../../platform/demo.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { DEMO_COMPANY } from '../clients/demo.ts';
import { companyLocations } from '../clients/service.ts';
import { newGuid } from '../shared/ids.ts';
import { countUsers, insertUsers } from './store.ts';

/** Demo staff: login names a partner can use as `loginName` in vitals and diagnoses. */
export const DEMO_STAFF = [
  { loginName: 'jbaum', firstName: 'James', lastName: 'Baum', role: 'Nursing', userGroup: 'RN', title: 'VP of Clinical Services' },
  { loginName: 'mgarcia', firstName: 'Maria', lastName: 'Garcia', role: 'Nursing', userGroup: 'RN', title: 'Charge Nurse' },
  { loginName: 'tnguyen', firstName: 'Tam', lastName: 'Nguyen', role: 'Med Passer', userGroup: 'Medpasser', title: 'Med Tech' },
  { loginName: 'kjohnson', firstName: 'Kim', lastName: 'Johnson', role: 'Caregiver', userGroup: 'Resident Assistant', title: 'Caregiver' },
  { loginName: 'rpatel', firstName: 'Raj', lastName: 'Patel', role: 'Director', userGroup: 'Director', title: 'Executive Director' },
  { loginName: 'lchen', firstName: 'Li', lastName: 'Chen', role: 'Maintenance', userGroup: 'Maintenance', title: 'Facilities' },
];

export const ecpStaffSeeder: DemoSeeder<{ identity: IdentityService }> = {
  name: 'ecp-staff',
  async run({ db, services }) {
    const org = await services.identity.findOrganizationByName(DEMO_COMPANY);
    if (!org) return {};
    if ((await countUsers(db, org.id)) === 0) {
      const locations = await companyLocations(db, org.id);
      await insertUsers(db, DEMO_STAFF.map((u, i) => ({
        organizationId: org.id,
        guid: newGuid(),
        ...u,
        chartingInitials: `${u.firstName.slice(0, 2)}${u.lastName.slice(0, 2)}`,
        email: `${u.loginName}@evergreen.example`,
        systemAdmin: i === 4,
        viewAllResidents: i < 2 || i === 4,
        locationIds: i === 3 ? [locations[0].id] : locations.map((l) => l.id),
      })));
    }
    return { ecp_staff: DEMO_STAFF.map((u) => u.loginName) };
  },
};
