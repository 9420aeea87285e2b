/** `POST` and `GET /clinical/v1/resident/diagnosis` (seed 000); the rules are in `service.ts`. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import { DiagnosisCreated, DiagnosisList, DiagnosisQuery, NewDiagnosis } from './schemas.ts';
import type { DiagnosisService } from './service.ts';

export async function diagnosisRoutes(app: FastifyInstance, deps: { diagnoses: DiagnosisService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/resident/diagnosis', {
    config: { scope: 'diagnosis.write' },
    schema: {
      tags: ['ECP diagnoses'], operationId: 'createResidentDiagnosis', summary: 'Add a diagnosis to a resident',
      description:
        'Resident by residentId, externalIdName + externalIdValue, or firstName + lastName + dateOfBirth, at location (name or GUID; or locationId). ' +
        'code (E11.9 or E119) must be a billable ICD-10-CM code of the fiscal year of timestamp (or of the latest imported year); ' +
        'without an imported code set, codes are checked for syntax only. diagnosis is required without code and ignored with one.',
      body: NewDiagnosis,
      response: ecpResponses({ 200: DiagnosisCreated }),
    },
  }, async (req) => deps.diagnoses.record(partnerContext(req), req.body));

  r.get('/resident/diagnosis', {
    config: { scope: 'diagnosis.read' },
    schema: {
      tags: ['ECP diagnoses'], operationId: 'listResidentDiagnoses', summary: "A location's diagnoses",
      description: 'Parameters in the query string or a JSON body. 100 a page, oldest first (timestamp, then order of recording).',
      querystring: DiagnosisQuery,
      response: ecpResponses({ 200: DiagnosisList }),
    },
  }, async (req) => deps.diagnoses.list(partnerContext(req), req.query));
}
