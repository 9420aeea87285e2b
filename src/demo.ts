/**
 * The demo seeders of every feature, in the order they run. A feature adds its
 * demo data by appending its seeder here (STYLE.md rule 7).
 */
import { ecmActivitySeeder } from './ecm/activities/demo.ts';
import { ecmClinicSeeder } from './ecm/patients/demo.ts';
import type { DemoSeeder } from './platform/demo.ts';
import type { Services } from './app.ts';
import type { Config } from './config.ts';
import { ecpAllergySeeder } from './ecp/allergies/demo.ts';
import { ecpAssessmentSeeder } from './ecp/assessments/demo.ts';
import { ecpCompanySeeder } from './ecp/clients/demo.ts';
import { communityDemoSeeder } from './ecp/community/demo.ts';
import { ecpContactSeeder } from './ecp/contacts/demo.ts';
import { ecpResidentSeeder } from './ecp/residents/demo.ts';
import { ecpStaffSeeder } from './ecp/users/demo.ts';
import { ecpVitalSeeder } from './ecp/vitals/demo.ts';

export const demoSeeders: Array<DemoSeeder<Services, Config>> = [
  ecmClinicSeeder, ecmActivitySeeder,
  // ECP: the company and its client first, then residents and staff, then what belongs to residents, then the
  // assessment template and the community workspace's demo passwords (of two of the staff).
  ecpCompanySeeder, ecpResidentSeeder, ecpStaffSeeder, ecpContactSeeder, ecpAllergySeeder, ecpVitalSeeder, ecpAssessmentSeeder,
  communityDemoSeeder,
];
