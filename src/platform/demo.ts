/**
 * Demo data as a registry of per-feature seeders (STYLE.md rule 7): each feature
 * exports a `DemoSeeder`; `src/demo.ts` lists them in order. A seeder must be
 * idempotent (running `care demo` twice duplicates nothing) and deterministic
 * (fixed faker seed); what it returns is merged into the printed result.
 */
import type { Db } from '../db/pool.ts';

/**
 * What a seeder is given: `S` is the services it calls and `C` the settings it reads, each declared by the
 * feature; the composition root passes its whole service set and configuration, which satisfy every seeder's.
 */
export interface DemoContext<S = unknown, C = unknown> {
  db: Db;
  services: S;
  config: C;
  /** Output of the seeders that ran before this one (the clinic's ids, say). */
  previous: Record<string, unknown>;
}

export interface DemoSeeder<S = unknown, C = unknown> {
  /** Short name for logs: `ecm-clinic`, `ecm-activities`, ... */
  name: string;
  run(ctx: DemoContext<S, C>): Promise<Record<string, unknown>>;
}

/** Runs `seeders` in order and returns their merged output. */
export async function runDemoSeeders<S, C>(seeders: Array<DemoSeeder<S, C>>, db: Db, services: S, config: C): Promise<Record<string, unknown>> {
  let out: Record<string, unknown> = {};
  for (const seeder of seeders) {
    out = { ...out, ...(await seeder.run({ db, services, config, previous: out })) };
  }
  return out;
}
