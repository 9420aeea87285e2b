/**
 * The Drizzle schema: every table of the platform, one file per family under `schema/` (platform, ECM, ECP).
 * drizzle-kit generates the SQL migrations in `migrations/` from those files (`npm run db:generate`, which reads
 * `src/db/schema/*.ts`); migrations are never edited once landed. This barrel keeps one import for the code
 * that uses tables of several families.
 *
 * Every tenant-owned table carries `organization_id` (ARCHITECTURE.md, "Processes and scale"); timestamps are
 * `timestamptz` (UTC), dates are `date` read as `YYYY-MM-DD` strings.
 */
export * from './schema/platform.ts';
export * from './schema/ecm.ts';
export * from './schema/ecp.ts';
