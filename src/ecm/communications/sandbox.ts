/**
 * The sandbox outbox: what the sandbox providers recorded instead of sending
 * (no SMTP_URL, no Twilio account), readable by the clinic at
 * `GET /v1/clinic/ecm/communications/sandbox`.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { and, desc, eq, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { Nullable } from '../../platform/schema.ts';
import type { Db } from '../../db/pool.ts';
import { sandboxMessages } from '../../db/schema.ts';
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { contextOf } from '../../platform/http.ts';
import { PageQuery, pageRequest, Pagination, paginationOf } from '../../platform/pagination.ts';
import { ecmResponses, USER_TOKEN_SECURITY } from '../http.ts';


const SandboxMessage = Type.Object({
  id: Type.Integer(),
  channel: Type.String({ description: 'email, sms or call.' }),
  to: Type.String(),
  from: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  body: Nullable(Type.String()),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String({ format: 'date-time' }),
});

export function createSandboxService({ db }: { db: Db }) {
  return {
    /** A page of the organization's sandbox messages, newest first, optionally of one channel. */
    list(ctx: RequestContext, q: { page?: number; per_page?: number; page_size?: number; channel?: string }) {
      const page = pageRequest(q);
      return db.transaction(async (tx) => {
        const where = and(eq(sandboxMessages.organizationId, ctx.actor.organizationId), q.channel ? eq(sandboxMessages.channel, q.channel) : undefined);
        const rows = await tx.select().from(sandboxMessages).where(where).orderBy(desc(sandboxMessages.id)).limit(page.perPage).offset(page.offset);
        const [{ count }] = await tx.select({ count: sql<number>`count(*)::int` }).from(sandboxMessages).where(where);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'sandbox_message', entityIds: rows.map((r) => r.id) });
        return {
          messages: rows.map((m) => ({
            id: m.id,
            channel: m.channel,
            to: m.toAddress,
            from: m.fromAddress,
            subject: m.subject,
            body: m.body,
            metadata: m.metadata as Record<string, unknown>,
            created_at: m.createdAt.toISOString(),
          })),
          pagination: paginationOf(page, count),
        };
      });
    },
  };
}
export type SandboxService = ReturnType<typeof createSandboxService>;

/** Registered under `/v1/clinic`. */
export async function sandboxRoutes(app: FastifyInstance, { sandbox }: { sandbox: SandboxService }) {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/ecm/communications/sandbox', {
    schema: {
      tags: ['ECM Communications'], operationId: 'listSandboxOutbox', summary: 'Sandbox outbox', security: USER_TOKEN_SECURITY,
      description: 'What the sandbox providers recorded instead of sending (the server runs them when SMTP_URL or the Twilio settings are unset; never in production).',
      querystring: Type.Object({ ...PageQuery, channel: Type.Optional(Type.Enum(['email', 'sms', 'call'])) }),
      response: ecmResponses({ 200: Type.Object({ messages: Type.Array(SandboxMessage), pagination: Pagination }) }, [422]),
    },
  }, async (req) => sandbox.list(contextOf(req), req.query));
}
