/**
 * The limit of 10 Bulk Data exports queued or running per client holds under concurrent kick-offs: the count and the
 * insert run under a per-client transaction lock (src/fhir/export/store.ts `lockClientExports`). No job workers run
 * here, so no export finishes during the burst.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { fhirExports } from '../../src/db/schema.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { createPartner, tokenFor } from '../support/ecp.ts';

let t: TestContext;
afterAll(() => t.close());
beforeAll(async () => {
  t = await createTestContext();
});

describe('exports in progress per client, under concurrency', () => {
  it('lets exactly two of six simultaneous kick-offs through when the client already has eight in progress', async () => {
    const p = await createPartner(t, 'Larch Living', ['Larch House']);
    const token = await tokenFor(t.app, p);
    await t.database.db.insert(fhirExports).values(Array.from({ length: 8 }, (_, i) => ({
      organizationId: p.company_id, publicId: `larch${i}`, clientId: p.client_id, scopes: ['resident.read'], level: 'system', types: ['Patient'],
      requestUrl: 'http://care.test/fhir/R4/$export', transactionTime: new Date(),
    })));
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.app.inject({
      method: 'GET', url: '/fhir/R4/$export', headers: { authorization: `Bearer ${token}`, prefer: 'respond-async' },
    })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 202, 429, 429, 429, 429]);
    const active = await t.database.db.select().from(fhirExports)
      .where(and(eq(fhirExports.clientId, p.client_id), inArray(fhirExports.status, ['queued', 'running'])));
    expect(active).toHaveLength(10);
  });
});
