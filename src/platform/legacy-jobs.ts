/**
 * The move from pg-boss 10 to the current major. pg-boss migrates its own schema only from 11 on: a database of the
 * previous release holds pg-boss 10's tables (schema `pgboss`, schema version 21 to 24) that the current pg-boss
 * cannot read. The current one is installed beside it (`job_queue`, see `jobs.ts`), and the jobs still to run are
 * moved across: each is deleted from pg-boss 10's table and inserted into the new one in the same statement, so a
 * job is in exactly one of the two, and runs once whichever side takes it (a worker of the previous release still
 * running during a rolling upgrade locks the job it takes; the move skips locked rows). A job keeps its id,
 * payload, retry settings and count, start time and creation time. Direct INSERTs into pg-boss's job table are a
 * documented way of creating jobs (pg-boss docs, "Job table").
 *
 * Moved: `created` and `retry` jobs, and `active` ones whose handler died (past their expiry) with retries left,
 * which become `retry` as pg-boss 10's own maintenance would have made them. Left: jobs being handled by a live
 * worker of the previous release (moved once they expire), finished ones, and jobs of queues this release does not
 * have. pg-boss 10's schema is never dropped here: API processes of the previous release may still write to it.
 * Once none runs, `DROP SCHEMA pgboss CASCADE` (README, "Upgrading").
 */
import type { Db as BossDb } from 'pg-boss';

const LEGACY_SCHEMA = 'pgboss';
/** pg-boss 10.0.0 installed schema version 21; 10.1.5 and later releases of 10 use 24. */
const LEGACY_VERSIONS = { min: 21, max: 24 };
const BATCH = 1000;

/**
 * Moves the pending jobs of pg-boss 10's schema, if the database has one, into the queues of schema `to` (pg-boss
 * installed there, `queues` created), in batches until none is left to move.
 * @returns jobs moved, and jobs still in pg-boss 10's schema that are not finished (running, or of unknown queues).
 * @throws when `pgboss` holds a pg-boss of another major.
 */
export async function moveLegacyJobs(db: BossDb, { to, queues }: { to: string; queues: string[] }): Promise<{ moved: number; left: number }> {
  const { rows: found } = await db.executeSql(
    `SELECT to_regclass('${LEGACY_SCHEMA}.version') IS NOT NULL AND to_regclass('${LEGACY_SCHEMA}.job') IS NOT NULL AS present`,
  );
  if (!found[0]?.present) return { moved: 0, left: 0 };
  const { rows: versions } = await db.executeSql(`SELECT version FROM ${LEGACY_SCHEMA}.version`);
  const version = Number(versions[0]?.version);
  if (!(version >= LEGACY_VERSIONS.min && version <= LEGACY_VERSIONS.max)) {
    throw new Error(`schema ${LEGACY_SCHEMA} holds pg-boss schema version ${version}, not pg-boss 10's (${LEGACY_VERSIONS.min}-${LEGACY_VERSIONS.max}): its jobs are not moved`);
  }
  let moved = 0;
  for (;;) {
    const { rows } = await db.executeSql(moveBatchSql(to), [queues, BATCH]);
    moved += rows.length;
    if (rows.length < BATCH) break;
  }
  const { rows: left } = await db.executeSql(
    `SELECT count(*)::int AS n FROM ${LEGACY_SCHEMA}.job WHERE state IN ('created', 'retry', 'active')`,
  );
  return { moved, left: Number(left[0]?.n ?? 0) };
}

/** One batch: `$1` queue names, `$2` batch size; returns one row per job moved. */
function moveBatchSql(to: string): string {
  return `
    WITH picked AS (
      SELECT j.name, j.id
      FROM ${LEGACY_SCHEMA}.job j
      WHERE j.name = ANY($1::text[])
        AND j.name IN (SELECT name FROM ${to}.queue)
        AND (j.state IN ('created', 'retry')
          OR (j.state = 'active' AND j.started_on + j.expire_in < now() AND j.retry_count < j.retry_limit))
      ORDER BY j.created_on
      LIMIT $2
      FOR UPDATE OF j SKIP LOCKED
    ), moved AS (
      DELETE FROM ${LEGACY_SCHEMA}.job j USING picked p
      WHERE j.name = p.name AND j.id = p.id
      RETURNING j.*
    )
    INSERT INTO ${to}.job (
      id, name, priority, data, state, retry_limit, retry_count, retry_delay, retry_backoff, retry_delay_max,
      expire_seconds, deletion_seconds, singleton_key, singleton_on, start_after, created_on, started_on, keep_until,
      policy, dead_letter, heartbeat_seconds
    )
    SELECT m.id, m.name, m.priority, m.data,
      (CASE WHEN m.state = 'active' THEN 'retry' ELSE m.state::text END)::${to}.job_state,
      m.retry_limit, m.retry_count, m.retry_delay, m.retry_backoff, q.retry_delay_max,
      GREATEST(1, ceil(extract(epoch FROM m.expire_in)))::int, q.deletion_seconds,
      m.singleton_key, m.singleton_on,
      CASE WHEN m.state = 'active' THEN now() ELSE m.start_after END,
      m.created_on, m.started_on, m.keep_until,
      q.policy, m.dead_letter, q.heartbeat_seconds
    FROM moved m JOIN ${to}.queue q ON q.name = m.name
    RETURNING id`;
}
