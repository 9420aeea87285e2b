/** Placeholder, being built. */
import type { Db } from '../../db/pool.ts';

export function createDiagnosisService(_deps: { db: Db; clock?: () => Date }) {
  return {};
}

export type DiagnosisService = ReturnType<typeof createDiagnosisService>;
