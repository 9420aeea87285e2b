/**
 * The `/clinical/v1` route tree of the ECP partner API: one auth hook (bearer + Api-Key + scope), the ECP
 * error shape, and the endpoints built so far (locations, resident create).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { authenticatePartner, partnerContext } from './auth.ts';
import type { PartnerClientService } from './clients/service.ts';
import { ecpResponses, PARTNER_SECURITY, useEcpErrors } from './http.ts';
import type { LocationService } from './locations/service.ts';
import type { OAuthService } from './oauth/service.ts';
import { CreatedResident, NewResident } from './residents/schemas.ts';
import type { ResidentService } from './residents/service.ts';

interface Deps {
  oauth: OAuthService;
  partnerClients: PartnerClientService;
  locations: LocationService;
  residents: ResidentService;
}

/** Registered with prefix `/clinical/v1`. */
export async function clinicalRoutes(app: FastifyInstance, deps: Deps) {
  useEcpErrors(app);
  app.addHook('onRequest', authenticatePartner(deps.oauth, deps.partnerClients));
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/location', {
    config: { scope: 'location.read' },
    schema: {
      tags: ['ECP locations'], summary: 'Locations the token reaches', security: PARTNER_SECURITY,
      description: 'A bare JSON array of location names (seed 000), without `result`.',
      response: ecpResponses({ 200: Type.Array(Type.String()) }),
    },
  }, async (req) => deps.locations.names(partnerContext(req).actor));

  r.post('/resident', {
    config: { scope: 'resident.write' },
    schema: {
      tags: ['ECP residents'], summary: 'Create a resident', security: PARTNER_SECURITY,
      description: 'Lengths and enums as seed 000 documents them. A future moveInDate gives status Inactive, "Awaiting Move-In".',
      body: NewResident,
      response: ecpResponses({ 200: CreatedResident }),
    },
  }, async (req) => deps.residents.createResident(partnerContext(req), req.body));
}
