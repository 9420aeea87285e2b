import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditInsertSql } from '../../src/platform/audit.ts';
import { systemContext } from '../../src/platform/context.ts';
import { createTestContext, type TestContext } from '../support/app.ts';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

describe('auditInsertSql', () => {
  it('writes the same row as recordAudit from a list of ids, and from a text[] expression over another CTE', async () => {
    const { rows: [org] } = await t.database.pool.query(`INSERT INTO organizations (name, kind) VALUES ('Audit Clinic', 'ecm_clinic') RETURNING id`);
    const ctx = { ...systemContext(org.id, 'Audit test'), ip: '10.0.0.7', requestId: 'req-1' };
    await t.database.db.execute(sql`WITH audit AS (${auditInsertSql(ctx, { action: 'read', entityType: 'patient', entityIds: [3, 'x'] })}) SELECT 1`);
    await t.database.db.execute(sql`WITH ids AS (SELECT g::text AS id FROM generate_series(1, 3) g),
      audit AS (${auditInsertSql(ctx, { action: 'list', entityType: 'patient', entityIds: sql`(SELECT array_agg(id) FROM ids)` })}) SELECT 1`);
    await t.database.db.execute(sql`WITH ids AS (SELECT 'a' AS id WHERE false),
      audit AS (${auditInsertSql(ctx, { action: 'list', entityType: 'patient', entityIds: sql`(SELECT array_agg(id) FROM ids)` })}) SELECT 1`);
    const { rows } = await t.database.pool.query(`SELECT actor_type, actor_id, actor_name, action, entity_type, entity_ids, host(ip) AS ip, request_id
      FROM audit_events WHERE organization_id = $1 ORDER BY id`, [org.id]);
    expect(rows).toEqual([
      { actor_type: 'system', actor_id: null, actor_name: 'Audit test', action: 'read', entity_type: 'patient', entity_ids: ['3', 'x'], ip: '10.0.0.7', request_id: 'req-1' },
      { actor_type: 'system', actor_id: null, actor_name: 'Audit test', action: 'list', entity_type: 'patient', entity_ids: ['1', '2', '3'], ip: '10.0.0.7', request_id: 'req-1' },
      { actor_type: 'system', actor_id: null, actor_name: 'Audit test', action: 'list', entity_type: 'patient', entity_ids: [], ip: '10.0.0.7', request_id: 'req-1' },
    ]);
  });

  it('writes no row when `when` does not hold (a read that found nothing)', async () => {
    const { rows: [org] } = await t.database.pool.query(`INSERT INTO organizations (name, kind) VALUES ('Audit Clinic 2', 'ecm_clinic') RETURNING id`);
    const ctx = { ...systemContext(org.id, 'Audit test'), ip: null, requestId: null };
    for (const found of [false, true]) {
      await t.database.db.execute(sql`WITH m AS (SELECT 7 AS id WHERE ${found}),
        audit AS (${auditInsertSql(ctx, { action: 'read', entityType: 'patient', entityIds: sql`(SELECT array_agg(id::text) FROM m)`, when: sql`EXISTS (SELECT 1 FROM m)` })}) SELECT 1`);
    }
    const { rows } = await t.database.pool.query(`SELECT action, entity_ids FROM audit_events WHERE organization_id = $1`, [org.id]);
    expect(rows).toEqual([{ action: 'read', entity_ids: ['7'] }]);
  });
});
