/**
 * Clinic sign-in and sign-out, the current user, user administration,
 * organization settings and the audit log.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuditService } from '../../platform/audit.ts';
import type { UserActor } from '../../platform/context.ts';
import { contextOf, CREDENTIALS_BODY_LIMIT, PUBLIC_SECURITY } from '../../platform/http.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';
import {
  AuditList,
  AuditQuery,
  IdParams,
  MeResponse,
  NewUserBody,
  OrganizationBody,
  OrganizationEnvelope,
  organizationWire,
  SignInBody,
  SignInResponse,
  UserChangesBody,
  UserEnvelope,
  UserList,
  UserListQuery,
  userWire,
} from './schemas.ts';

interface Deps {
  identity: IdentityService;
  audit: AuditService;
}

/** `POST /v1/auth/sign_in`: the only ECM route without a token. */
export async function signInRoutes(app: FastifyInstance, { identity }: Deps) {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/auth/sign_in', {
    schema: {
      tags: ['Authentication'], operationId: 'signIn', summary: 'Sign in', security: PUBLIC_SECURITY,
      description: 'Returns a token for X-User-Token. A wrong email or password is 401 `Invalid email or password` (the same for both). Throttled per account and per IP (429). '
        + 'Tokens expire after SESSION_IDLE_TIMEOUT_MINUTES without use and SESSION_MAX_AGE_HOURS after sign-in. Every attempt on an existing account is audited (`sign_in`, `sign_in_failed`).',
      body: SignInBody,
      response: ecmResponses({ 200: SignInResponse }, [422, 429]),
    },
    bodyLimit: CREDENTIALS_BODY_LIMIT,
  }, async (req) => {
    const { token, user } = await identity.signIn(req.body.email, req.body.password, { ip: req.ip, requestId: req.id });
    return { token, user: userWire(user) };
  });
}

/** Routes for every signed-in user. */
export async function sessionRoutes(app: FastifyInstance, { identity }: Deps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.delete('/auth/sign_out', {
    schema: {
      tags: ['Authentication'], operationId: 'signOut', summary: 'Sign out', security: USER_TOKEN_SECURITY,
      description: 'Revokes the presented token.',
      response: ecmResponses({ 204: { type: 'null', description: 'Signed out' } }),
    },
  }, async (req, reply) => {
    await identity.signOut(contextOf<UserActor>(req));
    return reply.code(204).send();
  });

  r.get('/me', {
    schema: {
      tags: ['Authentication'], operationId: 'getCurrentUser', summary: 'The signed-in user and their clinic', security: USER_TOKEN_SECURITY,
      response: ecmResponses({ 200: MeResponse }),
    },
  }, async (req) => {
    const { actor } = contextOf<UserActor>(req);
    const [user, org] = await Promise.all([identity.getUser(actor.organizationId, actor.userId), identity.getOrganization(actor.organizationId)]);
    return { user: userWire(user), organization: organizationWire(org) };
  });
}

/** Admin routes under `/v1/admin`: users, organization settings, audit log. */
export async function adminAccountRoutes(app: FastifyInstance, { identity, audit }: Deps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['Clinic administration'];

  r.get('/users', {
    schema: { tags, operationId: 'listClinicUsers', summary: 'List the clinic\'s users', security: USER_TOKEN_SECURITY, querystring: UserListQuery, response: ecmResponses({ 200: UserList }, [403, 422]) },
  }, async (req) => {
    const page = pageRequest(req.query);
    const { rows, totalCount } = await identity.listUsers(contextOf(req).actor.organizationId, page, req.query.role);
    return { users: rows.map(userWire), pagination: paginationOf(page, totalCount) };
  });

  r.post('/users', {
    schema: { tags, operationId: 'createClinicUser', summary: 'Create a user', security: USER_TOKEN_SECURITY, body: NewUserBody, response: ecmResponses({ 201: UserEnvelope }, [403, 422]) },
  }, async (req, reply) => {
    const user = await identity.createUser(contextOf(req), req.body.user);
    return reply.code(201).send({ user: userWire(user) });
  });

  r.put('/users/:id', {
    config: { notFoundMessage: 'User not found' },
    schema: {
      tags, operationId: 'updateClinicUser', summary: 'Change a user', security: USER_TOKEN_SECURITY,
      description: '`active: false` deactivates: the user cannot sign in and their tokens stop working at once.',
      params: IdParams, body: UserChangesBody, response: ecmResponses({ 200: UserEnvelope }, [403, 404, 422]),
    },
  }, async (req) => ({ user: userWire(await identity.updateUser(contextOf(req), req.params.id, req.body.user)) }));

  r.get('/organization', {
    schema: { tags, operationId: 'getOrganization', summary: 'The clinic\'s settings', security: USER_TOKEN_SECURITY, response: ecmResponses({ 200: OrganizationEnvelope }, [403]) },
  }, async (req) => ({ organization: organizationWire(await identity.getOrganization(contextOf(req).actor.organizationId)) }));

  r.put('/organization', {
    schema: {
      tags, operationId: 'updateOrganization', summary: 'Change the clinic\'s settings', security: USER_TOKEN_SECURITY,
      description:
        'NPI (10 digits), TIN (9 digits), phone, IANA time zone, MCP id and name, and the clinic\'s Twilio numbers (`phone_numbers` ' +
        'replaces them, in order; the first is the one the clinic sends from). A number belongs to one organization: one that another ' +
        'organization holds answers 422 `Phone number +18055550100 is already in use` and nothing is changed.',
      body: OrganizationBody, response: ecmResponses({ 200: OrganizationEnvelope }, [403, 422]),
    },
  }, async (req) => ({ organization: organizationWire(await identity.updateOrganization(contextOf(req), req.body.organization)) }));

  r.get('/audit_events', {
    schema: {
      tags, operationId: 'listAuditEvents', summary: 'The audit log', security: USER_TOKEN_SECURITY,
      description: 'One row per request that read or changed PHI, per sign-in attempt on one of the clinic\'s accounts, per sign-out, and per 403, newest first.',
      querystring: AuditQuery, response: ecmResponses({ 200: AuditList }, [403, 422]),
    },
  }, async (req) => {
    const q = req.query;
    const page = pageRequest(q);
    const dayAfter = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000);
    const { rows, totalCount } = await audit.list(contextOf(req).actor.organizationId, {
      entityType: q.entity_type,
      entityId: q.entity_id,
      actorId: q.actor_id,
      action: q.action,
      from: q.start_date ? new Date(`${q.start_date}T00:00:00Z`) : undefined,
      to: q.end_date ? dayAfter(q.end_date) : undefined,
    }, page);
    return {
      audit_events: rows.map((a) => ({
        id: a.id,
        actor_type: a.actorType,
        actor_id: a.actorId,
        actor_name: a.actorName,
        action: a.action,
        entity_type: a.entityType,
        entity_ids: a.entityIds,
        ip: a.ip,
        request_id: a.requestId,
        created_at: a.createdAt.toISOString(),
      })),
      pagination: paginationOf(page, totalCount),
    };
  });
}
