/**
 * HTTP routes of the imports, admin only (registered under `/v1/admin`):
 * the Member Information File import and its history, and the authorization import.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { contextOf } from '../../platform/http.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import {
  AUTHORIZATION_DESCRIPTION,
  AuthorizationBody,
  AuthorizationImportResponse,
  IMPORT_BODY_LIMIT,
  MIF_DESCRIPTION,
  MifBody,
  MifImportEnvelope,
  MifImportList,
  MifImportListQuery,
  MifImportParams,
  MifImportResponse,
} from './schemas.ts';
import type { ImportService } from './service.ts';

const tags = ['ECM Imports'];

/** Admin routes; registered under `/v1/admin` behind the admin guard. */
export async function adminImportRoutes(app: FastifyInstance, { imports }: { imports: ImportService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/clinic/ecm/mifs', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags, operationId: 'importMemberInformationFile', summary: 'Import a Member Information File', security: USER_TOKEN_SECURITY,
      description: MIF_DESCRIPTION,
      body: MifBody,
      response: ecmResponses({ 201: MifImportResponse }, [403, 422]),
    },
  }, async (req, reply) => {
    const mif_import = await imports.importMif(contextOf(req), req.body.mif);
    return reply.code(201).send({ message: 'Member information file imported successfully', mif_import });
  });

  r.get('/clinic/ecm/mifs', {
    schema: {
      tags, operationId: 'listMemberInformationFileImports', summary: 'List Member Information File imports', security: USER_TOKEN_SECURITY,
      description: 'The clinic\'s MIF imports, newest first, with their counts (rejected rows in the detail).',
      querystring: MifImportListQuery,
      response: ecmResponses({ 200: MifImportList }, [403, 422]),
    },
  }, async (req) => imports.listMifImports(contextOf(req), req.query));

  r.get('/clinic/ecm/mifs/:id', {
    config: { notFoundMessage: 'MIF import not found' },
    schema: {
      tags, operationId: 'getMemberInformationFileImport', summary: 'Get a Member Information File import', security: USER_TOKEN_SECURITY,
      description: 'One MIF import: counts, unknown columns and every rejected row with its reasons.',
      params: MifImportParams,
      response: ecmResponses({ 200: MifImportEnvelope }, [403, 404]),
    },
  }, async (req) => ({ mif_import: await imports.getMifImport(contextOf(req), req.params.id) }));

  r.post('/clinic/ecm/authorizations', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags, operationId: 'importAuthorizationFile', summary: 'Import an authorization file', security: USER_TOKEN_SECURITY,
      description: AUTHORIZATION_DESCRIPTION,
      body: AuthorizationBody,
      response: ecmResponses({ 201: AuthorizationImportResponse }, [403, 422]),
    },
  }, async (req, reply) => reply.code(201).send(await imports.importAuthorizations(contextOf(req), req.body.authorization)));
}
