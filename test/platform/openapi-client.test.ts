/**
 * The contract partners generate clients from, used the way a partner uses it: @hey-api/openapi-ts (a standard
 * pure-JavaScript generator) reads `/openapi.json` from a listening server and writes a TypeScript fetch client;
 * the generated code compiles under strict TypeScript, and its functions, named by the document's operationIds,
 * get a token, record a vital and list residents over real HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient as generateClient } from '@hey-api/openapi-ts';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { createPartner, insertEcpUser, type Partner } from '../support/ecp.ts';

let t: TestContext;
let base: string;
let partner: Partner;
let out: string;
const LOC = 'Evergreen Assisted Living';

beforeAll(async () => {
  t = await createTestContext();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  partner = await createPartner(t, 'Evergreen Senior Living', [LOC]);
  await insertEcpUser(t, partner, 'nurse.jane');
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'care-client-'));
  await generateClient({ input: `${base}/openapi.json`, output: { path: out }, logs: { level: 'silent', file: false } });
}, 60_000);
afterAll(async () => {
  if (out) fs.rmSync(out, { recursive: true, force: true });
  await t?.close();
});

/** A function generated from one operation: options in, `{ data, error, response }` out. */
type Operation = (options?: Record<string, unknown>) => Promise<{ data?: any; error?: any; response: Response }>;

describe('a TypeScript client generated from /openapi.json', () => {
  it('compiles under strict TypeScript', () => {
    const files = fs.readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(out, f));
    expect(files.map((f) => path.basename(f))).toContain('sdk.gen.ts');
    const program = ts.createProgram(files, {
      strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], types: [],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
  }, 60_000);

  it('gets a token, records a blood pressure reading and lists the residents, by operationId', async () => {
    const sdk = (await import(path.join(out, 'sdk.gen.ts'))) as Record<string, Operation>;
    const { client } = (await import(path.join(out, 'client.gen.ts'))) as { client: { setConfig(c: Record<string, unknown>): void } };
    client.setConfig({ baseUrl: base });

    // POST /token with the seed's JSON body: the operation declares no header credential of its own.
    const token = await sdk.issueAccessToken({
      body: { grant_type: 'client_credentials', client_id: partner.client_id, client_secret: partner.client_secret_base64, scope: 'resident.read resident.write vital.write' },
    });
    expect(token.response.status, JSON.stringify(token.error)).toBe(200);
    expect(token.data).toMatchObject({ token_type: 'Bearer', scope: 'resident.read resident.write vital.write' });

    // The generated client asks for each declared scheme of an operation by its header name.
    client.setConfig({
      auth: (scheme: { name?: string }) =>
        scheme.name === 'auth-bearer' ? `Bearer ${token.data.access_token}` : scheme.name === 'authorization' ? `Api-Key ${partner.api_key}` : undefined,
    });
    const created = await sdk.createResident({ body: { firstName: 'James', lastName: 'Baum', dateOfBirth: '1950-06-02', locationId: LOC, gender: 'Male' } });
    expect(created.response.status, JSON.stringify(created.error)).toBe(200);

    const vital = await sdk.createBloodPressureVital({
      body: { systolic: 128, diastolic: 82, location: LOC, loginName: 'nurse.jane', residentId: created.data.residentId, timestamp: '2025-10-10T08:00:00Z' },
    });
    expect(vital.response.status, JSON.stringify(vital.error)).toBe(200);
    expect(vital.data).toEqual({ result: 'Success' });

    const residents = await sdk.listResidents({ query: { location: LOC } });
    expect(residents.response.status, JSON.stringify(residents.error)).toBe(200);
    expect(residents.data).toMatchObject({ result: 'Success', numberOfResults: 1, data: [{ residentId: created.data.residentId, firstName: 'James', lastName: 'Baum' }] });

    // A refusal comes back as the typed error, in the ECP error shape.
    const refused = await sdk.createBloodPressureVital({ body: { systolic: 128, diastolic: 82, location: LOC, loginName: 'nobody', residentId: created.data.residentId } });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ result: 'Error', error: expect.any(String) });
  });
});
