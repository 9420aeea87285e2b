/**
 * HTTP routes of the ECM Activities API (seed 003), comments, and the
 * clinic-wide activity list.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { UserActor } from '../../platform/context.ts';
import { contextOf } from '../../platform/http.ts';
import { LimitedString } from '../../platform/schema.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import {
  ACTIVITY_TYPES,
  ActivityBody,
  ActivityEnvelope,
  ActivityList,
  ActivityParams,
  ClinicActivityQuery,
  CommentBody,
  CommentEnvelope,
  PatientActivityQuery,
  PatientParams,
} from './schemas.ts';
import type { ActivityService } from './service.ts';

const tags = ['ECM Activities'];
const activityNotFound = { notFoundMessage: 'Activity not found' };

const REQUIRED = `Required fields by type: task: message; note: body; sms: body, text_message_id; call: voice_call_id (or, logged by hand, outcome and duration); email: email_to, body; in_person_appointment and meeting: booked_at; every type: assigned_to_id (an active user of the clinic). Types: ${ACTIVITY_TYPES.join(', ')}.`;

/** Registered under `/v1/clinic` (every role). */
export async function activityRoutes(app: FastifyInstance, { activities }: { activities: ActivityService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/ecm/patients/:patient_id/activities', {
    config: { notFoundMessage: 'Patient not found' },
    schema: {
      tags, operationId: 'listPatientActivities', summary: 'List patient activities', security: USER_TOKEN_SECURITY,
      description: 'Newest first. Page size from `page_size` or `per_page` (default 25, max 100).',
      params: PatientParams, querystring: PatientActivityQuery,
      response: ecmResponses({ 200: ActivityList }, [404, 422]),
    },
  }, async (req) => activities.listPatientActivities(contextOf(req), req.params.patient_id, req.query));

  r.post('/ecm/patients/:patient_id/activities', {
    config: { notFoundMessage: 'Patient not found' },
    schema: {
      tags, operationId: 'createPatientActivity', summary: 'Create activity', security: USER_TOKEN_SECURITY,
      description: `${REQUIRED} The caller is \`performed_by\`. The event (all types but note) is created in the same transaction; an email activity is sent by a background job (\`email_status\`: queued, sent, failed).`,
      params: PatientParams, body: ActivityBody,
      headers: Type.Object({ 'idempotency-key': Type.Optional(LimitedString('key', { description: 'A retried request with the same key returns the first response and creates (and emails) nothing twice.' })) }),
      response: ecmResponses({ 201: ActivityEnvelope }, [404, 409, 422]),
    },
  }, async (req, reply) => {
    const res = await activities.createActivityOnce(contextOf<UserActor>(req), req.params.patient_id, req.body.activity, req.headers['idempotency-key']);
    return reply.code(res.status).send(res.body as never);
  });

  r.get('/ecm/patients/:patient_id/activities/:id', {
    config: activityNotFound,
    schema: {
      tags, operationId: 'getPatientActivity', summary: 'Get activity details', security: USER_TOKEN_SECURITY,
      params: ActivityParams,
      response: ecmResponses({ 200: ActivityEnvelope }, [404]),
    },
  }, async (req) => ({ activity: await activities.getActivity(contextOf(req), req.params.patient_id, req.params.id) }));

  r.put('/ecm/patients/:patient_id/activities/:id', {
    config: activityNotFound,
    schema: {
      tags, operationId: 'updatePatientActivity', summary: 'Update activity', security: USER_TOKEN_SECURITY,
      description: 'Same fields as create, all optional. `activity_type` may change among task, note, in_person_appointment, meeting and call (a call logged by hand: outcome and duration), with the new type\'s required fields; a due date or modality the new type does not take is cleared. Refused (422, with the reason) for an activity tied to a communication record (an SMS or call made through Twilio, an email queued or sent) and for a task with subtasks. The event follows in the same transaction (created, retyped or cancelled; status, time, subject, body, duration, PRTF category).',
      params: ActivityParams, body: ActivityBody,
      response: ecmResponses({ 200: ActivityEnvelope }, [404, 422]),
    },
  }, async (req) => ({ activity: await activities.updateActivity(contextOf(req), req.params.patient_id, req.params.id, req.body.activity) }));

  r.delete('/ecm/patients/:patient_id/activities/:id', {
    config: activityNotFound,
    schema: {
      tags, operationId: 'deletePatientActivity', summary: 'Delete activity', security: USER_TOKEN_SECURITY,
      description: 'Soft delete: the activity and its subtasks leave lists and details; their events are cancelled and leave counts.',
      params: ActivityParams,
      response: ecmResponses({ 204: { type: 'null', description: 'Deleted' } }, [404]),
    },
  }, async (req, reply) => {
    await activities.deleteActivity(contextOf(req), req.params.patient_id, req.params.id);
    return reply.code(204).send();
  });

  r.post('/ecm/patients/:patient_id/activities/:id/comments', {
    config: activityNotFound,
    schema: {
      tags, operationId: 'createActivityComment', summary: 'Comment on an activity', security: USER_TOKEN_SECURITY,
      params: ActivityParams, body: CommentBody,
      response: ecmResponses({ 201: CommentEnvelope }, [404, 422]),
    },
  }, async (req, reply) => {
    const comment = await activities.addComment(contextOf<UserActor>(req), req.params.patient_id, req.params.id, req.body.comment.body);
    return reply.code(201).send({ comment });
  });

  r.get('/ecm/activities', {
    schema: {
      tags, operationId: 'listActivities', summary: 'List activities across the clinic', security: USER_TOKEN_SECURITY,
      description: "The patient list's filters plus `patient_id` and `due_before`. A coordinator's open work: `assigned_to_id=<me>&status=created`; messages nobody has picked up: `unassigned=true&status=created`. With `due_before`, soonest due first.",
      querystring: ClinicActivityQuery,
      response: ecmResponses({ 200: ActivityList }, [422]),
    },
  }, async (req) => activities.listClinicActivities(contextOf(req), req.query));
}
