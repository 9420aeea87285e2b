/**
 * Tenant isolation as a tested property, generated from the app's own `/openapi.json` (as the fuzzer is): every
 * operation that takes an id (path, query or body) is called as tenant B (another clinic's admin; another ECP
 * company's partner client with every scope) with the real ids of tenant A, one id at a time, and must:
 *
 * - refuse it the family's way: ECM and the download links 403/404/422 `{"errors": [..]}`; ECP 400 naming the
 *   field (or 401/403) `{"result": "Error", "error": ..}`; `/token` 400/401 RFC 6749; a door this test does not
 *   know fails it until its refusal is added to `DOORS`. A query parameter (a list filter) may instead answer
 *   exactly as for an id that exists nowhere (an empty page);
 * - answer exactly as it answers the same request with an id that exists nowhere (same status, same body once the
 *   sent id is blanked): a foreign id is indistinguishable from no id, so the answer is no oracle of A's records;
 * - carry none of A's data: no A name, phone, e-mail, date of birth, member id, location or login name (every such
 *   value of A holds "Alpha" or one of A's phone numbers or dates of birth), and no GUID of A, except the id B sent,
 *   which an ECP error sentence echoes;
 * - and the same request with B's own id must succeed (the control), so a refusal is about the id, not the rest.
 *
 * Values that are unique only within a tenant (`member_id`, `mcp_id`, `externalIds`, a new user's `loginName`)
 * must be accepted from B exactly as a fresh value is: "already taken" would disclose A's. Afterwards every GET of A
 * (as A) answers as it did before B's requests. A parameter name the test cannot map fails it, naming the table to
 * extend: that is how a new endpoint is covered without anyone writing a case for it. `ISOLATION_VERBOSE=1` prints
 * every attempt with both answers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fhirExports } from '../../src/db/schema.ts';
import { systemContext } from '../../src/platform/context.ts';
import { call, createTestContext, createUser, type TestContext, type TestUser } from '../support/app.ts';
import { clinical, createPartner, createResident, tokenFor, type Partner } from '../support/ecp.ts';
import { ACCOUNT_SID, AUTH_TOKEN, startTwilioPeer, type TwilioPeer } from '../support/twilio-peer.ts';
import { operationsOf } from '../fuzz/openapi-fuzzer.ts';

const PUBLIC_URL = 'http://care.test';
type Tag = 'Alpha' | 'Bravo';

// ------------------------------------------------------------------ tenants

interface Tenant {
  tag: Tag;
  admin: TestUser;
  /** The X-User-Token of the company's ECP user (`<tag>.nurse`, a System Admin, both locations allowed) signed in to the community workspace. */
  community: string;
  ecp: { token: string; apiKey: string; partner: Partner };
  /** This tenant's real value of each id kind (see `KINDS`). */
  ids: Record<string, unknown>;
  /** Extra values the operations' base requests need (an allergy name, a download link's signature). */
  extra: Record<string, unknown>;
}

/** Distinct per tenant: every text value of A holds "Alpha"; phones and dates of birth differ in their digits. */
const FIXTURE = {
  Alpha: { clinicNumber: '+18059870001', coordPhone: '+18055550111', memberPhone: '+18055550101', contactPhone: '+18055550121', stranger: '+18055550131', memberDob: '1931-07-19', residentDob: '1929-05-06' },
  Bravo: { clinicNumber: '+18059870002', coordPhone: '+18055550211', memberPhone: '+18055550201', contactPhone: '+18055550221', stranger: '+18055550231', memberDob: '1942-03-04', residentDob: '1938-08-09' },
} as const;

async function ok(res: { statusCode: number; body: string }, status: number, what: string) {
  if (res.statusCode !== status) throw new Error(`${what}: ${res.statusCode} ${res.body}`);
  return res.body.startsWith('{') ? JSON.parse(res.body) : {};
}

/** A clinic and an ECP company of their own, with at least one record of every kind the API names by id. */
async function setUpTenant(t: TestContext, peer: TwilioPeer, tag: Tag): Promise<Tenant> {
  const f = FIXTURE[tag];
  const TAG = tag.toUpperCase();
  const low = tag.toLowerCase();
  const admin = await createUser(t.services, `${tag} Clinic`, 'admin', `${tag} Admin`);
  const coord = await createUser(t.services, `${tag} Clinic`, 'care_coordinator', `${tag} Coordinator`, f.coordPhone);
  await ok(await call(t.app, admin, 'PUT', '/v1/admin/organization', { organization: { npi: '1234567890', phone_numbers: [f.clinicNumber], mcp_id: `${TAG}-MCP`, mcp_name: `${tag} Health Plan` } }), 200, 'organization');
  const patient = (await ok(await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/patients', {
    patient: {
      first_name: `${tag}patient`, last_name: `${tag}son`, phone: f.memberPhone, email: `${low}.member@example.com`, date_of_birth: f.memberDob,
      ecm_eligibility_information: { member_id: `${TAG}-MEM-1`, ecm_service_auth_id: `${TAG}-AUTH-1` }, case_load: { ilcm_user_id: coord.id },
    },
  }), 201, 'patient')).patient.id as number;
  const activity = async (body: Record<string, unknown>) => (await ok(await call(t.app, admin, 'POST', `/v1/clinic/ecm/patients/${patient}/activities`,
    { activity: { activity_type: 'task', assigned_to_id: coord.id, ...body } }), 201, 'activity')).activity.id as number;
  const task1 = await activity({ message: `${tag} first task` });
  const task2 = await activity({ message: `${tag} second task` });
  const task3 = await activity({ message: `${tag} third task` });
  await ok(await call(t.app, admin, 'POST', `/v1/clinic/ecm/patients/${patient}/activities/${task3}/comments`, { comment: { body: `${tag} comment` } }), 201, 'comment');
  const events = (await ok(await call(t.app, admin, 'GET', `/v1/clinic/ecm/patients/${patient}/events`), 200, 'events')).events as Array<{ id: number }>;
  const sms = (await ok(await call(t.app, coord, 'POST', `/v1/clinic/ecm/communications/patients/${patient}/sms`, { sms: { phone_number: f.memberPhone, body: `${tag} hello` } }), 201, 'sms')).sms.id as number;
  const voice = (await ok(await call(t.app, coord, 'POST', `/v1/clinic/ecm/communications/patients/${patient}/call`, { call: { phone_number: f.memberPhone } }), 201, 'call')).call.id as number;
  await ok(await peer.callback(t.app, PUBLIC_URL, '/v1/clinic/webhooks/twilio/sms', { MessageSid: `SM${randomBytes(16).toString('hex')}`, From: f.stranger, To: f.clinicNumber, Body: `${tag} who is this` }), 200, 'inbound sms');
  const unmatched = (await ok(await call(t.app, admin, 'GET', '/v1/admin/clinic/ecm/communications/unmatched'), 200, 'unmatched')).unmatched[0].id as number;
  const member = `/v1/clinic/ecm/patients/${patient}`;
  const revision = (await ok(await call(t.app, admin, 'POST', `${member}/care_plan_revisions`, { care_plan_revision: { revised_on: '2026-10-01', summary: `${tag} plan`, author_user_id: coord.id } }), 201, 'care plan revision')).care_plan_revision.id as number;
  const assessment = (await ok(await call(t.app, admin, 'POST', `${member}/assessments`, { assessment: { started_on: '2026-10-01', title: `${tag} assessment`, assessed_by_user_id: coord.id } }), 201, 'assessment')).assessment.id as number;
  const referral = (await ok(await call(t.app, admin, 'POST', `${member}/referrals`, { referral: { received_on: '2026-10-01', source: `${tag} Health Plan`, service: 'ECM' } }), 201, 'referral')).referral.id as number;
  await ok(await call(t.app, admin, 'PUT', `${member}/member_attributes`, { member_attributes: { populations_of_focus: ['birth_equity'], homeless: true } }), 200, 'member attributes');
  const csv = `MEMBER_ID,FIRST_NAME,LAST_NAME,DOB\r\n${TAG}-MEM-2,${tag}imported,${tag}row,${f.memberDob}\r\n`;
  const mif = (await ok(await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/mifs', { mif: { file: `data:text/csv;base64,${Buffer.from(csv).toString('base64')}` } }), 201, 'mif')).mif_import.id as number;
  const report = (await ok(await call(t.app, admin, 'POST', '/v1/admin/clinic/ecm/prtf_reports', { start_date: '2020-01-01', end_date: new Date().toISOString().slice(0, 10) }), 201, 'prtf report')).prtf_report;
  const link = new URL(report.url as string);

  const company = `${tag} Senior Living`;
  const partner = await createPartner(t, company, [`${tag} Meadows`, `${tag} Pines`]);
  const ecp = { token: await tokenFor(t.app, partner), apiKey: partner.api_key, partner };
  const [meadows] = partner.locations;
  const user = (await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/user', {
    loginName: `${low}.nurse`, location: [`${tag} Meadows`, `${tag} Pines`], firstName: `${tag}nurse`, lastName: `${tag}staff`, userGroup: 'RN', role: 'Nursing',
    // A System Admin, so the workspace's admin screens (User Logins, Integrations, Audit log, ...) are reached too.
    systemAdmin: true, email: `${low}.nurse@example.com`,
  }), 200, 'ecp user')).userId as string;
  const aide = (await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/user', {
    loginName: `${low}.aide`, location: [`${tag} Meadows`], firstName: `${tag}aide`, lastName: `${tag}staff`, userGroup: 'RN', role: 'Caregiver',
  }), 200, 'ecp aide')).userId as string;
  const externalIds = { [`${TAG}_EHR`]: `${TAG}-EXT-1` };
  const resident = { firstName: `${tag}resident`, lastName: `${tag}ova`, dateOfBirth: f.residentDob };
  const residentId = await createResident(t.app, ecp, { ...resident, locationId: meadows.locationId, externalIds, phone: f.memberPhone, room: '101' });
  const contactId = (await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/resident/contact', {
    firstName: `${tag}contact`, lastName: `${tag}kin`, locationId: meadows.locationId, residentId, phone: f.contactPhone, email: `${low}.kin@example.com`,
  }), 200, 'contact')).contactId as string;
  const spareContactId = (await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/resident/contact', {
    firstName: `${tag}spare`, lastName: `${tag}kin`, locationId: meadows.locationId, residentId, phone: f.contactPhone,
  }), 200, 'spare contact')).contactId as string;
  const at = new Date(Date.now() - 3600_000).toISOString();
  await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/resident/vital/blood-ox', { bloodOx: 95, timestamp: at, locationId: meadows.locationId, userId: user, residentId }), 200, 'vital');
  const allergy = `${tag} peanuts`;
  await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/resident/allergy', { allergy, locationId: meadows.locationId, residentId }), 200, 'allergy');
  await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/resident/diagnosis', { loginName: `${low}.nurse`, diagnosis: `${tag} diabetes`, timestamp: at, locationId: meadows.locationId, residentId }), 200, 'diagnosis');
  const org = (await t.services.identity.findOrganizationByName(`${tag} Senior Living`))!.id;
  const templateId = (await t.services.residentAssessments.defineTemplate(systemContext(org, 'isolation test'), org, {
    name: `${tag} Needs`, questions: [{ questionId: 'bathing', text: `${tag} bathing`, choices: [{ answer: 'Independent', points: 0 }, { answer: 'Help', points: 2 }] }],
    levels: [{ minScore: 0, maxScore: 1_000_000, name: `${tag} Level`, amount: 1000, amountFrequency: 'Monthly' }],
  })).templateId;
  await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/resident/assessment', { residentId, templateId, userId: user, answers: [{ questionId: 'bathing', answer: 'Help' }], completedTimestamp: at }), 200, 'assessment');
  const subscriptionId = (await ok(await clinical(t.app, ecp, 'POST', '/clinical/v1/webhook', { callbackUrl: `http://127.0.0.1:9/${low}-hook` }), 200, 'subscription')).subscriptionId as string;
  await ok(await clinical(t.app, ecp, 'PUT', '/clinical/v1/resident', { residentId, room: '102' }), 200, 'resident update');
  const deliveries = (await ok(await clinical(t.app, ecp, 'GET', `/clinical/v1/webhook/${subscriptionId}/deliveries`), 200, 'deliveries')).data as Array<{ messageId: string }>;
  const fhirId = async (type: string) => {
    const bundle = await ok(await t.app.inject({ method: 'GET', url: `/fhir/R4/${type}?patient=${residentId}`, headers: { authorization: `Bearer ${ecp.token}` } }), 200, type);
    return (bundle.entry as Array<{ resource: { id: string } }>)[0].resource.id;
  };
  if (!deliveries.length) throw new Error('deliveries: none recorded for the resident update');
  // A finished Bulk Data export (the job run here: this file runs no workers).
  const kick = await t.app.inject({ method: 'GET', url: '/fhir/R4/$export', headers: { authorization: `Bearer ${ecp.token}`, prefer: 'respond-async' } });
  if (kick.statusCode !== 202) throw new Error(`export: ${kick.statusCode} ${kick.body}`);
  const exportId = String(kick.headers['content-location']).split('/').pop()!;
  const [exportRow] = await t.database.db.select().from(fhirExports).where(eq(fhirExports.publicId, exportId));
  await t.services.fhirExports.runExport(exportRow.id);
  const communityPassword = `${low}-community-password`;
  await t.services.communityAuth.setPassword(systemContext(0, 'isolation'), company, `${low}.nurse`, communityPassword, { mustChange: false });
  const community = (await ok(await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company, loginName: `${low}.nurse`, password: communityPassword } }), 200, 'community sign-in')).token as string;
  const asCommunity = (token: string, method: string, url: string, body?: unknown) => t.app.inject({
    method: method as 'GET', url, headers: { 'x-user-token': token, ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body ? JSON.stringify(body) : undefined,
  });
  // Transfers: a third company of this tenant's ("<tag> Charlie Living") offers it two residents (one to accept, one to
  // decline), and this tenant offers it one (to withdraw); `companyId` is Charlie's for the offers the checks make.
  const companyId = (await ok(await asCommunity(community, 'GET', '/v1/community/me'), 200, 'me')).company.companyId as string;
  const charlie = await createPartner(t, `${tag} Charlie Living`, [`${tag} Charlie House`]);
  const charlieEcp = { token: await tokenFor(t.app, charlie), apiKey: charlie.api_key };
  await ok(await clinical(t.app, charlieEcp, 'POST', '/clinical/v1/user', {
    loginName: 'charlie.admin', location: [`${tag} Charlie House`], firstName: 'Charlie', lastName: 'Admin', userGroup: 'RN', role: 'Owner', systemAdmin: true, email: `${low}.charlie@example.com`,
  }), 200, 'charlie admin');
  await t.services.communityAuth.setPassword(systemContext(0, 'isolation'), `${tag} Charlie Living`, 'charlie.admin', communityPassword, { mustChange: false });
  const charlieToken = (await ok(await t.app.inject({ method: 'POST', url: '/v1/community/auth/sign_in', payload: { company: `${tag} Charlie Living`, loginName: 'charlie.admin', password: communityPassword } }), 200, 'charlie sign-in')).token as string;
  const charlieId = (await ok(await asCommunity(charlieToken, 'GET', '/v1/community/me'), 200, 'charlie me')).company.companyId as string;
  const offer = async (token: string, from: string, to: string, location: string) => {
    const rid = await createResident(t.app, from === 'charlie' ? charlieEcp : ecp, { firstName: `${tag}moving`, lastName: `${tag}${from}`, dateOfBirth: f.residentDob, locationId: location });
    return (await ok(await asCommunity(token, 'POST', `/v1/community/residents/${rid}/transfer_offers`, { companyId: to }), 201, 'transfer offer')).offer.offerId as string;
  };
  const offers = {
    accept: await offer(charlieToken, 'charlie', companyId, charlie.locations[0].locationId),
    decline: await offer(charlieToken, 'charlie', companyId, charlie.locations[0].locationId),
    withdraw: await offer(community, 'tenant', charlieId, meadows.locationId),
  };
  const lead = async () => (await ok(await asCommunity(community, 'POST', '/v1/community/leads', {
    firstName: `${tag}lead`, lastName: `${tag}prospect`, dateOfBirth: f.residentDob, contactPhone: f.contactPhone, locationId: meadows.locationId,
  }), 201, 'lead')).lead.leadId as string;
  const leadIds = { edit: await lead(), convert: await lead() };

  return {
    tag, admin, ecp, community,
    ids: {
      'patients.id': patient, patient_id: patient, 'activities.id': task3, 'events.id': events[0].id, 'users.id': coord.id,
      'mifs.id': mif, 'unmatched.id': unmatched, 'care_plan_revisions.id': revision, 'assessments.id': assessment, 'referrals.id': referral,
      author_user_id: coord.id, assessed_by_user_id: coord.id, 'prtf_reports.id': report.id, public_id: link.pathname.split('/').pop(),
      assigned_to_id: coord.id, provider_id: coord.id, olcm_user_id: coord.id, ilcm_user_id: coord.id, text_message_id: sms, voice_call_id: voice,
      parent_id: task1, blocked_by_id: task1, blocking_id: task2, entity_id: String(patient), actor_id: String(admin.id),
      // Values unique within a tenant: a pool, one value per check (B keeps what it stored, so a second check
      // with the same value would collide with B's own record).
      member_id: [`${TAG}-MEM-1`, `${TAG}-MEM-2`], ecm_service_auth_id: [`${TAG}-AUTH-1`], mcp_id: [`${TAG}-MCP`], externalIds: [externalIds],
      // The workspace's Integrations page rotates and changes its client: another one than the partner's requests use.
      client_id: partner.client_id, clientId: (await createPartner(t, company, [meadows.name])).client_id, location: meadows.name, locationId: meadows.locationId, locationIds: [meadows.locationId],
      // The FHIR door: Patient.id and _id are the residentId; the other resources' ids their records' GUIDs.
      'Patient.id': residentId, _id: residentId, 'Observation.id': await fhirId('Observation'),
      'AllergyIntolerance.id': await fhirId('AllergyIntolerance'), 'Condition.id': await fhirId('Condition'), diagnosisId: await fhirId('Condition'),
      'Location.id': meadows.locationId, 'Organization.id': String(partner.company_id), 'Practitioner.id': user,
      'RelatedPerson.id': await fhirId('RelatedPerson'),
      residentId, contactId, spareContactId, templateId, userId: user, loginName: `${low}.nurse`, subscriptionId, messageId: deliveries[0].messageId,
      // Community admin screens: the password reset takes another user than the signed-in admin; each transfer offer
      // and lead serves one control (an accepted offer cannot be declined), so those operations take their own.
      'userId.other': aide, 'loginName.aide': `${low}.aide`, 'offerId.accept': offers.accept, 'offerId.decline': offers.decline, 'offerId.withdraw': offers.withdraw,
      'leadId.edit': leadIds.edit, 'leadId.convert': leadIds.convert, companyId: charlieId,
      // Bulk Data: a Group is a location; an export is named by its random id.
      'Group.id': meadows.locationId, exportId,
      'resident.externalId': { externalIdName: `${TAG}_EHR`, externalIdValue: `${TAG}-EXT-1` },
      'resident.nameAndBirth': resident,
    },
    extra: { company, communityPassword, allergy, jwks: { keys: [{ ...(await exportJWK((await generateKeyPair('ES384', { extractable: true })).publicKey)), kid: `${low}-key` }] }, expires: link.searchParams.get('expires'), signature: link.searchParams.get('signature'), clientSecret: partner.client_secret_base64, memberPhone: f.memberPhone },
  };
}

// ------------------------------------------------------------------ what the test knows about ids

type Schema = Record<string, unknown> & {
  type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; const?: unknown;
  anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; format?: string; pattern?: string; minimum?: number; maximum?: number; minLength?: number;
  maxLength?: number; minItems?: number;
};
type Operation = ReturnType<typeof operationsOf>[number];
type Where = 'path' | 'query' | 'body';

/** A parameter or body field naming a tenant's record: `path:id`, `body.activity.assigned_to_id`, ... */
const ID_NAME = /(^id$|_id$|Id$|_ids$|Ids$)/;
/** Parameters that name records without looking like ids. */
const ID_NAMES = new Set(['location', 'loginName', 'externalIds']);
/**
 * Values unique only within a tenant: B must be able to use A's as freely as a fresh one. By kind, or by
 * `METHOD path where.key` where the same name is a reference elsewhere (`loginName` of `PUT /clinical/v1/user`).
 */
const VALUE_KINDS = new Set(['member_id', 'ecm_service_auth_id', 'mcp_id', 'externalIds']);
const VALUE_SLOTS = new Set(['POST /clinical/v1/user body.loginName', 'POST /v1/community/users body.loginName']);
/**
 * Operations whose id slot maps to another kind than its name: a record that one control uses up (an accepted
 * transfer offer cannot be declined; a converted lead cannot be edited) or that the signed-in user may not be.
 */
const SLOT_KINDS: Record<string, string> = {
  'PUT /v1/community/users/{userId}/password path.userId': 'userId.other',
  // A login name of A that no check of POST /clinical/v1/user takes first.
  'POST /v1/community/users body.loginName': 'loginName.aide',
  'POST /v1/community/transfer_offers/{offerId}/accept path.offerId': 'offerId.accept',
  'POST /v1/community/transfer_offers/{offerId}/decline path.offerId': 'offerId.decline',
  'POST /v1/community/transfer_offers/{offerId}/withdraw path.offerId': 'offerId.withdraw',
  'PUT /v1/community/leads/{leadId} path.leadId': 'leadId.edit',
  'POST /v1/community/leads/{leadId}/convert path.leadId': 'leadId.convert',
  // Two deletes of one record (the community Contacts tab's remove and the partner API's DELETE of a contact) would
  // otherwise use up B's record before the second control.
  'DELETE /v1/community/residents/{residentId}/contacts/{contactId} path.contactId': 'spareContactId',
};
/**
 * Slots that name another tenant's record by design, left out of the attack (the base request still fills them):
 * a transfer offer is addressed to the receiving company by its GUID (issue 19), so A's `companyId` is a valid
 * address for B. test/ecp/community-admin.test.ts checks the offer's own rules.
 */
const CROSS_TENANT_SLOTS = new Set(['POST /v1/community/residents/{residentId}/transfer_offers body.companyId']);
/**
 * Alternatives: a request names one of these; the first present is the one the base request uses, and testing
 * another removes it (the ECP resident is named by `residentId`, an external id, or name and date of birth).
 */
const ALTERNATIVES = [['locationId', 'location'], ['userId', 'loginName'], ['residentId', 'resident.externalId', 'resident.nameAndBirth']];
/** Containers with ECP resident matching (`residentId` and `externalIdName`) also take these field groups as one id each. */
const RESIDENT_MATCH: Record<string, string[]> = {
  'resident.externalId': ['externalIdName', 'externalIdValue'],
  'resident.nameAndBirth': ['firstName', 'lastName', 'dateOfBirth'],
};

interface Slot {
  where: Where;
  /** Keys of the objects holding the field, from the body's root (empty for path, query and top-level body fields). */
  container: string[];
  /** The field, or the fields of a resident-matching group. */
  keys: string[];
  /** The id kind, the key of `Tenant.ids`: the parameter's name, `<collection>.id` for a path `{id}`, or a group name. */
  kind: string;
  schema?: Schema;
  label: string;
}

interface Door {
  name: string;
  matches(path: string): boolean;
  /** Why the door is left out (no tenant credential reaches it). */
  excluded?: string;
  headers?(tenant: Tenant): Record<string, string>;
  /** Statuses of the family's refusal. */
  refusal?: number[];
  /** The refusal's body shape: exactly the family's error object, nothing else. */
  isErrorBody?(body: unknown): boolean;
  /** ECP: the error sentence must name the field (or one of these words for it). */
  namesField?: boolean;
}

const isStringArray = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
const ecmErrors = (b: unknown) => typeof b === 'object' && b !== null && Object.keys(b).join() === 'errors' && isStringArray((b as { errors: unknown }).errors);

const DOORS: Door[] = [
  {
    name: 'twilio', matches: (p) => p.startsWith('/v1/clinic/webhooks/twilio/'),
    excluded: 'called by Twilio, authenticated by the X-Twilio-Signature of the clinic number\'s account, not by a tenant credential',
  },
  { name: 'download', matches: (p) => p.startsWith('/v1/downloads/'), headers: () => ({}), refusal: [403, 404, 422], isErrorBody: ecmErrors },
  {
    name: 'ecm', matches: (p) => /^\/v1\/(clinic|admin)\//.test(p), headers: (x) => ({ 'x-user-token': x.admin.token }),
    refusal: [403, 404, 422], isErrorBody: ecmErrors,
  },
  {
    // The community workspace (X-User-Token of an ECP user): another company's record or a location outside
    // locationsAllowed is 404, a bad value 422, a wrong sign-in 401, all `{"errors": [..]}`.
    name: 'community', matches: (p) => p.startsWith('/v1/community/'), headers: (x) => ({ 'x-user-token': x.community }),
    refusal: [401, 404, 422], isErrorBody: ecmErrors,
  },
  {
    name: 'token', matches: (p) => p === '/token', headers: () => ({}), refusal: [400, 401],
    isErrorBody: (b) => typeof b === 'object' && b !== null && typeof (b as { error?: unknown }).error === 'string' && Object.keys(b).every((k) => ['error', 'error_description'].includes(k)),
  },
  {
    name: 'ecp', matches: (p) => p.startsWith('/clinical/'), headers: (x) => ({ 'auth-bearer': `Bearer ${x.ecp.token}`, authorization: `Api-Key ${x.ecp.apiKey}` }),
    refusal: [400, 401, 403], namesField: true,
    isErrorBody: (b) => typeof b === 'object' && b !== null && (b as { result?: unknown }).result === 'Error' && typeof (b as { error?: unknown }).error === 'string' && Object.keys(b).every((k) => ['result', 'error'].includes(k)),
  },
  {
    // The FHIR door answers a foreign or unknown resource 404 with an OperationOutcome.
    // Bulk Data kick-offs need Prefer: respond-async; other FHIR requests ignore it.
    name: 'fhir', matches: (p) => p.startsWith('/fhir/'), headers: (x) => ({ authorization: `Bearer ${x.ecp.token}`, prefer: 'respond-async' }), refusal: [404],
    isErrorBody: (b) => typeof b === 'object' && b !== null && (b as { resourceType?: unknown }).resourceType === 'OperationOutcome',
  },
];

/** Words an ECP error may use for a field instead of its name. */
const FIELD_WORDS: Record<string, string[]> = {
  locationId: ['location'], locationIds: ['location'], messageId: ['message'], 'resident.externalId': ['external id'],
  'resident.nameAndBirth': ['firstName'],
};

/**
 * Request parts every tenant's base request needs beyond what the schema requires, by operation: the values a
 * schema cannot say (an activity's type and its fields, a plausible vital sign, an allergy on the list).
 */
const BASES: Record<string, (x: Tenant) => { query?: Record<string, unknown>; body?: Record<string, unknown> }> = {
  'POST /v1/clinic/ecm/patients/{patient_id}/activities': (x) => ({ body: { activity: { activity_type: 'task', message: 'Isolation check', assigned_to_id: x.ids.assigned_to_id } } }),
  'PUT /v1/clinic/ecm/patients/{patient_id}/activities/{id}': () => ({ body: { activity: { message: 'Isolation check' } } }),
  'POST /v1/clinic/ecm/communications/patients/{patient_id}/sms': (x) => ({ body: { sms: { phone_number: x.extra.memberPhone, body: 'Isolation check' } } }),
  'POST /v1/clinic/ecm/communications/patients/{patient_id}/call': (x) => ({ body: { call: { phone_number: x.extra.memberPhone } } }),
  'GET /v1/clinic/ecm/patients/{patient_id}/events/counts': () => ({ query: { start_date: '2020-01-01', end_date: '2030-12-31' } }),
  'GET /v1/clinic/ecm/events/counts': () => ({ query: { start_date: '2020-01-01', end_date: '2030-12-31' } }),
  'POST /v1/admin/clinic/ecm/patients': () => ({ body: { patient: { first_name: 'Iso', last_name: 'Member', ecm_eligibility_information: { member_id: fresh('MEM') } } } }),
  'POST /v1/clinic/ecm/patients/{patient_id}/care_plan_revisions': () => ({ body: { care_plan_revision: { revised_on: '2026-10-02', summary: 'Isolation check' } } }),
  'POST /v1/clinic/ecm/patients/{patient_id}/assessments': () => ({ body: { assessment: { started_on: '2026-10-02' } } }),
  'POST /v1/clinic/ecm/patients/{patient_id}/referrals': () => ({ body: { referral: { received_on: '2026-10-02', source: 'Isolation Plan', service: 'ECM' } } }),
  'POST /v1/admin/clinic/ecm/patients/{patient_id}/discontinuations': () => ({ body: { discontinuation: { discontinued_on: '2026-10-31', reason_code: 'ISO', reason: 'Isolation check' } } }),
  'POST /v1/admin/clinic/ecm/prtf_reports': () => ({ body: { start_date: '2026-10-01', end_date: '2026-10-31' } }),
  'GET /v1/downloads/{public_id}': (x) => ({ query: { expires: x.extra.expires, signature: x.extra.signature } }),
  'POST /token': (x) => ({ body: { grant_type: 'client_credentials', client_id: x.ids.client_id, client_secret: x.extra.clientSecret } }),
  // Saving the list keeps B's allergy, which the partner DELETE's control removes later.
  'PUT /v1/community/residents/{residentId}/allergies': (x) => ({ body: { allergies: [x.extra.allergy, fresh('Pollen')] } }),
  'POST /v1/community/auth/sign_in': (x) => ({ body: { company: x.extra.company, password: x.extra.communityPassword } }),
  'POST /v1/community/residents/{residentId}/vitals': () => ({ body: { pulse: 70 } }),
  'POST /v1/community/residents/{residentId}/assessments': () => ({ body: { score: 1 } }),
  'POST /v1/community/residents/{residentId}/diagnoses': () => ({ body: { code: 'I10' } }),
  'POST /v1/community/residents/{residentId}/contacts': () => ({ body: { firstName: fresh('Iso'), lastName: 'Contact' } }),
  'PUT /v1/community/integrations/clients/{clientId}/jwks': (x) => ({ body: { jwks: x.extra.jwks } }),
  'POST /v1/community/integrations/clients/{clientId}/subscriptions': () => ({ body: { callbackUrl: `http://127.0.0.1:9/${fresh('isolation')}` } }),
  'POST /v1/community/integrations/subscriptions/{subscriptionId}/replay': () => ({ body: { since: '2020-01-01T00:00:00.000Z' } }),
  'POST /v1/community/users': (x) => ({ body: { userGroup: 'RN', locationsAllowed: [x.ids.locationId] } }),
  'PUT /v1/community/users/{userId}/password': () => ({ body: { password: 'isolation-password-1' } }),
  'PUT /v1/community/locations/{locationId}': () => ({ body: { timeZone: 'America/Chicago' } }),
  'POST /clinical/v1/resident/vital/blood-ox': () => ({ body: { bloodOx: 96 } }),
  'POST /clinical/v1/resident/vital/blood-pressure': () => ({ body: { systolic: 120, diastolic: 80 } }),
  'POST /clinical/v1/resident/vital/blood-sugar': () => ({ body: { bloodSugar: 110 } }),
  'POST /clinical/v1/resident/vital/pulse': () => ({ body: { pulse: 70 } }),
  'POST /clinical/v1/resident/vital/respirations': () => ({ body: { respirations: 16 } }),
  'POST /clinical/v1/resident/vital/temperature': () => ({ body: { temperature: 98.6 } }),
  'POST /clinical/v1/resident/vital/weight': () => ({ body: { weight: 150 } }),
  'POST /clinical/v1/resident/allergy': () => ({ body: { allergy: fresh('Pollen') } }),
  'DELETE /clinical/v1/resident/allergy': (x) => ({ query: { allergy: x.extra.allergy } }),
  'POST /clinical/v1/resident/diagnosis': () => ({ body: { diagnosis: 'Isolation check' } }),
  'POST /clinical/v1/resident/assessment': () => ({ body: { score: 1 } }),
  'POST /clinical/v1/resident/contact': () => ({ body: { firstName: fresh('Iso'), lastName: 'Contact' } }),
  'POST /clinical/v1/user': () => ({ body: { firstName: fresh('Iso'), lastName: 'User', userGroup: 'RN', role: 'Nursing' } }),
  'POST /clinical/v1/webhook': () => ({ body: { callbackUrl: 'http://127.0.0.1:9/isolation' } }),
  'PUT /clinical/v1/webhook/{subscriptionId}': () => ({ body: { callbackUrl: `http://127.0.0.1:9/${fresh('isolation')}` } }),
  'POST /clinical/v1/webhook/{subscriptionId}/replay': () => ({ body: { since: '2020-01-01T00:00:00.000Z' } }),
};

let counter = 0;
/** A value no tenant holds: `prefix` and a random suffix. */
function fresh(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A value of the same shape as `v` that names no record of any tenant. */
function unknownLike(v: unknown): unknown {
  if (typeof v === 'number') return 2_000_000_000 + ++counter;
  if (Array.isArray(v)) return v.map(unknownLike);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unknownLike(x)]));
  const s = String(v);
  if (/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i.test(s)) return randomUUID().toUpperCase();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return '1900-01-02';
  if (/^\d+$/.test(s)) return String(2_000_000_000 + ++counter);
  return `nobody${randomBytes(3).toString('hex')}`;
}

function typesOf(s: Schema | undefined): string[] {
  if (!s) return [];
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  const alts = s.anyOf ?? s.oneOf;
  return alts ? alts.flatMap(typesOf) : [];
}

/** A value the schema accepts, the same every run (first enum value, a mid-range number, a format's example). */
function sampleOf(s: Schema | undefined): unknown {
  if (!s) return null;
  if ('const' in s) return s.const;
  if (s.enum) return s.enum.find((v) => v !== null);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return sampleOf(alts.find((a) => typesOf(a).some((t) => t !== 'null')) ?? alts[0]);
  if (s.allOf?.length) return sampleOf(Object.assign({}, ...s.allOf) as Schema);
  switch (typesOf(s).find((t) => t !== 'null')) {
    case 'object': return Object.fromEntries((s.required ?? []).filter((k) => s.properties?.[k]).map((k) => [k, sampleOf(s.properties![k])]));
    case 'array': return Array.from({ length: s.minItems ?? 0 }, () => sampleOf(s.items));
    case 'integer':
    case 'number': return s.minimum !== undefined && s.maximum !== undefined ? Math.round((s.minimum + s.maximum) / 2) : Math.max(s.minimum ?? 1, 1);
    case 'boolean': return false;
    case 'string':
      switch (s.format) {
        case 'date': return '2020-01-15';
        case 'date-time':
        case 'iso-date-time': return new Date(Date.now() - 7200_000).toISOString();
        case 'email': return `iso${++counter}@example.com`;
        case 'uri': return 'https://example.com/isolation';
      }
      if (s.pattern) return fc.sample(fc.stringMatching(new RegExp(s.pattern)), { numRuns: 1, seed: 1 })[0];
      return `Iso${++counter}`.padEnd(s.minLength ?? 0, 'x').slice(0, s.maxLength ?? 100);
    default: return null;
  }
}

/** `v` shaped for a field of `schema`: wrapped in an array for array fields, a string for string fields. */
function shaped(v: unknown, schema: Schema | undefined): unknown {
  const types = typesOf(schema);
  if (types.includes('array') && !Array.isArray(v)) return [v];
  if (types.includes('string') && !types.includes('integer') && typeof v === 'number') return String(v);
  return v;
}

/** The id fields of one operation, with the kinds the test maps them to. */
function slotsOf(op: Operation): Slot[] {
  const slots: Slot[] = [];
  const segments = op.path.split('/');
  const groupSlots = (where: Where, container: string[], names: string[], schemaOf: (k: string) => Schema | undefined) => {
    if (!(names.includes('residentId') && names.includes('externalIdName'))) return;
    for (const [kind, keys] of Object.entries(RESIDENT_MATCH)) {
      if (keys.every((k) => names.includes(k))) slots.push({ where, container, keys, kind, schema: schemaOf(keys[0]), label: `${where}${container.map((c) => `.${c}`).join('')}.{${keys.join(',')}}` });
    }
  };
  for (const p of op.parameters) {
    if (p.in === 'header' || !(ID_NAME.test(p.name) || ID_NAMES.has(p.name))) continue;
    const kind = SLOT_KINDS[`${opKey(op)} ${p.in}.${p.name}`] ?? (p.in === 'path' && p.name === 'id' ? `${segments[segments.indexOf('{id}') - 1]}.id` : p.name);
    slots.push({ where: p.in, container: [], keys: [p.name], kind, schema: p.schema as Schema, label: `${p.in}.${p.name}` });
  }
  const query = op.parameters.filter((p) => p.in === 'query');
  groupSlots('query', [], query.map((p) => p.name), (k) => query.find((p) => p.name === k)?.schema as Schema);
  const walk = (s: Schema | undefined, container: string[]) => {
    if (!s?.properties) return;
    const names = Object.keys(s.properties);
    groupSlots('body', container, names, (k) => s.properties![k]);
    for (const [k, v] of Object.entries(s.properties)) {
      const label = `body.${[...container, k].join('.')}`;
      if (ID_NAME.test(k) || ID_NAMES.has(k)) slots.push({ where: 'body', container, keys: [k], kind: SLOT_KINDS[`${op.method} ${op.path} ${label}`] ?? k, schema: v, label });
      else if (typesOf(v).includes('object')) walk(v, [...container, k]);
    }
  };
  walk(op.body as Schema | undefined, []);
  return slots;
}

function opKey(op: Operation): string {
  return `${op.method} ${op.path}`;
}

function roleOf(op: Operation, slot: Slot): 'value' | 'reference' | 'filter' {
  if (VALUE_KINDS.has(slot.kind) || VALUE_SLOTS.has(`${opKey(op)} ${slot.label}`)) return 'value';
  if ((slot.where === 'query' && op.method === 'GET') || slot.container.includes('filters')) return 'filter';
  return 'reference';
}

// ------------------------------------------------------------------ requests

interface Parts {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: Record<string, unknown>;
}

function containerIn(parts: Parts, slot: Slot, create: boolean): Record<string, unknown> | undefined {
  if (slot.where === 'path') return parts.path;
  if (slot.where === 'query') return parts.query;
  let o = parts.body;
  if (!o && create) o = parts.body = {};
  for (const k of slot.container) {
    if (!o) return undefined;
    if (typeof o[k] !== 'object' || o[k] === null) {
      if (!create) return undefined;
      o[k] = {};
    }
    o = o[k] as Record<string, unknown>;
  }
  return o;
}

/** Sets `slot` of `parts` to `value` (a group's value is an object of its keys). */
function setSlot(parts: Parts, slot: Slot, value: unknown): void {
  const c = containerIn(parts, slot, true)!;
  if (slot.keys.length > 1) for (const k of slot.keys) c[k] = (value as Record<string, unknown>)[k];
  else c[slot.keys[0]] = shaped(value, slot.schema);
}

function removeSlot(parts: Parts, slot: Slot): void {
  const c = containerIn(parts, slot, false);
  if (c) for (const k of slot.keys) delete c[k];
}

function valueFor(tenant: Tenant, op: Operation, slot: Slot): unknown {
  if (!(slot.kind in tenant.ids)) {
    throw new Error(`${opKey(op)} takes ${slot.label}, an id of kind "${slot.kind}" that test/security/isolation.test.ts cannot map: ` +
      'give each tenant a record of that kind in setUpTenant and add it to Tenant.ids (or, for a value unique only within a tenant, to VALUE_KINDS)');
  }
  const v = tenant.ids[slot.kind];
  if (roleOf(op, slot) !== 'value') return v;
  // A value unique within a tenant: B's own requests take a fresh one (B's creates never collide with B); A's
  // come from its pool, one per check.
  const pool = Array.isArray(v) ? v : [v];
  if (tenant.tag === 'Bravo') return unknownLike(pool[0]);
  const used = (poolUse.get(slot.kind) ?? 0) + 1;
  poolUse.set(slot.kind, used);
  return pool[(used - 1) % pool.length];
}
const poolUse = new Map<string, number>();

const clone = <T>(v: T): T => structuredClone(v);

/**
 * The request `tenant` makes to `op` with its own ids: required fields from the schema, every path id and the
 * first of each group of alternatives present, then the operation's entry in `BASES`.
 */
function baseParts(tenant: Tenant, op: Operation, slots: Slot[]): Parts {
  const parts: Parts = { path: {}, query: {} };
  for (const p of op.parameters) {
    if (p.in === 'path') parts.path[p.name] = sampleOf(p.schema as Schema);
    if (p.in === 'query' && p.required) parts.query[p.name] = sampleOf(p.schema as Schema);
  }
  if (op.body) parts.body = sampleOf(op.body as Schema) as Record<string, unknown>;
  // An update that changes nothing may never reach the write: each PUT also changes one text field.
  if (op.method === 'PUT' && parts.body) touch(op.body as Schema, parts.body);
  const extra = BASES[opKey(op)]?.(tenant);
  Object.assign(parts.query, extra?.query);
  if (extra?.body) parts.body = deepMerge(parts.body ?? {}, extra.body);
  for (const slot of slots) {
    const required = slot.where === 'path' || (slot.where === 'query' && op.parameters.some((p) => p.name === slot.keys[0] && p.required))
      || (slot.where === 'body' && (containerSchema(op, slot)?.required ?? []).includes(slot.keys[0]));
    const group = ALTERNATIVES.find((g) => g.includes(slot.kind));
    const firstOfGroup = group && group.find((k) => slots.some((s) => s.kind === k && sameContainer(s, slot))) === slot.kind;
    const given = slot.keys.length === 1 && containerIn(parts, slot, false)?.[slot.keys[0]] !== undefined;
    if (required || firstOfGroup || given) setSlot(parts, slot, valueFor(tenant, op, slot));
  }
  return parts;
}

/**
 * Sets the first optional plain text field of `s` (no format, enum or pattern; not an id) in `body` to a fresh
 * value, looking inside the first object wrapper (`{"patient": {..}}`) when the top level has none.
 */
function touch(s: Schema, body: Record<string, unknown>): boolean {
  const props = Object.entries(s.properties ?? {});
  const text = props.find(([k, v]) => !(s.required ?? []).includes(k) && !ID_NAME.test(k) && !ID_NAMES.has(k) && typesOf(v).includes('string')
    && !v.format && !v.enum && !v.pattern && (v.maxLength ?? 100) >= 12);
  if (text) {
    body[text[0]] = fresh('Iso');
    return true;
  }
  for (const [k, v] of props) {
    if (!typesOf(v).includes('object') || !v.properties) continue;
    const inner = (body[k] ?? {}) as Record<string, unknown>;
    if (touch(v, inner)) {
      body[k] = inner;
      return true;
    }
  }
  return false;
}

function sameContainer(a: Slot, b: Slot): boolean {
  return a.where === b.where && a.container.join('.') === b.container.join('.');
}

function containerSchema(op: Operation, slot: Slot): Schema | undefined {
  let s = op.body as Schema | undefined;
  for (const k of slot.container) s = s?.properties?.[k];
  return s;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof a[k] === 'object' && a[k] !== null ? deepMerge(a[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** `base` with `slot` set to `value` and its alternatives (and the same kind in other containers) removed. */
function withSlot(base: Parts, slots: Slot[], slot: Slot, value: unknown): Parts {
  const parts = clone(base);
  const group = ALTERNATIVES.find((g) => g.includes(slot.kind)) ?? [];
  for (const other of slots) {
    if (other === slot) continue;
    if ((group.includes(other.kind) && sameContainer(other, slot)) || (other.kind === slot.kind && !sameContainer(other, slot))) removeSlot(parts, other);
  }
  setSlot(parts, slot, value);
  return parts;
}

interface Sent { status: number; body: string; json: unknown; request: string }

async function send(t: TestContext, door: Door, tenant: Tenant, op: Operation, parts: Parts): Promise<Sent> {
  let url = op.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(String(parts.path[n])));
  const qs = new URLSearchParams(Object.entries(parts.query).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)])).toString();
  if (qs) url += `?${qs}`;
  const payload = parts.body === undefined ? undefined : JSON.stringify(parts.body);
  const headers = { ...door.headers!(tenant), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) };
  const res = await t.app.inject({ method: op.method as 'GET', url, headers, payload });
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, body: res.body, json, request: `${tenant.tag}: ${op.method} ${url}${payload ? ` ${payload}` : ''}` };
}

// ------------------------------------------------------------------ the test

let t: TestContext;
let peer: TwilioPeer;
let A: Tenant;
let B: Tenant;

beforeAll(async () => {
  peer = await startTwilioPeer();
  t = await createTestContext({
    PUBLIC_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM_NUMBER: FIXTURE.Alpha.clinicNumber,
    TWILIO_API_URL: peer.apiUrl, TWILIO_TIMEOUT_MS: '2000', OUTBOUND_ALLOW_PRIVATE_URLS: 'true',
  });
  A = await setUpTenant(t, peer, 'Alpha');
  B = await setUpTenant(t, peer, 'Bravo');
}, 60_000);

afterAll(async () => {
  await t?.close();
  await peer?.close();
});

/** Every string of A that B must never see, except what B sent. */
function markersOf(a: Tenant, snapshot: Map<string, string>): string[] {
  const f = FIXTURE.Alpha;
  const phones = [f.coordPhone, f.memberPhone, f.contactPhone, f.stranger].flatMap((p) => [p, p.slice(-7), `${p.slice(-7, -4)}-${p.slice(-4)}`]);
  const guids = new Set<string>();
  for (const body of snapshot.values()) for (const g of body.match(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/gi) ?? []) guids.add(g.toUpperCase());
  for (const v of Object.values(a.ids)) if (typeof v === 'string' && /^[0-9A-F-]{36}$/i.test(v)) guids.add(v.toUpperCase());
  return ['alpha', f.memberDob, f.residentDob, a.ids.client_id as string, ...phones, ...guids];
}

function leaks(body: string, markers: string[], sent: unknown): string[] {
  let text = body.toLowerCase();
  for (const s of sentStrings(sent)) text = text.split(s.toLowerCase()).join('<sent>');
  return markers.filter((m) => text.includes(m.toLowerCase()));
}

/**
 * The strings B sent in a value, an object's keys too (an `externalIds` name the community door echoes back);
 * integer ids are left alone: a short number also occurs in unrelated places.
 */
function sentStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(sentStrings);
  if (typeof v === 'object' && v !== null) return Object.entries(v).flatMap(([k, x]) => [...(k.length >= 4 ? [k] : []), ...sentStrings(x)]);
  return typeof v === 'string' && v.length >= 4 ? [v] : [];
}

/**
 * The body with the sent value blanked, to compare the answers to A's id and to an unknown one: strings of 4 or more
 * characters wherever they occur, numbers and short strings only as whole JSON values (a filter echoed back).
 */
function normalized(body: string, sent: unknown): string {
  let out = body;
  for (const s of sentStrings(sent).sort((x, y) => y.length - x.length)) out = out.split(s).join('<sent>');
  for (const v of sentScalars(sent)) {
    const token = typeof v === 'number' ? String(v) : JSON.stringify(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<=[:\\[,])${token}(?=[,}\\]])`, 'g'), '<sent>');
  }
  return out;
}

function sentScalars(v: unknown): Array<string | number> {
  if (Array.isArray(v)) return v.flatMap(sentScalars);
  if (typeof v === 'object' && v !== null) return Object.values(v).flatMap(sentScalars);
  return typeof v === 'number' || typeof v === 'string' ? [v] : [];
}

/** GETs of the snapshot: A's data through every GET of A's doors, with A's ids (audit events grow with each read). */
const SNAPSHOT_SKIP = new Set(['GET /v1/admin/audit_events', 'GET /v1/community/audit_events', 'GET /clinical/v1/codes/icd10cm']);

/**
 * Controls that use up B's record while another delete control needs the same one (two doors delete a webhook
 * subscription): they get a fresh record of B's, made here.
 */
const FRESH_FOR_CONTROL: Record<string, (x: Tenant, parts: Parts) => Promise<void>> = {
  'DELETE /v1/community/integrations/subscriptions/{subscriptionId}': async (x, parts) => {
    const res = await clinical(t.app, x.ecp, 'POST', '/clinical/v1/webhook', { callbackUrl: `http://127.0.0.1:9/${fresh('isolation')}` });
    parts.path.subscriptionId = res.json().subscriptionId;
  },
};

async function snapshotOf(ops: Operation[], tenant: Tenant): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const op of ops) {
    const door = DOORS.find((d) => d.matches(op.path));
    if (op.method !== 'GET' || !door?.headers || door.name === 'token' || SNAPSHOT_SKIP.has(opKey(op))) continue;
    const res = await send(t, door, tenant, op, baseParts(tenant, op, slotsOf(op)));
    // Download links are signed afresh on each read.
    out.set(opKey(op), `${res.status} ${res.body.replace(/expires=\d+&signature=[0-9a-f]+/g, '<signed>').replace(/"expires_at":"[^"]+"/g, '<expires>')}`);
  }
  return out;
}

describe('tenant isolation over every operation of /openapi.json', () => {
  it('refuses every id of another tenant, answers it as an unknown id, leaks none of its data, and changes nothing of it', async () => {
    const started = Date.now();
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const ops = operationsOf(doc);
    const before = await snapshotOf(ops, A);
    const markers = markersOf(A, before);
    const problems: string[] = [];
    const controls: Array<{ op: Operation; door: Door; parts: Parts; why: string }> = [];
    const valueChecks: Array<() => Promise<void>> = [];
    let covered = 0;
    let requests = 0;

    for (const op of ops) {
      const slots = slotsOf(op);
      if (!slots.length) continue;
      const door = DOORS.find((d) => d.matches(op.path));
      if (!door) {
        problems.push(`${opKey(op)} takes ids but belongs to no door of test/security/isolation.test.ts: add its door to DOORS (credentials and refusal)`);
        continue;
      }
      if (door.excluded) continue;
      covered++;
      for (const slot of slots) {
        if (CROSS_TENANT_SLOTS.has(`${opKey(op)} ${slot.label}`)) continue;
        // Built per slot: a base may hold fresh values (a new member's member_id) that one request uses up.
        const base = () => baseParts(B, op, slots);
        const role = roleOf(op, slot);
        const foreign = valueFor(A, op, slot);
        const unknown = unknownLike(foreign);
        const attack = async () => {
          const asA = await send(t, door, B, op, withSlot(base(), slots, slot, foreign));
          const asUnknown = await send(t, door, B, op, withSlot(base(), slots, slot, unknown));
          requests += 2;
          const where = `${opKey(op)} ${slot.label}=${JSON.stringify(foreign)} (${role})`;
          if (process.env.ISOLATION_VERBOSE) console.log(`${where} -> ${asA.status} ${asA.body.slice(0, 120)} | ${asUnknown.status}`);
          const found = leaks(asA.body, markers, foreign);
          if (found.length) problems.push(`${where}: the answer carries A's data ${JSON.stringify(found)}: ${asA.body.slice(0, 300)}`);
          if (asA.status >= 500) {
            problems.push(`${where}: answered ${asA.status}`);
            return;
          }
          if (role === 'value') {
            if (asA.status >= 300 || asUnknown.status >= 300) problems.push(`${where}: B must be able to use A's value as any fresh one: ${asA.status} ${asA.body.slice(0, 200)} / fresh ${asUnknown.status}`);
            return;
          }
          const refused = door.refusal!.includes(asA.status);
          if (role === 'reference' && !refused) problems.push(`${where}: expected the ${door.name} refusal ${door.refusal!.join('/')}, got ${asA.status} ${asA.body.slice(0, 300)}`);
          if (role === 'filter' && !refused && asA.status >= 300) problems.push(`${where}: a filter naming A's record must be refused or answer as an unknown id, got ${asA.status} ${asA.body.slice(0, 300)}`);
          if (refused && !door.isErrorBody!(asA.json)) problems.push(`${where}: the refusal is not the ${door.name} error body alone: ${asA.body.slice(0, 300)}`);
          if (refused && door.namesField && asA.status === 400) {
            const words = [...slot.keys, ...(FIELD_WORDS[slot.kind] ?? [])];
            const message = String((asA.json as { error?: string }).error);
            if (!words.some((w) => message.toLowerCase().includes(w.toLowerCase()))) problems.push(`${where}: the error does not name the field (${words.join(' or ')}): ${message}`);
          }
          if (asA.status !== asUnknown.status || normalized(asA.body, foreign) !== normalized(asUnknown.body, unknown)) {
            problems.push(`${where}: A's id answers ${asA.status} ${normalized(asA.body, foreign).slice(0, 200)} but an unknown id ${asUnknown.status} ${normalized(asUnknown.body, unknown).slice(0, 200)}`);
          }
        };
        // Values B takes from A change B's records (an external id, a login name): they run after the controls,
        // and are their own control (a fresh value must be accepted too). A delete has one control: it uses up
        // B's record.
        if (role === 'value') {
          valueChecks.push(attack);
          continue;
        }
        await attack();
        if (op.method !== 'DELETE' || !controls.some((c) => c.op === op)) controls.push({ op, door, parts: withSlot(base(), slots, slot, valueFor(B, op, slot)), why: slot.label });
      }
    }

    // Controls: the same requests with B's own ids succeed, so each refusal above was about the id. Requests that
    // delete run last, the longest paths first (a contact before its resident); identical requests run once.
    const seen = new Set<string>();
    const ordered = [...controls.filter((c) => c.op.method !== 'DELETE'), ...controls.filter((c) => c.op.method === 'DELETE').sort((x, y) => y.op.path.length - x.op.path.length)];
    const deletes = ordered.findIndex((c) => c.op.method === 'DELETE');
    for (const [i, c] of ordered.entries()) {
      if (i === deletes) for (const check of valueChecks) await check();
      const key = `${opKey(c.op)} ${JSON.stringify(c.parts)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await FRESH_FOR_CONTROL[opKey(c.op)]?.(B, c.parts);
      const res = await send(t, c.door, B, c.op, c.parts);
      requests++;
      if (res.status >= 300) {
        problems.push(`control ${opKey(c.op)} (${c.why}) with B's own ids answered ${res.status} ${res.body.slice(0, 300)}: fix BASES in test/security/isolation.test.ts so the request is otherwise valid\n    ${res.request.slice(0, 400)}`);
      }
    }
    if (deletes < 0) for (const check of valueChecks) await check();

    const after = await snapshotOf(ops, A);
    for (const [k, v] of before) if (after.get(k) !== v) problems.push(`A's ${k} changed after B's requests:\n    before ${v.slice(0, 300)}\n    after  ${after.get(k)?.slice(0, 300)}`);

    console.log(`isolation: ${covered} operations taking ids, ${requests} requests as B, ${before.size} reads of A compared, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(problems, problems.join('\n')).toEqual([]);
    expect(covered).toBeGreaterThan(50);
  }, 120_000);
});
