/**
 * Demo seeder of the community workspace: passwords for two of the demo company's staff (`ecp/users/demo.ts`), so the
 * workspace can be tried at once: the System Admin Raj Patel (`rpatel`) and the charge nurse Maria Garcia (`mgarcia`)
 * of Evergreen Senior Living. Runs after the ECP seeders; each run sets the same passwords again (ending those two
 * users' sessions), so what `care demo` prints always signs in.
 */
import type { DemoSeeder } from '../../platform/demo.ts';
import { systemContext } from '../../platform/context.ts';
import { DEMO_COMPANY } from '../clients/demo.ts';
import type { CommunityAuthService } from './service.ts';

/** The demo users and their passwords (printed by `care demo`). */
export const DEMO_COMMUNITY_USERS = {
  admin: { loginName: 'rpatel', password: 'evergreen-admin-2024' },
  nurse: { loginName: 'mgarcia', password: 'evergreen-nurse-2024' },
} as const;

export const communityDemoSeeder: DemoSeeder<{ communityAuth: CommunityAuthService }> = {
  name: 'ecp-community',
  async run({ services }) {
    const ctx = systemContext(0, 'care demo');
    for (const u of Object.values(DEMO_COMMUNITY_USERS)) {
      await services.communityAuth.setPassword(ctx, DEMO_COMPANY, u.loginName, u.password, { mustChange: false });
    }
    return { community_company: DEMO_COMPANY, community_admin: DEMO_COMMUNITY_USERS.admin, community_nurse: DEMO_COMMUNITY_USERS.nurse };
  },
};
