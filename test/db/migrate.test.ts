import pg from 'pg';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, inject } from 'vitest';
import { runMigrations } from '../../src/db/migrate.ts';
import { MIGRATIONS_FOLDER as migrationsFolder } from '../../src/root.ts';
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
      await Promise.all(pools.map((p) => runMigrations(p, migrationsFolder)));
      const { rows } = await pools[0].query('SELECT count(*)::int AS n, count(DISTINCT hash)::int AS d FROM drizzle.__drizzle_migrations');
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
      expect(rows[0].n).toBe(rows[0].d);
      const ext = await pools[0].query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
      expect(ext.rowCount).toBe(1);
      // A second start finds nothing to do.
      await runMigrations(pools[1], migrationsFolder);
      const again = await pools[0].query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
      expect(again.rows[0].n).toBe(rows[0].n);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

describe('migration 0010: one organization per Twilio number', () => {
  /** A copy of `migrations/` that ends at `lastTag`, to build a database as an older release left it. */
  function migrationsUpTo(lastTag: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-migrations-'));
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
    journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === lastTag) + 1);
    fs.mkdirSync(path.join(dir, 'meta'));
    fs.writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify(journal));
    for (const e of journal.entries) fs.copyFileSync(path.join(migrationsFolder, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
    return dir;
  }

  it('stops on a number two organizations share, naming both and how to resolve it, then moves the numbers once resolved', async () => {
    const adminUrl = inject('adminDatabaseUrl');
    const name = `m_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, name), max: 2 });
    const old = migrationsUpTo('0009_webhook_retry_index');
    try {
      await runMigrations(pool, old);
      const org = async (orgName: string, numbers: string[]) =>
        (await pool.query('INSERT INTO organizations (name, phone_numbers) VALUES ($1, $2) RETURNING id', [orgName, numbers])).rows[0].id as number;
      const one = await org('Clinic One', ['+18055550100', '+18055550101']);
      const two = await org('Clinic Two', ['+18055550100']);
      const three = await org("Clinic O'Three", ['+18055550102', '+18055550103', '+18055550102']);
      const four = await org('Clinic Four', ['+18055550101']);

      const failure = await runMigrations(pool, migrationsFolder).then(() => undefined, (err: Error) => err);
      expect(failure?.message).toBe(
        'database migration failed: A Twilio phone number belongs to at most one organization, but these are held by more than one:\n' +
          `  +18055550100 is held by organization ${one} "Clinic One" and organization ${two} "Clinic Two"\n` +
          `  +18055550101 is held by organization ${one} "Clinic One" and organization ${four} "Clinic Four"\n` +
          'Remove each number from every organization but the one that owns it in Twilio, then start again: with the previous release, ' +
          'an admin of the other clinic saves its settings without the number (PUT /v1/admin/organization), or in SQL, for example: ' +
          `UPDATE organizations SET phone_numbers = array_remove(phone_numbers, '+18055550100') WHERE id = ${two};`,
      );
      // Nothing of the migration stayed.
      const state = await pool.query(`SELECT to_regclass('organization_phone_numbers') AS t,
        (SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'organizations' AND column_name = 'phone_numbers') AS c`);
      expect(state.rows[0]).toEqual({ t: null, c: 1 });

      await pool.query(`UPDATE organizations SET phone_numbers = array_remove(phone_numbers, '+18055550100') WHERE id = ${two}`);
      await pool.query(`UPDATE organizations SET phone_numbers = array_remove(phone_numbers, '+18055550101') WHERE id = ${four}`);
      await runMigrations(pool, migrationsFolder);
      const { rows } = await pool.query('SELECT organization_id, number, position FROM organization_phone_numbers ORDER BY organization_id, position');
      expect(rows).toEqual([
        { organization_id: one, number: '+18055550100', position: 0 },
        { organization_id: one, number: '+18055550101', position: 1 },
        { organization_id: three, number: '+18055550102', position: 0 },
        { organization_id: three, number: '+18055550103', position: 1 },
      ]);
    } finally {
      await pool.end();
      fs.rmSync(old, { recursive: true, force: true });
    }
  });
});

describe('migration ecp_contact_links: relationship, notes and flags belong to each contact-resident link', () => {
  it('moves the values each existing contact carried onto its link, and ecp_contact_person drops them from the contact', async () => {
    const adminUrl = inject('adminDatabaseUrl');
    const name = `m_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, name), max: 2 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'care-migrations-'));
    try {
      const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
      journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag.endsWith('_ecp_contact_links')));
      fs.mkdirSync(path.join(dir, 'meta'));
      fs.writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify(journal));
      for (const e of journal.entries) fs.copyFileSync(path.join(migrationsFolder, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
      await runMigrations(pool, dir);
      const org = (await pool.query("INSERT INTO organizations (name) VALUES ('Evergreen') RETURNING id")).rows[0].id as number;
      const loc = (await pool.query("INSERT INTO ecp_locations (organization_id, guid, name) VALUES ($1, 'L1', 'Home') RETURNING id", [org])).rows[0].id as number;
      const res = (await pool.query(`INSERT INTO ecp_residents (organization_id, location_id, guid, first_name, last_name, date_of_birth, status, status_description)
        VALUES ($1, $2, 'R1', 'Ann', 'Alpha', '1940-01-01', 'Active', 'Active Resident') RETURNING id`, [org, loc])).rows[0].id as number;
      const contact = (await pool.query(`INSERT INTO ecp_contacts (organization_id, location_id, guid, first_name, last_name, relationship, notes, health_care_poa, billing_contact)
        VALUES ($1, $2, 'C1', 'Carl', 'Son', 'Son', 'Visits Mondays', true, true) RETURNING id`, [org, loc])).rows[0].id as number;
      await pool.query('INSERT INTO ecp_contact_residents (contact_id, resident_id) VALUES ($1, $2)', [contact, res]);

      await runMigrations(pool, migrationsFolder);
      const { rows } = await pool.query('SELECT relationship, notes, health_care_poa, billing_contact, primary_contact FROM ecp_contact_residents');
      expect(rows).toEqual([{ relationship: 'Son', notes: 'Visits Mondays', health_care_poa: true, billing_contact: true, primary_contact: false }]);
      const cols = await pool.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'ecp_contacts' AND column_name IN ('relationship', 'notes', 'health_care_poa')");
      expect(cols.rows[0].n).toBe(0);
    } finally {
      await pool.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
