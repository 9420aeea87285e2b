/**
 * Demo data as a registry of per-feature seeders (STYLE.md rule 7): each feature
 * exports a `DemoSeeder`; `src/demo.ts` lists them in order. A seeder must be
 * idempotent (running `care demo` twice duplicates nothing) and deterministic
 * (fixed faker seed); what it returns is merged into the printed result.
 */
import type { Services } from '../app.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';

export interface DemoContext {
  db: Db;
  services: Services;
  config: Config;
  /** Output of the seeders that ran before this one (the clinic's ids, say). */
  previous: Record<string, unknown>;
}

export interface DemoSeeder {
  /** Short name for logs: `ecm-clinic`, `ecm-activities`, ... */
  name: string;
  run(ctx: DemoContext): Promise<Record<string, unknown>>;
}

/** Runs `seeders` in order and returns their merged output. */
export async function runDemoSeeders(seeders: DemoSeeder[], db: Db, services: Services, config: Config): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> = {};
  for (const seeder of seeders) {
    out = { ...out, ...(await seeder.run({ db, services, config, previous: out })) };
  }
  return out;
}
