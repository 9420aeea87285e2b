/**
 * `POST`, `PUT` and `GET /clinical/v1/user` (seed 000, "ECP's REST API": user), registered inside the
 * `/clinical/v1` tree, so the partner auth hook, the scope check and the ECP error shape apply.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partnerContext } from '../auth.ts';
import { ecpResponses } from '../http.ts';
import { NewUser, SavedUser, UserDetails, UserLookup, UserUpdate } from './schemas.ts';
import type { EcpUserService } from './service.ts';

const TAGS = ['ECP users'];

/** The ECP user endpoints; `deps.ecpUsers` does the work. */
export async function userRoutes(app: FastifyInstance, deps: { ecpUsers: EcpUserService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/user', {
    config: { scope: 'user.write' },
    schema: {
      tags: TAGS, operationId: 'createEcpUser', summary: 'Create a user',
      description:
        'Lengths and enums as seed 000 documents them (`role` and `userGroup` take their documented values despite String(15)). ' +
        '`location`: names or GUIDs of locations the client reaches. `userGroup` must match one of the company\'s enabled groups. ' +
        'Missing `chartingInitials` are generated ("JaBa" for James Baum, then "JaBa2", ...). At most 3 active system admins, each with an email. ' +
        'Booleans true/false or 1/0. A duplicate loginName or chartingInitials (case-insensitive, in the company) is an Error.',
      body: NewUser,
      response: ecpResponses({ 200: SavedUser }),
    },
  }, async (req) => {
    const { user } = await deps.ecpUsers.createUser(partnerContext(req), req.body);
    return { result: 'Success' as const, userId: user.guid };
  });

  r.put('/user', {
    config: { scope: 'user.write' },
    schema: {
      tags: TAGS, operationId: 'updateEcpUser', summary: 'Update, deactivate or reactivate a user',
      description:
        '`loginName` (case-insensitive) finds the user among those sharing a location with the client; every other field is updated when present ' +
        '(an empty string clears an optional text field). `location` replaces the user\'s locations that the client reaches and keeps the others. ' +
        '`active: false` deactivates the user; `active: true` reactivates it with the same userId.',
      body: UserUpdate,
      response: ecpResponses({ 200: SavedUser }),
    },
  }, async (req) => {
    const { user } = await deps.ecpUsers.updateUser(partnerContext(req), req.body);
    return { result: 'Success' as const, userId: user.guid };
  });

  r.get('/user', {
    config: { scope: 'user.read' },
    schema: {
      tags: TAGS, operationId: 'getEcpUser', summary: 'Get a user by loginName',
      description:
        '`loginName` in the query string or, as the seed shows for GETs, a JSON body; case-insensitive, among users sharing a location with the client ' +
        '(deactivated users included). The fields come beside `result`; `location` lists the GUIDs of the user\'s locations the client reaches; absent values are null.',
      querystring: UserLookup,
      response: ecpResponses({ 200: UserDetails }),
    },
  }, async (req) => deps.ecpUsers.getUser(partnerContext(req), req.query.loginName));
}
