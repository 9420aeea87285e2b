/** Placeholder, being built. */
import type { Db } from '../../db/pool.ts';

export function createIcd10cmService(_deps: { db: Db; clock?: () => Date }) {
  return {};
}

export type Icd10cmService = ReturnType<typeof createIcd10cmService>;
