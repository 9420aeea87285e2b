/** `/clinical/v1/location` (seed 000): the names of the locations the token reaches. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import type { LocationService } from './service.ts';

export async function locationRoutes(app: FastifyInstance, deps: { locations: LocationService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/location', {
    config: { scope: 'location.read' },
    schema: {
      tags: ['ECP locations'], operationId: 'listLocations', summary: 'Locations the token reaches',
      description: 'A bare JSON array of location names (seed 000), without `result`.',
      response: ecpResponses({ 200: Type.Array(Type.String()) }),
    },
  }, async (req) => deps.locations.names(partnerContext(req).actor));
}
