import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, inject } from 'vitest';
import { runMigrations } from '../../src/db/migrate.ts';
import { withDatabase } from '../../src/db/pool.ts';

describe('runMigrations', () => {
  it('applies every migration once when several processes start at the same time', async () => {
    const adminUrl = inject('adminDatabaseUrl');
    const name = `m_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: withDatabase(adminUrl, name), max: 2 }));
    try {
      await Promise.all(pools.map((p) => runMigrations(p)));
      const { rows } = await pools[0].query('SELECT count(*)::int AS n, count(DISTINCT hash)::int AS d FROM drizzle.__drizzle_migrations');
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
      expect(rows[0].n).toBe(rows[0].d);
      const ext = await pools[0].query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
      expect(ext.rowCount).toBe(1);
      // A second start finds nothing to do.
      await runMigrations(pools[1]);
      const again = await pools[0].query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
      expect(again.rows[0].n).toBe(rows[0].n);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
