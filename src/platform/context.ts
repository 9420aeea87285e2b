/**
 * Who is acting, and from where: passed from the HTTP layer (or a job, or the
 * CLI) into every service call, and written into audit rows.
 */
export const ROLES = ['admin', 'care_coordinator', 'provider'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** `user` (a clinic login), `system` (CLI, imports, jobs), `partner` (an ECP client) or `ecp_user` (community staff signed in to the workspace). */
  kind: 'user' | 'system' | 'partner' | 'ecp_user';
  /** The user id (as text), client id, or null for the system. */
  id: string | null;
  /** Display name recorded in audit rows and status history (`changed_by`). */
  name: string;
  organizationId: number;
}

export interface UserActor extends Actor {
  kind: 'user';
  userId: number;
  role: Role;
  /** The `auth_tokens` row the request presented. */
  tokenId: number;
}

export interface RequestContext<A extends Actor = Actor> {
  actor: A;
  /** Client IP as the server saw it; null outside HTTP. */
  ip: string | null;
  requestId: string | null;
}

/** A context for work the platform does on its own behalf (CLI, demo seeding, imports). */
export function systemContext(organizationId: number, name: string): RequestContext {
  return { actor: { kind: 'system', id: null, name, organizationId }, ip: null, requestId: null };
}
