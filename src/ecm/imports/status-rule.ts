/**
 * How a member's authorizations decide their `member_record_status` (the
 * "Authorization import" rules). One pure function; the authorization import and the
 * daily expiry job both apply it, each recording the change in the status
 * history with its own source.
 *
 * Terms, for the clinic's day `today` (YYYY-MM-DD):
 * - current: not expired (no expiration date, or one on or after `today`);
 * - more recent: later start date (undated last), then the later record (higher id);
 * - first approval: an approval with no Approved or Terminated authorization of the member before it
 *   (a Terminated one was once in force; Pending and Denied ones never were).
 *
 * The rule:
 * 1. The most recent current authorization decides: Approved makes `new_member` when it is the member's
 *    first approval and `continuing_member` otherwise; Pending makes `pending_member`; Denied or
 *    Terminated makes `terminated_member`, unless another current authorization is Approved, which then
 *    decides as an approval.
 * 2. No current authorization: an expired approval (no renewal) makes `terminated_member` (cause
 *    `expired`); an expired Denied or Terminated one makes `terminated_member` too; only pending
 *    requests, or none at all: no decision (the status stays as it is).
 */
import type { MemberRecordStatus } from '../patients/schemas.ts';

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
