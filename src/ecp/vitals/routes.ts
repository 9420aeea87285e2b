/** `POST` and `GET /clinical/v1/resident/vital/<kind>` for the seven kinds of seed 000 (scopes vital.write, vital.read). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import { VITALS } from './definitions.ts';
import { newVitalSchema, VitalCreated, vitalListSchema, VitalQuery, type VitalQueryWire } from './schemas.ts';
import type { NewVitalWire, VitalService } from './service.ts';

const IDENTIFY = 'Location by `location` (name) or `locationId`; the recording user by `loginName` or `userId`; the resident by `residentId`, '
  + 'else `externalIdName` + `externalIdValue`, else `firstName` + `lastName` + `dateOfBirth`. No match and several matches are distinct errors.';

export async function vitalRoutes(app: FastifyInstance, deps: { vitals: VitalService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const def of VITALS) {
    // `blood-ox` -> `BloodOx`: the path is fixed by the seed, so the operation ids are stable.
    const noun = def.path.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
    const ranges = def.fields.map((f) => `${f.name} ${f.min}–${f.max}`).join(', ');
    r.post(`/resident/vital/${def.path}`, {
      config: { scope: 'vital.write' },
      schema: {
        tags: ['ECP vitals'], operationId: `create${noun}Vital`, summary: `Record a ${def.label.toLowerCase()} reading`,
        description: `Unit: ${def.unit}; plausible range ${ranges}${def.path === 'blood-pressure' ? ' (systolic above diastolic)' : ''}. ${IDENTIFY}`,
        body: newVitalSchema(def),
        response: ecpResponses({ 200: VitalCreated }),
      },
    }, async (req) => deps.vitals.record(partnerContext(req), def, req.body as unknown as NewVitalWire));

    r.get(`/resident/vital/${def.path}`, {
      config: { scope: 'vital.read' },
      schema: {
        tags: ['ECP vitals'], operationId: `list${noun}Vitals`, summary: `${def.label} readings of a location`,
        description: `Unit: ${def.unit}. 100 a page, sorted by timestamp; parameters in the query string or a JSON body.`,
        querystring: VitalQuery,
        response: ecpResponses({ 200: vitalListSchema(def) }),
      },
    }, async (req) => deps.vitals.list(partnerContext(req), def, req.query as VitalQueryWire));
  }
}
