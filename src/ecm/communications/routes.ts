/**
 * HTTP routes of the ECM Communications API (seed 004): sending SMS and placing
 * calls, the member's conversation, unmatched inbound messages (admin), and the
 * Twilio webhooks (signature-checked, form-encoded, answering TwiML).
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { UserActor } from '../../platform/context.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { contextOf } from '../../platform/http.ts';
import { LimitedString } from '../../platform/schema.ts';
import type { Telephony } from '../../platform/telephony.ts';
import { EcmErrors, ecmResponses, TWILIO_SIGNATURE_SECURITY, USER_TOKEN_SECURITY } from '../http.ts';
import {
  AssignBody,
  AssignResponse,
  CallBody,
  CallResponse,
  CommunicationList,
  IdParams,
  ListQuery,
  PatientParams,
  SmsBody,
  SmsResponse,
  TwilioForm,
  UnmatchedList,
} from './schemas.ts';
import type { CommunicationsService } from './service.ts';

const tags = ['ECM Communications'];
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(LimitedString('key', { description: 'A retried request with the same key returns the first response and sends nothing twice.' })),
});

/** Registered under `/v1/clinic` (every role). */
export async function communicationRoutes(app: FastifyInstance, { communications }: { communications: CommunicationsService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const notFound = { notFoundMessage: 'Patient not found' };

  r.post('/ecm/communications/patients/:patient_id/sms', {
    config: notFound,
    schema: {
      tags, operationId: 'sendPatientSms', summary: 'Send SMS', security: USER_TOKEN_SECURITY,
      description: "Sends from the clinic's first phone number to the member's phone on file (any other number is 422). Creates the `sms` activity and its event. Twilio refusing is 422 `Failed to send SMS: ...`; Twilio unavailable is 502 (not sent); a Twilio timeout is 502 saying it may have been sent (reconciled by a job, never re-sent). A number that texted STOP is 422 `Message blocked (opt-out)`.",
      params: PatientParams, headers: IdempotencyHeaders, body: SmsBody,
      response: ecmResponses({ 201: SmsResponse }, [404, 409, 422, 502]),
    },
  }, async (req, reply) => {
    const res = await communications.sendSms(contextOf<UserActor>(req), req.params.patient_id, req.body.sms, req.headers['idempotency-key']);
    return reply.code(res.status).send(res.body);
  });

  r.post('/ecm/communications/patients/:patient_id/call', {
    config: notFound,
    schema: {
      tags, operationId: 'startPatientCall', summary: 'Initiate call', security: USER_TOKEN_SECURITY,
      description: "Twilio calls the member's phone on file from the clinic's number and, when answered, bridges the member to the caller's own phone (profile `phone`); without one the member hears that the care team will call back. Creates the `call` activity and its event; it completes when Twilio reports the call completed.",
      params: PatientParams, headers: IdempotencyHeaders, body: CallBody,
      response: ecmResponses({ 201: CallResponse }, [404, 409, 422, 502]),
    },
  }, async (req, reply) => {
    const res = await communications.placeCall(contextOf<UserActor>(req), req.params.patient_id, req.body.call, req.headers['idempotency-key']);
    return reply.code(res.status).send(res.body);
  });

  r.get('/ecm/patients/:patient_id/communications', {
    config: notFound,
    schema: {
      tags, operationId: 'listPatientCommunications', summary: "The member's messages and calls", security: USER_TOKEN_SECURITY,
      description: 'Inbound and outbound SMS and calls, newest first.',
      params: PatientParams, querystring: ListQuery,
      response: ecmResponses({ 200: CommunicationList }, [404, 422]),
    },
  }, async (req) => communications.listPatientCommunications(contextOf(req), req.params.patient_id, req.query));
}

/** Registered under `/v1/admin` (admins). */
export async function adminCommunicationRoutes(app: FastifyInstance, { communications }: { communications: CommunicationsService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/clinic/ecm/communications/unmatched', {
    schema: {
      tags, operationId: 'listUnmatchedCommunications', summary: 'Unmatched inbound messages and calls', security: USER_TOKEN_SECURITY,
      description: 'Inbound SMS and calls whose sender matched no member, or several (`candidate_patient_ids`).',
      querystring: ListQuery,
      response: ecmResponses({ 200: UnmatchedList }, [403, 422]),
    },
  }, async (req) => communications.listUnmatched(contextOf(req), req.query));

  r.post('/clinic/ecm/communications/unmatched/:id/assign', {
    config: { notFoundMessage: 'Unmatched communication not found' },
    schema: {
      tags, operationId: 'assignUnmatchedCommunication', summary: 'Assign an unmatched message or call to a member', security: USER_TOKEN_SECURITY,
      description: "Creates the member's text message or call record, its activity and event.",
      params: IdParams, body: AssignBody,
      response: ecmResponses({ 200: AssignResponse }, [403, 404, 422]),
    },
  }, async (req) => communications.assignUnmatched(contextOf<UserActor>(req), req.params.id, req.body.patient_id));
}

const TwimlResponse = { 200: { description: 'TwiML', content: { 'text/xml': { schema: { type: 'string' } } } }, 403: EcmErrors };
const StatusResponse = { 204: { type: 'null', description: 'Recorded' }, 403: EcmErrors };

/**
 * Twilio webhooks, registered under `/v1/clinic/webhooks/twilio`. Every request's `X-Twilio-Signature` is
 * checked over `PUBLIC_URL` + path + query and the posted parameters; a missing or wrong one is 403 and
 * nothing is stored.
 */
export async function twilioWebhookRoutes(
  app: FastifyInstance,
  { communications, telephony, publicUrl }: { communications: CommunicationsService; telephony: Telephony; /** `PUBLIC_URL`, no trailing slash. */ publicUrl: string },
) {
  await app.register(formbody);
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const signature = req.headers['x-twilio-signature'];
    const params = (req.body ?? {}) as Record<string, string>;
    if (!telephony.validSignature(typeof signature === 'string' ? signature : undefined, publicUrl + req.url, params)) {
      throw new ForbiddenError('Invalid Twilio signature');
    }
  });
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const wtags = ['Twilio webhooks'];
  const xml = (reply: FastifyReply, body: string) => reply.type('text/xml').send(body);
  const form = (req: FastifyRequest) => (req.body ?? {}) as Record<string, string>;

  r.post('/sms', {
    schema: { tags: wtags, security: TWILIO_SIGNATURE_SECURITY, operationId: 'receiveInboundSms', summary: 'Inbound SMS', description: 'Twilio posts inbound messages here. Opt-out keywords (STOP, ...) and START are honoured.', body: TwilioForm, response: TwimlResponse },
  }, async (req, reply) => xml(reply, await communications.inboundSms(form(req))));

  r.post('/voice', {
    schema: { tags: wtags, security: TWILIO_SIGNATURE_SECURITY, operationId: 'receiveInboundCall', summary: 'Inbound call', description: "Rings the member's lead care manager, or takes a voicemail.", body: TwilioForm, response: TwimlResponse },
  }, async (req, reply) => xml(reply, await communications.inboundVoice(form(req))));

  r.post('/sms_status', {
    schema: {
      tags: wtags, security: TWILIO_SIGNATURE_SECURITY, operationId: 'updateSmsStatus', summary: 'SMS status callback', description: 'queued, sending, sent, delivered, undelivered, failed; never moves a message backwards.',
      querystring: Type.Object({ text_message_id: Type.Optional(Type.Integer()) }), body: TwilioForm, response: StatusResponse,
    },
  }, async (req, reply) => {
    await communications.smsStatus(form(req), { textMessageId: req.query.text_message_id });
    return reply.code(204).send();
  });

  r.post('/voice_status', {
    schema: {
      tags: wtags, security: TWILIO_SIGNATURE_SECURITY, operationId: 'updateCallStatus', summary: 'Call status callback', description: 'queued, ringing, in-progress, completed, busy, no-answer, failed, canceled; CallDuration in seconds.',
      querystring: Type.Object({ voice_call_id: Type.Optional(Type.Integer()) }), body: TwilioForm, response: StatusResponse,
    },
  }, async (req, reply) => {
    await communications.voiceStatus(form(req), { voiceCallId: req.query.voice_call_id });
    return reply.code(204).send();
  });

  r.post('/voice_outbound/:id', {
    schema: { tags: wtags, security: TWILIO_SIGNATURE_SECURITY, operationId: 'getOutboundCallTwiml', summary: 'TwiML of an outbound call', description: 'Bridges the answering member to the calling coordinator.', params: IdParams, body: TwilioForm, response: TwimlResponse },
  }, async (req, reply) => xml(reply, await communications.outboundTwiml(req.params.id, form(req))));

  r.post('/dial_status/:id', {
    schema: { tags: wtags, security: TWILIO_SIGNATURE_SECURITY, operationId: 'recordDialResult', summary: 'Bridged leg result (<Dial> action)', description: 'DialCallStatus and DialCallDuration decide whether the member was reached.', params: IdParams, body: TwilioForm, response: TwimlResponse },
  }, async (req, reply) => xml(reply, await communications.dialResult(req.params.id, form(req))));
}
