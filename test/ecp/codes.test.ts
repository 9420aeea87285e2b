/**
 * ICD-10-CM code sets: CMS's FY2026 zip imported into a real database, the checks diagnoses rely on (dotted or
 * not, billable only, the fiscal year of the date), search, syntax-only mode, the `care codes import` command.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import yauzl from 'yauzl';
import { icd10cmCodes, icd10cmCodeSets } from '../../src/db/schema.ts';
import { codeSetStatus, fiscalYearOf, normalizeCode, type ImportResult } from '../../src/ecp/codes/service.ts';
import { ICD10CM_BUNDLED_FILE } from '../../src/root.ts';
import { createTestContext, type TestContext } from '../support/app.ts';
import { clinical, createPartner, createResident, insertEcpUser, tokenFor } from '../support/ecp.ts';
import { repeatedDeflate, zip } from '../support/zip.ts';

const root = path.resolve(import.meta.dirname, '../..');
const ZIP = path.resolve(root, '../shared/data/icd10cm/cms_2026_dx.zip');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'care-icd10cm-'));

let t: TestContext;
let imported: ImportResult;

/** One entry of the zip as text (read independently of the importer). */
function zipEntry(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.open(ZIP, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('entry', (e: yauzl.Entry) => {
        if (e.fileName !== name) return zip.readEntry();
        zip.openReadStream(e, (err2, stream) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolve(Buffer.concat(chunks).toString('latin1'));
          });
        });
      });
      zip.on('end', () => reject(new Error(`${name} not in zip`)));
      zip.readEntry();
    });
  });
}

/** An order-file line in CMS's fixed-width layout. */
function orderLine(n: number, code: string, billable: boolean, title: string): string {
  return `${String(n).padStart(5, '0')} ${code.padEnd(7)} ${billable ? 1 : 0} ${title.slice(0, 60).padEnd(60)} ${title}`;
}

function writeTmp(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

beforeAll(async () => {
  t = await createTestContext();
  const started = performance.now();
  imported = await t.services.codes.importFile(ZIP);
  console.log(`ICD-10-CM FY2026 zip imported in ${((performance.now() - started) / 1000).toFixed(2)} s`);
}, 120_000);
afterAll(async () => {
  await t.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('importing CMS FY2026', () => {
  it('imports every entry of the order file, billable and header codes, and records the set', async () => {
    expect(imported).toEqual({ fiscalYear: 2026, codeCount: 98_186, billableCount: 74_719, source: 'icd10cm_order_2026.txt' });
    const order = (await zipEntry('icd10cm_order_2026.txt')).split(/\r?\n/).filter(Boolean);
    const codes = (await zipEntry('icd10cm_codes_2026.txt')).split(/\r?\n/).filter(Boolean);
    expect(order.length).toBe(98_186);
    expect(order.filter((l) => l[14] === '1').length).toBe(74_719);
    expect(codes.length).toBe(74_719);
    const [set] = await t.database.db.select().from(icd10cmCodeSets).where(eq(icd10cmCodeSets.fiscalYear, 2026));
    expect(set).toMatchObject({ source: 'icd10cm_order_2026.txt', codeCount: 98_186 });
    // The billable codes of the order file are exactly the codes file's.
    const billable = await t.database.db.select({ code: icd10cmCodes.code }).from(icd10cmCodes).where(and(eq(icd10cmCodes.fiscalYear, 2026), eq(icd10cmCodes.billable, true)));
    expect(new Set(billable.map((r) => r.code))).toEqual(new Set(codes.map((l) => l.slice(0, 8).trim())));
    const [e119] = await t.database.db.select().from(icd10cmCodes).where(and(eq(icd10cmCodes.fiscalYear, 2026), eq(icd10cmCodes.code, 'E119')));
    expect(e119).toMatchObject({ billable: true, shortDescription: 'Type 2 diabetes mellitus without complications', longDescription: 'Type 2 diabetes mellitus without complications' });
    const [g43e11] = await t.database.db.select().from(icd10cmCodes).where(and(eq(icd10cmCodes.fiscalYear, 2026), eq(icd10cmCodes.code, 'G43E11')));
    expect(g43e11).toMatchObject({ shortDescription: 'Chronic migraine with aura, intractable, with stat migr', longDescription: 'Chronic migraine with aura, intractable, with status migrainosus' });
  });

  it('does not import a year again from importIfMissing, and says the set is loaded', async () => {
    expect(await t.services.codes.importIfMissing(ZIP)).toBeUndefined();
    expect(await t.services.codes.loadedYears()).toEqual([2026]);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({ status: 'ready', icd10cm: { fiscal_years: [2026] } });
  });

  it('refuses files that are not CMS layouts, naming the problem', async () => {
    await expect(t.services.codes.importFile(writeTmp('codes.txt', ['A000    Cholera']))).rejects.toThrow(/Cannot tell the layout and fiscal year of codes\.txt/);
    await expect(t.services.codes.importFile(writeTmp('icd10cm_order_2023.txt', [orderLine(1, 'A00', false, 'Cholera'), 'not a line']))).rejects.toThrow('icd10cm_order_2023.txt line 2 does not fit the order file layout');
    await expect(t.services.codes.importFile(writeTmp('icd10cm_codes_2023.txt', ['A000    Cholera', 'A000    Cholera again']))).rejects.toThrow('line 2 lists code A000 a second time');
    await expect(t.services.codes.importFile(path.join(tmp, 'icd10cm_order_2022.txt'))).rejects.toThrow('does not exist');
    await expect(t.services.codes.importFile(writeTmp('other.zip', ['not a zip']))).rejects.toThrow(/other\.zip is not a readable zip file/);
    expect(await t.services.codes.loadedYears()).toEqual([2026]);
  });
});

describe('checking a code', () => {
  const at = new Date('2026-01-15T10:00:00Z');

  it('accepts E11.9, E119, any case and blanks, and answers it dotted with its description', async () => {
    for (const input of ['E11.9', 'E119', ' e11.9 ', 'e119']) {
      expect(await t.services.codes.check(input, at)).toEqual({ code: 'E11.9', description: 'Type 2 diabetes mellitus without complications', fiscalYear: 2026 });
    }
    expect((await t.services.codes.check('s72.001a', at)).code).toBe('S72.001A');
  });

  it('refuses a category header as not billable, suggesting more specific codes', async () => {
    await expect(t.services.codes.check('E11', at)).rejects.toThrow(
      'code E11 (Type 2 diabetes mellitus) is a category header, not a billable ICD-10-CM code (FY2026): use a more specific code such as E11.00, E11.01, E11.10',
    );
  });

  it('refuses a made-up code and bad syntax', async () => {
    await expect(t.services.codes.check('E11.99', at)).rejects.toThrow('code E11.99 is not an ICD-10-CM code (FY2026)');
    for (const bad of ['11.9', 'E1', 'E11.', 'E11.12345', 'EE1.9', 'E11-9', '']) {
      await expect(t.services.codes.check(bad, at), bad).rejects.toThrow('is not ICD-10-CM syntax');
    }
  });

  it('normalizes and dates as the syntax says', () => {
    expect(normalizeCode('e11.65')).toBe('E1165');
    expect(normalizeCode('E1165')).toBe('E1165');
    expect(normalizeCode('E11.')).toBeUndefined();
    expect(fiscalYearOf(new Date('2025-09-30T23:59:59Z'))).toBe(2025);
    expect(fiscalYearOf(new Date('2025-10-01T00:00:00Z'))).toBe(2026);
  });

  it('uses the latest year for a date whose year is not imported, and the date\'s own year once imported', async () => {
    // Only FY2026 loaded: a FY2025 date is checked against FY2026.
    expect((await t.services.codes.check('E11.9', new Date('2025-03-01T00:00:00Z'))).fiscalYear).toBe(2026);
    const fy2025 = writeTmp('icd10cm_order_2025.txt', [
      orderLine(1, 'E11', false, 'Type 2 diabetes mellitus'),
      orderLine(2, 'E119', true, 'Type 2 diabetes mellitus without complications'),
      orderLine(3, 'U999', true, 'A code only this synthetic FY2025 set has'),
    ]);
    expect(await t.services.codes.importFile(fy2025)).toEqual({ fiscalYear: 2025, codeCount: 3, billableCount: 2, source: 'icd10cm_order_2025.txt' });
    expect(await t.services.codes.loadedYears()).toEqual([2025, 2026]);
    const [{ n }] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(icd10cmCodes).where(eq(icd10cmCodes.fiscalYear, 2026));
    expect(n).toBe(98_186);

    expect(await t.services.codes.check('U99.9', new Date('2025-09-30T12:00:00Z'))).toEqual({ code: 'U99.9', description: 'A code only this synthetic FY2025 set has', fiscalYear: 2025 });
    await expect(t.services.codes.check('E11.65', new Date('2025-03-01T00:00:00Z'))).rejects.toThrow('code E11.65 is not an ICD-10-CM code (FY2025)');
    await expect(t.services.codes.check('U99.9', new Date('2025-10-01T00:00:00Z'))).rejects.toThrow('code U99.9 is not an ICD-10-CM code (FY2026)');
    expect((await t.services.codes.check('E11.65', new Date('2025-10-01T00:00:00Z'))).fiscalYear).toBe(2026);
    // FY2027 and FY2024 are not imported: the latest (FY2026).
    expect((await t.services.codes.check('E11.65', new Date('2027-01-01T00:00:00Z'))).fiscalYear).toBe(2026);
    expect((await t.services.codes.check('E11.65', new Date('2024-01-01T00:00:00Z'))).fiscalYear).toBe(2026);
  });

  it('imports a bare codes file: every code billable, short description = long', async () => {
    const fy2024 = writeTmp('icd10cm_codes_2024.txt', ['A000    Cholera due to Vibrio cholerae 01, biovar cholerae', 'S72001A Fracture of unspecified part of neck of right femur, initial encounter for closed fracture']);
    expect(await t.services.codes.importFile(fy2024)).toEqual({ fiscalYear: 2024, codeCount: 2, billableCount: 2, source: 'icd10cm_codes_2024.txt' });
    const rows = await t.database.db.select().from(icd10cmCodes).where(eq(icd10cmCodes.fiscalYear, 2024));
    expect(rows.find((r) => r.code === 'S72001A')).toMatchObject({
      billable: true,
      shortDescription: 'Fracture of unspecified part of neck of right femur, initial encounter for closed fracture',
      longDescription: 'Fracture of unspecified part of neck of right femur, initial encounter for closed fracture',
    });
    expect((await t.services.codes.check('A00.0', new Date('2024-01-01T00:00:00Z'))).fiscalYear).toBe(2024);
    // Importing a year again replaces it.
    await t.services.codes.importFile(writeTmp('icd10cm_codes_2024.txt', ['A000    Cholera due to Vibrio cholerae 01, biovar cholerae']));
    expect((await t.database.db.select().from(icd10cmCodes).where(eq(icd10cmCodes.fiscalYear, 2024))).map((r) => r.code)).toEqual(['A000']);
    expect(await t.services.codes.loadedYears()).toEqual([2024, 2025, 2026]);
  });
});

describe('searching', () => {
  it('finds description words in the latest year, billable first', async () => {
    const r = await t.services.codes.search('diabetes', 50);
    expect(r.fiscalYear).toBe(2026);
    expect(r.data).toHaveLength(50);
    expect(r.data[0]).toEqual({ code: expect.any(String), description: expect.stringMatching(/diabetes/i), billable: true });
    for (const d of r.data) expect(d.description).toMatch(/diabetes/i);
    const words = await t.services.codes.search('type 2 diabetes kidney', 100);
    expect(words.data.map((d) => d.code)).toContain('E11.22');
    for (const d of words.data) expect(d.description).toMatch(/(?=.*type)(?=.*2)(?=.*diabetes)(?=.*kidney)/i);
    expect((await t.services.codes.search('zzqqxx', 10)).data).toEqual([]);
  });

  it('finds codes by prefix, dotted or not, billable first', async () => {
    const dotted = await t.services.codes.search('E11.6', 100);
    const plain = await t.services.codes.search('e116', 100);
    expect(plain).toEqual(dotted);
    expect(dotted.data.every((d) => d.code.startsWith('E11.6'))).toBe(true);
    const firstHeader = dotted.data.findIndex((d) => !d.billable);
    expect(firstHeader).toBeGreaterThan(0);
    expect(dotted.data.slice(firstHeader).every((d) => !d.billable)).toBe(true);
    expect(dotted.data[firstHeader]).toEqual({ code: 'E11.6', description: 'Type 2 diabetes mellitus with other specified complications', billable: false });
  });

  it('GET /clinical/v1/codes/icd10cm answers any valid token, without a scope', async () => {
    const p = await createPartner(t, 'Codes Co', ['Codes Home'], 'location.read');
    const creds = { token: await tokenFor(t.app, p), apiKey: p.api_key };
    const res = await clinical(t.app, creds, 'GET', '/clinical/v1/codes/icd10cm?search=diabetes&limit=5');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ result: 'Success', fiscalYear: 2026, numberOfResults: 5 });
    expect(res.json().data[0]).toEqual({ code: expect.stringMatching(/^[A-Z]\d[A-Z0-9](\.[A-Z0-9]{1,4})?$/), description: expect.any(String), billable: true });
    const byCode = await clinical(t.app, creds, 'GET', '/clinical/v1/codes/icd10cm?search=E11.9');
    expect(byCode.json().data).toEqual([{ code: 'E11.9', description: 'Type 2 diabetes mellitus without complications', billable: true }]);
    const body = await clinical(t.app, creds, 'GET', '/clinical/v1/codes/icd10cm', { search: 'E11.9' });
    expect(body.json().data).toEqual(byCode.json().data);
    expect((await clinical(t.app, creds, 'GET', '/clinical/v1/codes/icd10cm?search=E')).json()).toEqual({ result: 'Error', error: 'search must be at least 2 characters' });
    expect((await clinical(t.app, creds, 'GET', '/clinical/v1/codes/icd10cm')).json()).toEqual({ result: 'Error', error: 'search is required' });
    expect((await clinical(t.app, creds, 'GET', '/clinical/v1/codes/icd10cm?search=flu&limit=101')).statusCode).toBe(400);
    expect((await clinical(t.app, { apiKey: p.api_key }, 'GET', '/clinical/v1/codes/icd10cm?search=flu')).statusCode).toBe(401);
  });
});

describe('the code set shipped with the project', () => {
  it('is CMS\'s FY2026 order file, gzipped, and imports as the zip does', async () => {
    expect(fs.statSync(ICD10CM_BUNDLED_FILE).size).toBeLessThan(2 * 1024 * 1024);
    const order = (await zipEntry('icd10cm_order_2026.txt')).split(/\r?\n/).filter(Boolean);
    const shipped = zlib.gunzipSync(fs.readFileSync(ICD10CM_BUNDLED_FILE)).toString('latin1').split(/\r?\n/).filter(Boolean);
    expect(shipped).toEqual(order);
    const fresh = await createTestContext();
    try {
      // The template database holds it already (imported once in global setup, as `care serve` does).
      expect(await fresh.services.codes.loadedYears()).toEqual([2026]);
      expect(await fresh.services.codes.importIfMissing(ICD10CM_BUNDLED_FILE)).toBeUndefined();
      const [set] = await fresh.database.db.select().from(icd10cmCodeSets);
      expect(set).toMatchObject({ fiscalYear: 2026, source: 'icd10cm_order_2026.txt', codeCount: 98_186 });
      expect(await fresh.services.codes.check('Q99.Z9', new Date('2026-01-15T00:00:00Z')).catch((e: Error) => e.message)).toBe('code Q99.Z9 is not an ICD-10-CM code (FY2026)');
    } finally {
      await fresh.close();
    }
  }, 120_000);

  it('says which years are loaded and warns, naming the command, when the year in effect is newer', () => {
    const cases: Array<[number[], string, number, RegExp | undefined]> = [
      [[2026], '2026-09-30T23:59:59Z', 2026, undefined],
      [[2026], '2026-10-01T00:00:00Z', 2027, /^newest code set loaded is FY2026, but FY2027 is in effect since 2026-10-01: diagnoses dated from then on are checked against FY2026; import it with `care codes import icd10cm <zip>` or ICD10CM_FILE/],
      [[2026], '2026-12-07T08:00:00Z', 2027, /FY2027 is in effect since 2026-10-01/],
      [[2025, 2027], '2026-12-07T08:00:00Z', 2027, undefined],
      [[], '2026-12-07T08:00:00Z', 2027, /^no code set imported: diagnosis codes checked for syntax only; FY2027 is current, import it with `care codes import icd10cm <zip>`/],
    ];
    for (const [years, now, current, warning] of cases) {
      const s = codeSetStatus(years, new Date(now));
      expect(s.currentFiscalYear, now).toBe(current);
      if (warning) expect(s.warning, now).toMatch(warning);
      else expect(s.warning, now).toBeUndefined();
    }
  });
});

describe('without a code set (syntax only)', () => {
  let bare: TestContext;
  beforeAll(async () => {
    bare = await createTestContext();
    // The template holds the shipped FY2026 set; this file's own clone goes without it.
    await bare.database.db.delete(icd10cmCodeSets);
  });
  afterAll(() => bare.close());

  it('checks syntax only, finds nothing, and says so in /readyz', async () => {
    expect(await bare.services.codes.loadedYears()).toEqual([]);
    expect(await bare.services.codes.check('e11', new Date())).toEqual({ code: 'E11', description: null, fiscalYear: null });
    expect(await bare.services.codes.check('E11.99', new Date())).toEqual({ code: 'E11.99', description: null, fiscalYear: null });
    await expect(bare.services.codes.check('11.9', new Date())).rejects.toThrow('is not ICD-10-CM syntax');
    expect(await bare.services.codes.search('diabetes', 10)).toEqual({ fiscalYear: null, data: [] });
    const ready = await bare.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready', icd10cm: { fiscal_years: [], current_fiscal_year: fiscalYearOf(new Date()) },
      checks: { icd10cm: expect.stringMatching(/^no code set imported: diagnosis codes checked for syntax only; FY\d{4} is current, import it with `care codes import icd10cm <zip>`/) },
    });
  });

  it('a fresh `care serve` imports the shipped FY2026 set and ICD10CM_FILE, says which years it checks, and refuses Q99.Z9 (seed 000: "must precisely match an ICD-10 code")', async () => {
    const file = writeTmp('icd10cm_order_2022.txt', [orderLine(1, 'I10', true, 'Essential (primary) hypertension')]);
    const p = await createPartner(bare, 'Fresh Start Living', ['Fresh House']);
    await insertEcpUser(bare, p, 'fnurse');
    await createResident(bare.app, { token: await tokenFor(bare.app, p), apiKey: p.api_key }, { locationId: p.locations[0].locationId, firstName: 'Ida', lastName: 'Moss', dateOfBirth: '1941-07-07' });
    const child = spawn(process.execPath, [path.join(root, 'bin/care.js'), 'serve', '--role', 'api'], {
      cwd: root, env: { ...process.env, DATABASE_URL: bare.url, NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', ICD10CM_FILE: file, BACKUP_INTERVAL_HOURS: '0' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const until = Date.now() + 45_000;
      let base: string | undefined;
      while (!base && Date.now() < until && child.exitCode === null) {
        base = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(base, out).toBeDefined();
      const url = base!.replace('localhost', '127.0.0.1');
      expect(out).toContain('icd10cm: imported FY2026 from the code set shipped in data/icd10cm (98186 codes, 74719 billable)');
      expect(out).toContain('icd10cm: imported FY2022 from ICD10CM_FILE (1 codes, 1 billable)');
      expect(out).toContain('icd10cm: code sets loaded: FY2022, FY2026');
      expect(out).not.toContain('checked for syntax only');
      const current = fiscalYearOf(new Date());
      const ready = await (await fetch(`${url}/readyz`)).json();
      expect(ready).toMatchObject({ status: 'ready', icd10cm: { fiscal_years: [2022, 2026], current_fiscal_year: current } });
      // FY2027 took effect on 2026-10-01 and is not shipped: the log and /readyz say so and how to import it.
      if (current > 2026) {
        expect(out).toContain(`icd10cm: newest code set loaded is FY2026, but FY${current} is in effect since ${current - 1}-10-01`);
        expect(ready.checks.icd10cm).toMatch(/import it with `care codes import icd10cm <zip>` or ICD10CM_FILE/);
      }

      const token = (await (await fetch(`${url}/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: p.client_id, client_secret: p.client_secret_base64 }),
      })).json()).access_token as string;
      const diagnose = async (code: string, timestamp: string) => {
        const res = await fetch(`${url}/clinical/v1/resident/diagnosis`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'auth-bearer': `Bearer ${token}`, authorization: `Api-Key ${p.api_key}` },
          body: JSON.stringify({ loginName: 'fnurse', code, location: 'Fresh House', timestamp, firstName: 'Ida', lastName: 'Moss', dateOfBirth: '1941-07-07' }),
        });
        return { status: res.status, body: await res.json() };
      };
      // Dated in FY2027 (not loaded): checked against the newest loaded year.
      expect(await diagnose('Q99.Z9', '2026-11-02T13:37:27+00:00')).toEqual({ status: 400, body: { result: 'Error', error: 'code Q99.Z9 is not an ICD-10-CM code (FY2026)' } });
      expect((await diagnose('E11.9', '2026-11-02T13:37:27+00:00')).status).toBe(200);
      // Dated in FY2022: checked against that year's set.
      expect(await diagnose('E11.9', '2022-03-01T10:00:00+00:00')).toEqual({ status: 400, body: { result: 'Error', error: 'code E11.9 is not an ICD-10-CM code (FY2022)' } });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.on('exit', r)));
    }
    expect(await bare.services.codes.loadedYears()).toEqual([2022, 2026]);
  }, 120_000);

  it('`care codes import icd10cm <file>` imports a year and prints it', async () => {
    const file = writeTmp('icd10cm_order_2023.txt', [orderLine(1, 'E11', false, 'Type 2 diabetes mellitus'), orderLine(2, 'E119', true, 'Type 2 diabetes mellitus without complications')]);
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/care.js'), 'codes', 'import', ...args], {
      cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, DATABASE_URL: bare.url, NODE_ENV: 'test' },
    });
    const human = run(['icd10cm', file]);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^Imported ICD-10-CM FY2023 \(2022-10-01 to 2023-09-30\) from icd10cm_order_2023\.txt: 2 codes, 1 billable, in [\d.]+ s\.\n$/);
    const json = run(['icd10cm', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ fiscalYear: 2023, codeCount: 2, billableCount: 1, source: 'icd10cm_order_2023.txt' });
    expect(await bare.services.codes.loadedYears()).toEqual([2022, 2023, 2026]);
    const bad = run(['icd10cm', path.join(tmp, 'nothing.txt')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('does not exist');
    const bomb = path.join(tmp, 'bomb_2027.zip');
    fs.writeFileSync(bomb, zip([{ name: 'icd10cm_order_2027.txt', deflated: repeatedDeflate('', '00001 A000    0 Cholera\n'.repeat(40_000), 2_000, '') }]));
    const refused = run(['icd10cm', bomb]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('bomb_2027.zip: The file is too large once uncompressed (icd10cm_order_2027.txt declares 1831.1 MiB');
    const set = run(['snomed', file]);
    expect(set.status).toBe(1);
    expect(set.stderr).toContain('unknown code set "snomed"');
  }, 60_000);
});
