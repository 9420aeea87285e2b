/**
 * The floor: the least a server can do for each benchmark scenario's mandatory database work, on the same paths
 * as the platform so one autocannon request list drives both. Fastify + `pg` and hand-written SQL only: no
 * validation or serialization schemas, no ORM, no hooks. Each request does the token lookup, the query or insert
 * and the audit insert in as few statements as possible (the audit row rides in a CTE of the main statement).
 *
 *   DATABASE_URL=... PORT=... ECP_JWT_SECRET=... TWILIO_AUTH_TOKEN=... PUBLIC_URL=... node bench/floor/server.ts
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import pg from 'pg';

const env = process.env;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.DB_POOL_MAX ?? 10) });
const jwtKey = Buffer.from(env.ECP_JWT_SECRET ?? '', 'utf8');
const twilioToken = env.TWILIO_AUTH_TOKEN ?? '';
const publicUrl = env.PUBLIC_URL ?? '';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

const app = Fastify({ logger: false });
await app.register(formbody);

interface Actor { userId: number; org: number; name: string }

/** X-User-Token: one indexed lookup (the last-used touch is once a minute, so not per request). */
async function user(req: FastifyRequest, reply: FastifyReply): Promise<Actor | undefined> {
  const token = req.headers['x-user-token'];
  if (typeof token !== 'string') return void reply.code(401).send({ errors: ['Invalid or missing token'] });
  const { rows } = await pool.query(
    'SELECT u.id, u.organization_id, u.name, u.active FROM auth_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL',
    [sha256(token)],
  );
  if (!rows[0]?.active) return void reply.code(401).send({ errors: ['Invalid or missing token'] });
  return { userId: rows[0].id, org: rows[0].organization_id, name: rows[0].name };
}

interface Partner { clientId: string; org: number; locationIds: number[] }

/** auth-bearer JWT (HS256, checked by hand) + Api-Key lookup. */
async function partner(req: FastifyRequest, reply: FastifyReply): Promise<Partner | undefined> {
  const bearer = String(req.headers['auth-bearer'] ?? '').slice(7);
  const apiKey = String(req.headers.authorization ?? '').slice(8);
  const [h, p, s] = bearer.split('.');
  const ok = s && timingSafeEqual(Buffer.from(s), Buffer.from(b64url(createHmac('sha256', jwtKey).update(`${h}.${p}`).digest())));
  const claims = ok ? (JSON.parse(Buffer.from(p, 'base64url').toString()) as { sub: string; exp: number }) : undefined;
  if (!claims || claims.exp * 1000 < Date.now()) return void reply.code(401).send({ result: 'Error', error: 'bad token' });
  const { rows } = await pool.query('SELECT client_id, organization_id, location_ids FROM partner_clients WHERE api_key_hash = $1 AND disabled_at IS NULL', [sha256(apiKey)]);
  if (!rows[0] || rows[0].client_id !== claims.sub) return void reply.code(401).send({ result: 'Error', error: 'bad key' });
  return { clientId: rows[0].client_id, org: rows[0].organization_id, locationIds: rows[0].location_ids };
}

const AUDIT = (entity: string, action: string, idsExpr: string) =>
  `audit AS (INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_name, action, entity_type, entity_ids, ip)
     SELECT $1, 'user', $2::text, $3, '${action}', '${entity}', ${idsExpr}, $4::inet)`;

// Patients list with search: page + total + audit row listing the ids, in one statement.
app.get('/v1/admin/clinic/ecm/patients', async (req, reply) => {
  const a = await user(req, reply);
  if (!a) return;
  const q = req.query as { search?: string; page?: string; per_page?: string };
  const per = Math.min(100, Number(q.per_page ?? 25));
  const offset = (Number(q.page ?? 1) - 1) * per;
  const like = `%${q.search ?? ''}%`;
  const { rows } = await pool.query(
    `WITH m AS (SELECT id FROM patients WHERE organization_id = $1 AND (first_name || ' ' || last_name) ILIKE $5
                UNION SELECT patient_id FROM ecm_eligibility_informations WHERE organization_id = $1 AND member_id ILIKE $5),
     page AS (SELECT p.*, e.member_id, e.acuity_level, e.member_record_status, e.ecm_benefit_auth_eff_date, e.ecm_benefit_auth_end_date,
                     c.provider_id, c.olcm_user_id, c.ilcm_user_id
              FROM patients p JOIN m ON m.id = p.id LEFT JOIN ecm_eligibility_informations e ON e.patient_id = p.id LEFT JOIN case_loads c ON c.patient_id = p.id
              ORDER BY p.last_name, p.first_name, p.id LIMIT $6 OFFSET $7),
     ${AUDIT('patient', 'list', '(SELECT coalesce(array_agg(id::text), ARRAY[]::text[]) FROM page)')}
     SELECT (SELECT json_agg(page) FROM page) AS data, (SELECT count(*)::int FROM m) AS total`,
    [a.org, String(a.userId), a.name, req.ip, like, per, offset],
  );
  const total = rows[0].total as number;
  return { patients: rows[0].data ?? [], pagination: { current_page: Number(q.page ?? 1), total_pages: Math.ceil(total / per), total_count: total, per_page: per } };
});

// Patient details: member, eligibility, case load, authorizations, status history + audit, one statement.
app.get('/v1/admin/clinic/ecm/patients/:id', async (req, reply) => {
  const a = await user(req, reply);
  if (!a) return;
  const id = Number((req.params as { id: string }).id);
  const { rows } = await pool.query(
    `WITH p AS (SELECT * FROM patients WHERE id = $5 AND organization_id = $1),
     ${AUDIT('patient', 'read', `(SELECT array_agg(id::text) FROM p)`)}
     SELECT row_to_json(p) AS patient,
       (SELECT row_to_json(e) FROM ecm_eligibility_informations e WHERE e.patient_id = p.id) AS eligibility,
       (SELECT row_to_json(c) FROM case_loads c WHERE c.patient_id = p.id) AS case_load,
       (SELECT json_agg(x) FROM ecm_authorizations x WHERE x.patient_id = p.id) AS authorizations,
       (SELECT json_agg(h ORDER BY h.changed_at) FROM ecm_status_histories h WHERE h.patient_id = p.id) AS status_history
     FROM p`,
    [a.org, String(a.userId), a.name, req.ip, id],
  );
  if (!rows[0]) return reply.code(404).send({ errors: ['Patient not found'] });
  return { patient: { ...rows[0].patient, ecm_eligibility_information: rows[0].eligibility, case_load: rows[0].case_load, authorizations: rows[0].authorizations ?? [], status_histories: rows[0].status_history ?? [] } };
});

// Activity create: activity + event + audit + the member's activity counter, one statement (one implicit transaction).
app.post('/v1/clinic/ecm/patients/:id/activities', async (req, reply) => {
  const a = await user(req, reply);
  if (!a) return;
  const pid = Number((req.params as { id: string }).id);
  const act = (req.body as { activity: { activity_type: string; assigned_to_id: number; message?: string; subject?: string } }).activity;
  const { rows } = await pool.query(
    `WITH p AS (UPDATE patients SET activities_count = activities_count + 1, last_activity_at = now() WHERE id = $5 AND organization_id = $1 RETURNING id),
     a AS (INSERT INTO activities (organization_id, patient_id, activity_type, message, subject, assigned_to_id, performed_by_id)
           SELECT $1, p.id, $6, $7, $8, $9, $2::int FROM p RETURNING *),
     ev AS (INSERT INTO ecm_events (organization_id, patient_id, activity_id, event_type, status, occurred_at, subject)
            SELECT organization_id, patient_id, id, activity_type, status, occurred_at, subject FROM a RETURNING id),
     ${AUDIT('activity', 'create', '(SELECT array_agg(id::text) FROM a)')}
     SELECT row_to_json(a) AS activity FROM a`,
    [a.org, String(a.userId), a.name, req.ip, pid, act.activity_type, act.message ?? null, act.subject ?? null, act.assigned_to_id],
  );
  if (!rows[0]) return reply.code(404).send({ errors: ['Patient not found'] });
  return reply.code(201).send({ activity: rows[0].activity });
});

// Events counts over the clinic for a period (index-only scan) + audit.
app.get('/v1/clinic/ecm/events/counts', async (req, reply) => {
  const a = await user(req, reply);
  if (!a) return;
  const q = req.query as { start_date: string; end_date: string };
  const { rows } = await pool.query(
    `WITH tz AS (SELECT time_zone FROM organizations WHERE id = $1),
     c AS (SELECT e.event_type, e.prtf_category, count(*)::int AS n FROM ecm_events e, tz
           WHERE e.organization_id = $1 AND e.status <> 'cancelled' AND e.occurred_at <= now()
             AND e.occurred_at >= ($5::date::timestamp AT TIME ZONE tz.time_zone) AND e.occurred_at < (($6::date + 1)::timestamp AT TIME ZONE tz.time_zone)
           GROUP BY 1, 2),
     ${AUDIT('event', 'list', 'ARRAY[]::text[]')}
     SELECT * FROM c`,
    [a.org, String(a.userId), a.name, req.ip, q.start_date, q.end_date],
  );
  const byType: Record<string, number> = {};
  const byCat: Record<string, number> = {};
  for (const r of rows) {
    byType[r.event_type] = (byType[r.event_type] ?? 0) + r.n;
    if (r.prtf_category) byCat[r.prtf_category] = (byCat[r.prtf_category] ?? 0) + r.n;
  }
  return { counts: { by_type: byType, prtf: byCat, total: Object.values(byType).reduce((x, y) => x + y, 0) } };
});

// POST /token: the per-IP counter, the client lookup, the secret check, an HS256 JWT.
app.post('/token', async (req, reply) => {
  const b = req.body as { grant_type?: string; client_id?: string; client_secret?: string };
  const { rows } = await pool.query(
    `WITH hit AS (INSERT INTO rate_limits (key, window_start, count) VALUES ($1, now(), 1)
       ON CONFLICT (key) DO UPDATE SET count = CASE WHEN rate_limits.window_start <= now() - interval '60 s' THEN 1 ELSE rate_limits.count + 1 END,
         window_start = CASE WHEN rate_limits.window_start <= now() - interval '60 s' THEN now() ELSE rate_limits.window_start END RETURNING count)
     SELECT c.client_id, c.organization_id, c.secret_hash, c.scopes, c.disabled_at, (SELECT count FROM hit) AS hits FROM partner_clients c WHERE c.client_id = $2`,
    [`floor:token:ip:${req.ip}`, b.client_id],
  );
  const c = rows[0];
  const secret = Buffer.from(b.client_secret ?? '', 'base64').toString('utf8');
  if (!c || c.disabled_at || !timingSafeEqual(Buffer.from(sha256(secret)), Buffer.from(c.secret_hash))) {
    return reply.code(401).send({ error: 'invalid_client' });
  }
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ scope: c.scopes.join(' '), org: c.organization_id, iat_ms: Date.now(), sub: c.client_id, iat: now, exp: now + 3600, jti: randomBytes(16).toString('hex') }));
  const sig = b64url(createHmac('sha256', jwtKey).update(`${head}.${body}`).digest());
  return { token_type: 'Bearer', expires_in: 3600, access_token: `${head}.${body}.${sig}`, scope: c.scopes.join(' ') };
});

// Vitals POST: resident + user resolution, the reading and the audit row in one statement.
app.post('/clinical/v1/resident/vital/:type', async (req, reply) => {
  const a = await partner(req, reply);
  if (!a) return;
  const type = (req.params as { type: string }).type;
  const b = req.body as Record<string, string | number>;
  const { rows } = await pool.query(
    `WITH r AS (SELECT r.id, r.guid, r.location_id FROM ecp_residents r JOIN ecp_locations l ON l.id = r.location_id
                WHERE r.guid = $1 AND r.organization_id = $2 AND l.name = $3 AND r.location_id = ANY($4::int[])),
     u AS (SELECT id FROM ecp_users WHERE organization_id = $2 AND lower(login_name) = lower($5)),
     v AS (INSERT INTO ecp_vitals (organization_id, location_id, resident_id, user_id, vital_type, value, recorded_at)
           SELECT $2, r.location_id, r.id, u.id, $6, $7, $8 FROM r, u RETURNING id),
     audit AS (INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_name, action, entity_type, entity_ids, ip)
               SELECT $2, 'partner', $9, 'Partner client', 'create', 'vital.' || $6, ARRAY[r.guid], $10::inet FROM r, v)
     SELECT count(*)::int AS n FROM v`,
    [b.residentId, a.org, b.location, a.locationIds, b.loginName, type, Number(b.pulse ?? b.value), b.timestamp, a.clientId, req.ip],
  );
  if (rows[0].n !== 1) return reply.code(400).send({ result: 'Error', error: 'Resident or user not found' });
  return { result: 'Success' };
});

// Vitals GET: a page of 100 readings at a location with residents and users, the total, and the audit row.
app.get('/clinical/v1/resident/vital/:type', async (req, reply) => {
  const a = await partner(req, reply);
  if (!a) return;
  const type = (req.params as { type: string }).type;
  const q = req.query as { location?: string; page?: string; startingDateTime?: string; endingDateTime?: string };
  const page = Number(q.page ?? 1);
  const { rows } = await pool.query(
    `WITH l AS (SELECT id, name FROM ecp_locations WHERE organization_id = $1 AND name = $2 AND id = ANY($3::int[])),
     pg AS (SELECT f.value, f.value2, f.recorded_at, r.guid, r.first_name, r.last_name, r.date_of_birth, u.login_name
            FROM ecp_vitals f JOIN l ON f.location_id = l.id JOIN ecp_residents r ON r.id = f.resident_id JOIN ecp_users u ON u.id = f.user_id
            WHERE f.vital_type = $4 AND f.recorded_at >= coalesce($6::timestamptz, '-infinity') AND f.recorded_at <= coalesce($7::timestamptz, 'infinity')
            ORDER BY f.recorded_at, f.id LIMIT 100 OFFSET $5),
     audit AS (INSERT INTO audit_events (organization_id, actor_type, actor_id, actor_name, action, entity_type, entity_ids, ip)
               SELECT $1, 'partner', $8, 'Partner client', 'list', 'vital.' || $4, coalesce((SELECT array_agg(DISTINCT guid) FROM pg), ARRAY[]::text[]), $9::inet)
     SELECT (SELECT count(*)::int FROM ecp_vitals f JOIN l ON f.location_id = l.id WHERE f.vital_type = $4
               AND f.recorded_at >= coalesce($6::timestamptz, '-infinity') AND f.recorded_at <= coalesce($7::timestamptz, 'infinity')) AS total,
            (SELECT json_agg(pg) FROM pg) AS data`,
    [a.org, q.location, a.locationIds, type, (page - 1) * 100, q.startingDateTime ?? null, q.endingDateTime ?? null, a.clientId, req.ip],
  );
  return { result: 'Success', numberOfResults: rows[0].total, data: rows[0].data ?? [] };
});

/** Twilio's signature: HMAC-SHA1 of the URL and the sorted form parameters, base64. */
function twilioSignature(url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', twilioToken).update(data).digest('base64');
}

// Signed SMS status callback: signature, then one conditional update (never backwards: only forward statuses).
app.post('/v1/clinic/webhooks/twilio/sms_status', async (req, reply) => {
  const params = req.body as Record<string, string>;
  const sig = String(req.headers['x-twilio-signature'] ?? '');
  const want = twilioSignature(publicUrl + req.url, params);
  if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(want))) return reply.code(403).send({ errors: ['Invalid Twilio signature'] });
  await pool.query(
    `UPDATE text_messages SET status = $2, updated_at = now() WHERE twilio_sid = $1
       AND array_position(ARRAY['queued','sending','sent','delivered','undelivered','failed'], status) < array_position(ARRAY['queued','sending','sent','delivered','undelivered','failed'], $2)`,
    [params.MessageSid, params.MessageStatus],
  );
  return reply.code(204).send();
});

app.get('/readyz', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

await app.listen({ port: Number(env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`floor listening on ${String(app.server.address() && (app.server.address() as { port: number }).port)}\n`);
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
