/**
 * `care ecp users set-password` in a real `care` process against this file's database: the user then signs in to the
 * community workspace with no change required; an unknown user is a clear error and exit code 1.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../support/app.ts';
import { createPartner, insertEcpUser } from '../support/ecp.ts';

const root = path.resolve(import.meta.dirname, '../..');
let t: TestContext;

beforeAll(async () => {
  t = await createTestContext();
  const p = await createPartner(t, 'Evergreen Senior Living', ['Evergreen Assisted Living']);
  await insertEcpUser(t, p, 'mgarcia');
});
afterAll(() => t.close());

function care(args: string[]) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATABASE_URL: t.url, NODE_ENV: 'test', LOG_LEVEL: 'error' };
  return spawnSync(process.execPath, [path.join(root, 'bin/care.js'), ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

describe('care ecp users set-password', () => {
  it('sets the password; the user signs in with it and need not change it', async () => {
    const r = care(['ecp', 'users', 'set-password', '--company', 'Evergreen Senior Living', '--login', 'MGARCIA', '--password', 'from-the-shell-1', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ loginName: 'mgarcia', company: 'Evergreen Senior Living', mustChangePassword: false });
    const res = await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: 'Evergreen Senior Living', loginName: 'mgarcia', password: 'from-the-shell-1' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user.mustChangePassword).toBe(false);
  }, 90_000);

  it('names an unknown user and exits 1', () => {
    const r = care(['ecp', 'users', 'set-password', '--company', 'Evergreen Senior Living', '--login', 'nobody', '--password', 'from-the-shell-1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('No user with loginName nobody in company Evergreen Senior Living');
  }, 90_000);
});
