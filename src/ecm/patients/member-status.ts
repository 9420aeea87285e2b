/**
 * The one place that decides a member's `member_record_status`. Every writer calls it: enrolment (`POST
 * .../patients`), the admin's `PUT .../patients/{id}`, a MIF row, the authorization import, the daily expiry job
 * and a discontinuation. Two pure functions:
 *
 * - `decideMemberStatus`: whether a writer's proposed status is written, given the member's status and the
 *   discontinuation in force (docs/decisions.md "DHCS reporting data").
 * - `memberStatusFromAuthorizations`: the status a member's authorizations call for (the authorization rule, which the
 *   authorization import and the expiry job propose).
 *
 * The writer rule:
 * 1. Enrolment writes the given status, else `new_member` (the first history entry).
 * 2. A discontinuation writes `terminated_member`, always (its history entry marks the end of ECM, even when the
 *    member was already terminated).
 * 3. Staff (the admin's PUT) write any status that differs from the current one; that also ends a discontinuation in
 *    force (a person decided).
 * 4. While a discontinuation is in force, the MIF and the expiry job change nothing, and the authorization import
 *    only re-opens the member: an Approved or Pending authorization that starts after the discontinuation date.
 * 5. Otherwise a writer's status is written when it differs from the current one.
 *
 * The authorization rule, for the clinic's day `today` (YYYY-MM-DD):
 * - current: not expired (no expiration date, or one on or after `today`);
 * - more recent: later start date (undated last), then the later record (higher id);
 * - first approval: an approval with no Approved or Terminated authorization of the member before it
 *   (a Terminated one was once in force; Pending and Denied ones never were).
 * 1. The most recent current authorization decides: Approved makes `new_member` when it is the member's
 *    first approval and `continuing_member` otherwise; Pending makes `pending_member`; Denied or
 *    Terminated makes `terminated_member`, unless another current authorization is Approved, which then
 *    decides as an approval.
 * 2. No current authorization: an expired approval (no renewal) makes `terminated_member` (cause
 *    `expired`); an expired Denied or Terminated one makes `terminated_member` too; only pending
 *    requests, or none at all: no decision (the status stays as it is).
 */
import type { MemberRecordStatus } from './schemas.ts';

export type AuthorizationStatus = 'Approved' | 'Pending' | 'Denied' | 'Terminated';

export interface AuthorizationFact {
  id: number;
  status: AuthorizationStatus;
  /** YYYY-MM-DD or null. */
  startDate: string | null;
  /** YYYY-MM-DD or null (open-ended). */
  expirationDate: string | null;
}

export interface StatusDecision {
  status: MemberRecordStatus;
  /** `authorization`: an authorization says so; `expired`: the last approval ran out without renewal. */
  cause: 'authorization' | 'expired';
  /** The authorization that decided. */
  authorizationId: number;
}

/** Negative when `a` is more recent than `b` (later start, undated last; then higher id). */
function byRecency(a: AuthorizationFact, b: AuthorizationFact): number {
  if (a.startDate !== b.startDate) {
    if (a.startDate === null) return 1;
    if (b.startDate === null) return -1;
    return a.startDate > b.startDate ? -1 : 1;
  }
  return b.id - a.id;
}

const isCurrent = (a: AuthorizationFact, today: string) => a.expirationDate === null || a.expirationDate >= today;

/**
 * The status a member's authorizations call for on `today`, or null when they call for none.
 * @param authorizations every authorization of one member, any order.
 * @param today the clinic's date, YYYY-MM-DD.
 */
export function memberStatusFromAuthorizations(authorizations: AuthorizationFact[], today: string): StatusDecision | null {
  const sorted = [...authorizations].sort(byRecency);
  const approval = (a: AuthorizationFact): StatusDecision => {
    const earlier = sorted.slice(sorted.indexOf(a) + 1);
    const first = !earlier.some((e) => e.status === 'Approved' || e.status === 'Terminated');
    return { status: first ? 'new_member' : 'continuing_member', cause: 'authorization', authorizationId: a.id };
  };
  const current = sorted.filter((a) => isCurrent(a, today));
  const decider = current[0];
  if (decider) {
    switch (decider.status) {
      case 'Approved':
        return approval(decider);
      case 'Pending':
        return { status: 'pending_member', cause: 'authorization', authorizationId: decider.id };
      default: {
        const approved = current.find((a) => a.status === 'Approved');
        return approved ? approval(approved) : { status: 'terminated_member', cause: 'authorization', authorizationId: decider.id };
      }
    }
  }
  const last = sorted.find((a) => a.status !== 'Pending');
  if (!last) return null;
  return { status: 'terminated_member', cause: last.status === 'Approved' ? 'expired' : 'authorization', authorizationId: last.id };
}

// ------------------------------------------------------------------ the writer rule

/** Who proposes a status. */
export type StatusWriterKind = 'enrolment' | 'staff' | 'mif' | 'authorization' | 'expiry' | 'discontinuation';

export interface StatusProposal {
  writer: StatusWriterKind;
  /** What the writer asks for; null for none (enrolment then defaults; a discontinuation ignores it). */
  proposed: MemberRecordStatus | null;
  /** The member's status now; null for a member being enrolled. */
  current: MemberRecordStatus | null;
  /** The date (YYYY-MM-DD) of the discontinuation in force, or null. */
  discontinuedOn: string | null;
  /** Authorization writers: the start date (YYYY-MM-DD) of the authorization that decided, if dated. */
  authorizationStart?: string | null;
}

/**
 * The status to write for a writer's proposal, or null when nothing is written (see the module's writer rule).
 * A non-null answer always gets a status-history entry by the writer.
 */
export function decideMemberStatus(p: StatusProposal): MemberRecordStatus | null {
  switch (p.writer) {
    case 'enrolment':
      return p.proposed ?? 'new_member';
    case 'discontinuation':
      return 'terminated_member';
    case 'staff':
      return p.proposed && p.proposed !== p.current ? p.proposed : null;
    default: {
      if (!p.proposed || p.proposed === p.current) return null;
      if (p.discontinuedOn === null) return p.proposed;
      const reopens = p.writer === 'authorization' && p.proposed !== 'terminated_member' && !!p.authorizationStart && p.authorizationStart > p.discontinuedOn;
      return reopens ? p.proposed : null;
    }
  }
}
