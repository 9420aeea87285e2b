/** Placeholder, being built. */
import type { Db } from '../../db/pool.ts';

export function createEcpUserService(_deps: { db: Db; clock?: () => Date }) {
  return {};
}

export type EcpUserService = ReturnType<typeof createEcpUserService>;
