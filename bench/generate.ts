/**
 * The benchmark data generator: a large clinic and community in one database.
 *
 *   Demo Clinic (ECM): 100,000 members with eligibility and case loads, 5,000,000 activities with their events
 *   over the last two years, 10,000 text messages with Twilio SIDs (for status callbacks);
 *   Evergreen Senior Living (ECP): 1,000 residents and 1,000,000 vital readings, plus the demo partner client.
 *
 * Credentials come from the real `care demo --json` (so token hashes, the partner client and its locations are
 * made by the platform's own code); the bulk rows are made server-side with `INSERT ... SELECT ... FROM
 * generate_series` in batches (no COPY client is installed). `scale` 0.1 (`--quick`) makes a tenth.
 *
 *   node bench/generate.ts [--quick] [--scale 0.5]    (DATABASE_URL must name the database to fill)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

export interface Fixture {
  scale: number;
  clinicId: number;
  companyId: number;
  adminToken: string;
  coordinatorToken: string;
  userIds: number[];
  patientIds: number[];
  searchTerms: string[];
  client: { client_id: string; client_secret: string; client_secret_base64: string; api_key: string };
  location: string;
  residentGuids: string[];
  staffLogin: string;
  textMessageSids: string[];
  eventsFrom: string;
  eventsTo: string;
  counts: Record<string, number>;
  timings: Record<string, number>;
}

const ROOT = path.resolve(import.meta.dirname, '..');

const FIRST = ['Maria', 'Jose', 'Ana', 'Luis', 'Carmen', 'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Daniel', 'Nancy', 'Matthew', 'Lisa', 'Anthony', 'Betty', 'Mark', 'Sandra', 'Steven', 'Ashley', 'Paul', 'Kimberly', 'Andrew', 'Emily', 'Kevin', 'Guadalupe', 'Juan', 'Rosa', 'Miguel', 'Nguyen', 'Mei', 'Wei', 'Olga', 'Fatima', 'Omar'];
const LAST = ['Garcia', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Perez', 'Sanchez', 'Ramirez', 'Torres', 'Flores', 'Rivera', 'Gomez', 'Diaz', 'Reyes', 'Morales', 'Cruz', 'Ortiz', 'Gutierrez', 'Chavez', 'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Tran', 'Nguyen', 'Pham', 'Kim', 'Park', 'Chen', 'Wang', 'Li', 'Singh', 'Patel', 'Khan', 'Ali', 'Ahmed', 'Cohen', 'Murphy', 'Kelly', 'Sullivan', 'Bennett', 'Wood', 'Brooks', 'Price'];
const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;

/** Runs `care demo --json` against `url` and returns its JSON. */
async function careDemo(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/care.js'), 'demo', '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'error', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`care demo failed (${code}): ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
      } catch (e) {
        reject(new Error(`care demo printed no JSON: ${out.slice(-500)} ${String(e)}`));
      }
    });
  });
}

/** Fills the database at `url` (already migrated or not: `care demo` migrates). Prints each part's time. */
export async function generate(url: string, opts: { scale?: number; log?: (line: string) => void } = {}): Promise<Fixture> {
  const scale = opts.scale ?? 1;
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const timings: Record<string, number> = {};
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    timings[label] = Math.round(performance.now() - t0) / 1000;
    log(`  generate: ${label.padEnd(34)} ${timings[label].toFixed(1).padStart(7)} s`);
    return out;
  };
  const nPatients = Math.round(100_000 * scale);
  const nEvents = Math.round(5_000_000 * scale);
  const nResidents = Math.max(10, Math.round(1_000 * scale));
  const nVitals = Math.round(1_000_000 * scale);
  const nTexts = Math.round(10_000 * Math.max(scale, 0.1));

  const demo = await step('care demo (migrations, credentials)', () => careDemo(url));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = async (text: string, params: unknown[] = []) => (await client.query(text, params)).rows;
  // Bulk load without per-row foreign-key triggers when allowed (superuser, as the embedded server's user is);
  // every generated reference points at a row made above, so nothing is left dangling.
  await client.query(`SET session_replication_role = replica`).catch(() => log('  generate: not a superuser; foreign keys are checked per row (slower)'));
  await client.query(`SET synchronous_commit = off`);
  try {
    const [{ id: clinicId }] = await q(`SELECT id FROM organizations WHERE name = 'Demo Clinic'`);
    const [{ id: companyId }] = await q(`SELECT id FROM organizations WHERE name = 'Evergreen Senior Living'`);
    const userIds = (await q('SELECT id FROM users WHERE organization_id = $1 ORDER BY id', [clinicId])).map((r) => r.id as number);
    const users = `ARRAY[${userIds.join(',')}]`;
    const nu = userIds.length;
    const [{ n: existing }] = await q('SELECT count(*)::int AS n FROM patients WHERE organization_id = $1', [clinicId]);

    if (existing < nPatients) {
      await step(`patients (${nPatients})`, async () => {
        await q(`INSERT INTO patients (organization_id, first_name, last_name, date_of_birth, gender, phone, email, address_street, address_city, address_state, address_zip, created_at, updated_at)
          SELECT $1, (${arr(FIRST)})[1 + g % ${FIRST.length}], (${arr(LAST)})[1 + (g / 7) % ${LAST.length}],
            date '1940-01-01' + (g * 37 % 25000), (ARRAY['female','male'])[1 + g % 2],
            '+1' || (2130000000 + g)::text, 'member' || g || '@example.org', g || ' Main St', 'Los Angeles', 'CA', lpad((90001 + g % 900)::text, 5, '0'),
            now() - (g % 1000) * interval '1 day', now()
          FROM generate_series(1, $2::int) g`, [clinicId, nPatients]);
        await q(`INSERT INTO ecm_eligibility_informations (organization_id, patient_id, member_id, cin, ecm_npi, ecm_provider_name, ecm_benefit_auth_eff_date, ecm_benefit_auth_end_date, acuity_level, member_record_status)
          SELECT p.organization_id, p.id, 'BM' || lpad(p.id::text, 8, '0'), 'CIN' || p.id, '1234567890', 'Demo Clinic ECM',
            date '2024-01-01' + (p.id % 300), date '2027-01-01' + (p.id % 300),
            (ARRAY['low','medium','high'])[1 + p.id % 3], (ARRAY['new_member','continuing_member','continuing_member','pending_member','terminated_member'])[1 + p.id % 5]
          FROM patients p LEFT JOIN ecm_eligibility_informations e ON e.patient_id = p.id WHERE p.organization_id = $1 AND e.id IS NULL`, [clinicId]);
        await q(`INSERT INTO case_loads (organization_id, patient_id, provider_id, olcm_user_id, ilcm_user_id)
          SELECT p.organization_id, p.id, (${users})[1 + p.id % ${nu}], (${users})[1 + (p.id / 3) % ${nu}], (${users})[1 + (p.id / 5) % ${nu}]
          FROM patients p LEFT JOIN case_loads c ON c.patient_id = p.id WHERE p.organization_id = $1 AND c.id IS NULL`, [clinicId]);
      });
    }
    const patientIds = (await q('SELECT id FROM patients WHERE organization_id = $1 ORDER BY id', [clinicId])).map((r) => r.id as number);
    const np = patientIds.length;
    const [{ lo, hi }] = await q('SELECT min(id) AS lo, max(id) AS hi FROM patients WHERE organization_id = $1', [clinicId]);

    const [{ n: haveEvents }] = await q('SELECT count(*)::int AS n FROM ecm_events WHERE organization_id = $1', [clinicId]);
    if (haveEvents < nEvents) {
      await step(`activities + events (${nEvents})`, async () => {
        const batch = 250_000;
        for (let from = 1; from <= nEvents - haveEvents; from += batch) {
          const to = Math.min(nEvents - haveEvents, from + batch - 1);
          // Spread over the last 730 days; types in realistic proportions; most completed.
          await q(`WITH a AS (
              INSERT INTO activities (organization_id, patient_id, activity_type, status, subject, message, occurred_at, booked_at, duration, modality, outcome,
                performed_by_id, assigned_to_id, email_status, created_at, updated_at)
              SELECT $1, $2::int + (g::bigint * 7919) % $3::int, t.type, CASE WHEN g % 50 = 0 THEN 'created' ELSE 'complete' END, 'Outreach', 'Checked in with the member',
                at, CASE WHEN t.type IN ('in_person_appointment','meeting') THEN at END, 5 + g % 55,
                CASE WHEN t.type IN ('in_person_appointment','meeting') THEN (ARRAY['in_person','video','phone'])[1 + g % 3] END,
                CASE WHEN t.type IN ('call','in_person_appointment') THEN (ARRAY['reached','reached','not_reached'])[1 + g % 3] END,
                (${users})[1 + g % ${nu}], (${users})[1 + (g / 11) % ${nu}], CASE WHEN t.type = 'email' THEN 'sent' END, at, at
              FROM generate_series($4::int, $5::int) g
              CROSS JOIN LATERAL (SELECT (ARRAY['sms','sms','call','call','call','email','task','in_person_appointment','in_person_appointment','meeting'])[1 + g % 10] AS type,
                now() - interval '1 hour' - ((g::bigint * 104729) % (730 * 86400)) * interval '1 second' AS at) t
              RETURNING id, organization_id, patient_id, activity_type, status, occurred_at, subject, duration, modality, outcome)
            INSERT INTO ecm_events (organization_id, patient_id, activity_id, event_type, status, occurred_at, subject, duration, prtf_category)
            SELECT organization_id, patient_id, id, CASE activity_type WHEN 'in_person_appointment' THEN 'appointment' ELSE activity_type END,
              status, occurred_at, subject, duration,
              CASE WHEN activity_type IN ('sms','email') THEN 'telehealth_outreach'
                   WHEN activity_type = 'call' THEN CASE WHEN outcome = 'reached' THEN 'telehealth_encounter' ELSE 'telehealth_outreach' END
                   WHEN activity_type IN ('in_person_appointment','meeting') AND status = 'complete' THEN
                     CASE WHEN outcome = 'not_reached' THEN CASE WHEN modality = 'in_person' THEN 'in_person_outreach' ELSE 'telehealth_outreach' END
                          WHEN modality = 'in_person' THEN 'in_person_encounter' ELSE 'telehealth_encounter' END
              END
            FROM a`, [clinicId, lo, hi - lo + 1, from, to]);
          log(`    ${to.toLocaleString('en-US')} / ${(nEvents - haveEvents).toLocaleString('en-US')}`);
        }
      });
      await step('patients.activities_count', () =>
        q(`UPDATE patients p SET activities_count = s.n, last_activity_at = s.last FROM (
             SELECT patient_id, count(*)::int AS n, max(occurred_at) AS last FROM activities WHERE organization_id = $1 AND deleted_at IS NULL GROUP BY patient_id) s
           WHERE p.id = s.patient_id`, [clinicId]));
    }

    const [{ n: haveTexts }] = await q(`SELECT count(*)::int AS n FROM text_messages WHERE organization_id = $1 AND twilio_sid LIKE 'SMbench%'`, [clinicId]);
    if (haveTexts < nTexts) {
      await step(`text messages (${nTexts})`, () =>
        q(`INSERT INTO text_messages (organization_id, patient_id, direction, from_number, to_number, body, status, twilio_sid, sent_by_user_id)
           SELECT $1, p.id, 'outbound', '+15005550006', p.phone, 'Reminder of your appointment', 'sent', 'SMbench' || lpad(g::text, 27, '0'), $4
           FROM generate_series(1, $2::int) g JOIN patients p ON p.id = $3::int + g % 1000`, [clinicId, nTexts - haveTexts, lo, userIds[0]]));
    }
    const textMessageSids = (await q(`SELECT twilio_sid FROM text_messages WHERE organization_id = $1 AND twilio_sid LIKE 'SMbench%' ORDER BY id`, [clinicId])).map((r) => r.twilio_sid as string);

    const locations = await q('SELECT id, name FROM ecp_locations WHERE organization_id = $1 ORDER BY id', [companyId]);
    const ecpUserIds = (await q('SELECT id FROM ecp_users WHERE organization_id = $1 ORDER BY id', [companyId])).map((r) => r.id as number);
    const [{ login_name: staffLogin }] = await q('SELECT login_name FROM ecp_users WHERE organization_id = $1 AND active ORDER BY id LIMIT 1', [companyId]);
    const loc = locations[0] as { id: number; name: string };
    const [{ n: haveResidents }] = await q('SELECT count(*)::int AS n FROM ecp_residents WHERE organization_id = $1', [companyId]);
    if (haveResidents < nResidents) {
      await step(`residents (${nResidents})`, () =>
        q(`INSERT INTO ecp_residents (organization_id, location_id, guid, first_name, last_name, date_of_birth, gender, room, building, code_status, move_in_date, status, status_description, external_ids, care_type)
           SELECT $1, $2, upper(gen_random_uuid()::text), (${arr(FIRST)})[1 + g % ${FIRST.length}], (${arr(LAST)})[1 + (g / 3) % ${LAST.length}],
             date '1925-01-01' + (g * 13 % 9000), (ARRAY['Female','Male'])[1 + g % 2], (100 + g)::text, 'North', 'Full Code', date '2022-01-01' + g % 900,
             'Active', 'Active Resident', jsonb_build_object('billingId', 'BENCH-' || g), 'Assisted Living'
           FROM generate_series(1, $3::int) g`, [companyId, loc.id, nResidents - haveResidents]));
    }
    const residents = await q('SELECT id, guid FROM ecp_residents WHERE organization_id = $1 AND location_id = $2 AND discharged_at IS NULL ORDER BY id', [companyId, loc.id]);
    const [{ n: haveVitals }] = await q('SELECT count(*)::int AS n FROM ecp_vitals WHERE organization_id = $1', [companyId]);
    if (haveVitals < nVitals) {
      const rIds = `ARRAY[${residents.map((r) => r.id as number).join(',')}]`;
      await step(`vitals (${nVitals})`, async () => {
        const batch = 250_000;
        for (let from = 1; from <= nVitals - haveVitals; from += batch) {
          const to = Math.min(nVitals - haveVitals, from + batch - 1);
          await q(`INSERT INTO ecp_vitals (organization_id, location_id, resident_id, user_id, vital_type, value, value2, recorded_at, created_at)
             SELECT $1, $2, (${rIds})[1 + g % ${residents.length}], (ARRAY[${ecpUserIds.join(',')}])[1 + g % ${ecpUserIds.length}], t.type,
               CASE t.type WHEN 'blood-ox' THEN 90 + g % 10 WHEN 'blood-pressure' THEN 110 + g % 40 WHEN 'blood-sugar' THEN 80 + g % 120
                 WHEN 'pulse' THEN 55 + g % 50 WHEN 'respirations' THEN 12 + g % 10 WHEN 'temperature' THEN 97 + (g % 30) / 10.0 ELSE 110 + g % 120 END,
               CASE WHEN t.type = 'blood-pressure' THEN 60 + g % 30 END,
               now() - ((g::bigint * 7919) % (365 * 86400)) * interval '1 second', now()
             FROM generate_series($3::int, $4::int) g
             CROSS JOIN LATERAL (SELECT (ARRAY['blood-ox','blood-pressure','blood-sugar','pulse','respirations','temperature','weight'])[1 + g % 7] AS type) t`,
          [companyId, loc.id, from, to]);
        }
      });
    }
    await step('vacuum analyze', () => q('VACUUM ANALYZE'));

    const counts: Record<string, number> = {};
    for (const t of ['patients', 'activities', 'ecm_events', 'ecp_residents', 'ecp_vitals', 'text_messages', 'audit_events']) {
      counts[t] = (await q(`SELECT count(*)::int AS n FROM ${t}`))[0].n as number;
    }
    const [{ from: eventsFrom, to: eventsTo }] = await q(
      `SELECT to_char(min(occurred_at) AT TIME ZONE 'America/Los_Angeles', 'YYYY-MM-DD') AS from, to_char(now() AT TIME ZONE 'America/Los_Angeles', 'YYYY-MM-DD') AS to FROM ecm_events WHERE organization_id = $1`, [clinicId]);
    // Search terms that match a realistic share of members (one surname ~1 %, a name fragment, a member id).
    const searchTerms = ['garcia', 'Nguyen', 'maria', 'BM000042', 'smith', 'lee'];
    return {
      scale,
      clinicId,
      companyId,
      adminToken: demo.admin_token as string,
      coordinatorToken: demo.coordinator_token as string,
      userIds,
      patientIds: patientIds.filter((_, i) => i % Math.max(1, Math.floor(np / 2000)) === 0),
      searchTerms,
      client: demo.ecp_client as Fixture['client'],
      location: loc.name,
      residentGuids: residents.map((r) => r.guid as string),
      staffLogin: staffLogin as string,
      textMessageSids,
      eventsFrom: eventsFrom as string,
      eventsTo: eventsTo as string,
      counts,
      timings,
    };
  } finally {
    await client.end();
  }
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('generate: set DATABASE_URL to the database to fill (npm run bench starts its own)\n');
    process.exit(2);
  }
  const i = process.argv.indexOf('--scale');
  const scale = process.argv.includes('--quick') ? 0.1 : i > 0 ? Number(process.argv[i + 1]) : 1;
  const f = await generate(url, { scale });
  process.stdout.write(JSON.stringify({ counts: f.counts, timings: f.timings }, null, 2) + '\n');
}
