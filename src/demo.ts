/**
 * The demo seeders of every feature, in the order they run. A feature adds its
 * demo data by appending its seeder here (STYLE.md rule 7).
 */
import { ecmActivitySeeder } from './ecm/activities/demo.ts';
import { ecmClinicSeeder } from './ecm/patients/demo.ts';
import type { DemoSeeder } from './platform/demo.ts';
import type { Services } from './app.ts';
import type { Config } from './config.ts';
import { ecpDemoSeeder } from './ecp/demo.ts';
import { communityDemoSeeder } from './ecp/community/demo.ts';

export const demoSeeders: Array<DemoSeeder<Services, Config>> = [ecmClinicSeeder, ecmActivitySeeder, ecpDemoSeeder, communityDemoSeeder];
