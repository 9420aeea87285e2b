/**
 * The authorization rule (issue 7) as one pure function, table-driven: which
 * `member_record_status` a member's authorizations call for on a given day.
 */
import { describe, expect, it } from 'vitest';
import { memberStatusFromAuthorizations, type AuthorizationFact, type AuthorizationStatus } from '../../../src/ecm/patients/member-status.ts';

const TODAY = '2025-06-15';

function a(id: number, status: AuthorizationStatus, startDate: string | null, expirationDate: string | null): AuthorizationFact {
  return { id, status, startDate, expirationDate };
}

type Row = [title: string, auths: AuthorizationFact[], expected: null | [status: string, cause: 'authorization' | 'expired', by: number]];

const TABLE: Row[] = [
  ['no authorizations: no decision', [], null],
  ['a first approval in force: new_member', [a(1, 'Approved', '2025-01-01', '2025-12-31')], ['new_member', 'authorization', 1]],
  ['an open-ended approval: new_member', [a(1, 'Approved', '2025-01-01', null)], ['new_member', 'authorization', 1]],
  ['an approval expiring today is still current', [a(1, 'Approved', '2024-06-16', TODAY)], ['new_member', 'authorization', 1]],
  ['an approval not started yet counts (not expired)', [a(1, 'Approved', '2025-07-01', '2026-06-30')], ['new_member', 'authorization', 1]],
  ['a renewal after an expired approval: continuing_member', [a(1, 'Approved', '2024-01-01', '2024-12-31'), a(2, 'Approved', '2025-01-01', '2025-12-31')], ['continuing_member', 'authorization', 2]],
  ['an approval after a terminated one: continuing_member', [a(1, 'Terminated', '2024-01-01', '2024-12-31'), a(2, 'Approved', '2025-01-01', '2025-12-31')], ['continuing_member', 'authorization', 2]],
  ['an approval after denied and pending ones only: new_member', [a(1, 'Denied', '2024-01-01', null), a(2, 'Pending', '2024-06-01', null), a(3, 'Approved', '2025-01-01', '2025-12-31')], ['new_member', 'authorization', 3]],
  ['a pending request alone: pending_member', [a(1, 'Pending', null, null)], ['pending_member', 'authorization', 1]],
  ['a pending renewal newer than the approval in force decides: pending_member', [a(1, 'Approved', '2025-01-01', '2025-12-31'), a(2, 'Pending', '2025-06-01', '2026-05-31')], ['pending_member', 'authorization', 2]],
  ['an approval newer than a pending request decides', [a(1, 'Pending', '2025-01-01', null), a(2, 'Approved', '2025-03-01', '2025-12-31')], ['new_member', 'authorization', 2]],
  ['an undated pending request yields to a dated approval', [a(5, 'Pending', null, null), a(1, 'Approved', '2025-01-01', '2025-12-31')], ['new_member', 'authorization', 1]],
  ['a denial with no approval in force: terminated_member', [a(1, 'Denied', '2025-05-01', null)], ['terminated_member', 'authorization', 1]],
  ['a termination with no approval in force: terminated_member', [a(1, 'Approved', '2024-01-01', '2024-12-31'), a(2, 'Terminated', '2025-01-01', '2025-12-31')], ['terminated_member', 'authorization', 2]],
  ['a newer denial while another approval is in force: the approval decides', [a(1, 'Approved', '2025-01-01', '2025-12-31'), a(2, 'Denied', '2025-05-01', null)], ['new_member', 'authorization', 1]],
  ['a newer termination while a renewed approval is in force: continuing_member', [a(1, 'Approved', '2024-01-01', '2024-12-31'), a(2, 'Approved', '2025-01-01', '2025-12-31'), a(3, 'Terminated', '2025-04-01', '2025-12-31')], ['continuing_member', 'authorization', 2]],
  ['the last approval expired without renewal: terminated_member (expired)', [a(1, 'Approved', '2024-06-01', '2025-05-31')], ['terminated_member', 'expired', 1]],
  ['an expired approval with an expired denial before it: expired', [a(1, 'Denied', '2024-01-01', '2024-02-01'), a(2, 'Approved', '2024-06-01', '2025-05-31')], ['terminated_member', 'expired', 2]],
  ['an expired denial after an expired approval: terminated by the denial', [a(1, 'Approved', '2024-01-01', '2024-12-31'), a(2, 'Denied', '2025-01-01', '2025-02-01')], ['terminated_member', 'authorization', 2]],
  ['only an expired pending request: no decision', [a(1, 'Pending', '2024-01-01', '2024-12-31')], null],
  ['same start date: the later record is the more recent, and not the first', [a(7, 'Approved', '2025-01-01', '2025-12-31'), a(8, 'Approved', '2025-01-01', '2025-12-31')], ['continuing_member', 'authorization', 8]],
];

describe('memberStatusFromAuthorizations', () => {
  it.each(TABLE)('%s', (_title, auths, expected) => {
    const decision = memberStatusFromAuthorizations(auths, TODAY);
    if (expected === null) expect(decision).toBeNull();
    else expect(decision).toEqual({ status: expected[0], cause: expected[1], authorizationId: expected[2] });
  });

  it('does not depend on the order it is given', () => {
    for (const [, auths] of TABLE) {
      expect(memberStatusFromAuthorizations([...auths].reverse(), TODAY)).toEqual(memberStatusFromAuthorizations(auths, TODAY));
    }
  });
});
