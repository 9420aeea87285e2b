/**
 * HTTP routes of the ECM Events API (seed 002) and the clinic-wide counts.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { contextOf } from '../../platform/http.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import {
  ClinicCountsQuery,
  ClinicCountsResponse,
  COUNTS_RULES,
  CountsQuery,
  EventEnvelope,
  EventList,
  EventListQuery,
  PatientCountsResponse,
  PatientEventParams,
  PatientParams,
} from './schemas.ts';
import type { EventService } from './service.ts';

const tags = ['ECM Events'];

/** Registered under `/v1/clinic` (every role). */
export async function eventRoutes(app: FastifyInstance, { events }: { events: EventService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/ecm/patients/:patient_id/events', {
    config: { notFoundMessage: 'Patient not found' },
    schema: {
      tags, operationId: 'listPatientEvents', summary: 'List patient events', security: USER_TOKEN_SECURITY,
      description: "Newest first. `start_date` and `end_date` are inclusive days in the clinic's time zone.",
      params: PatientParams, querystring: EventListQuery,
      response: ecmResponses({ 200: EventList }, [404, 422]),
    },
  }, async (req) => events.listEvents(contextOf(req), req.params.patient_id, req.query));

  r.get('/ecm/patients/:patient_id/events/counts', {
    config: { notFoundMessage: 'Patient not found' },
    schema: {
      tags, operationId: 'getPatientEventCounts', summary: 'Patient event counts', security: USER_TOKEN_SECURITY,
      description: COUNTS_RULES,
      params: PatientParams, querystring: CountsQuery,
      response: ecmResponses({ 200: PatientCountsResponse }, [404, 422]),
    },
  }, async (req) => events.patientCounts(contextOf(req), req.params.patient_id, req.query.start_date, req.query.end_date));

  r.get('/ecm/patients/:patient_id/events/:id', {
    config: { notFoundMessage: 'Event not found' },
    schema: {
      tags, operationId: 'getPatientEvent', summary: 'Get event details', security: USER_TOKEN_SECURITY,
      params: PatientEventParams,
      response: ecmResponses({ 200: EventEnvelope }, [404]),
    },
  }, async (req) => ({ event: await events.getEvent(contextOf(req), req.params.patient_id, req.params.id) }));

  r.get('/ecm/events/counts', {
    schema: {
      tags, operationId: 'getClinicEventCounts', summary: 'Clinic-wide event counts', security: USER_TOKEN_SECURITY,
      description: `The per-patient counts over every member of the clinic, or of one case load (provider_id, olcm_user_id, ilcm_user_id).\n\n${COUNTS_RULES}`,
      querystring: ClinicCountsQuery,
      response: ecmResponses({ 200: ClinicCountsResponse }, [422]),
    },
  }, async (req) => events.clinicCounts(contextOf(req), req.query));
}
