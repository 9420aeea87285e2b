/** Use case: import a Member Information File (`POST .../imports/mifs`, the CLI). */
import { recordAudit } from '../../platform/audit.ts';
import { type RequestContext } from '../../platform/context.ts';
import { isUniqueViolation, ValidationError } from '../../platform/errors.ts';
import type { MemberColumns } from '../patients/service.ts';
import { decideMemberStatus } from '../patients/member-status.ts';
import type { MemberRecordStatus } from '../patients/schemas.ts';
import type { MifAttributes } from '../member-attributes/service.ts';
import { mapColumns } from './readers.ts';
import { MIF_COLUMNS, parseMifRow, type MifColumn, type MifRow } from './rows.ts';
import type { MifImportDetailWire, MifRowErrorWire } from './schemas.ts';
import {
  BATCH_ROWS,
  cellReader,
  chunks,
  MIF_IMPORT_SOURCE,
  mifImportWire,
  readInput,
  todayIn,
  writer,
  type ImportDeps,
  type ImportInput,
  type ImportOptions,
} from './common.ts';
import * as store from './store.ts';

/** The POF and homelessness a row gives for member `patientId`, or null when it gives neither. */
function attributesOf(r: MifRow, patientId: number): MifAttributes | null {
  if (r.populations === undefined && r.homeless === undefined) return null;
  return { patientId, populations: r.populations, homeless: r.homeless };
}

/**
 * Imports a Member Information File: creates or updates members and their eligibility, matched on
 * MEMBER_ID, in one transaction. A new member gets `new_member` (or the row's
 * MEMBER_RECORD_STATUS) and a status-history entry by `MIF Import`; a changed status on an existing
 * member likewise, as the status rule (member-status.ts) lets it. MEMBER_POF (several separated by `;` or `|`)
 * and MEMBER_HOMELESSNESS_INDICATOR (Y/N) set the member's Populations of Focus (the MIF's; staff's stay) and
 * homelessness; blank cells leave them as they are.
 * @returns the import record with counts, unknown columns and rejected rows `{row, member_id, messages}`.
 * @throws ValidationError (422, nothing changed) for a file that cannot be read or has no MEMBER_ID column.
 */
export async function importMif(deps: ImportDeps, ctx: RequestContext, input: ImportInput, opts: ImportOptions = {}): Promise<MifImportDetailWire> {
  const { db, identity, patients, memberAttributes, discontinuations, clock } = deps;
  const orgId = ctx.actor.organizationId;
  const { file, type, sheet } = await readInput(deps, orgId, input, 'Member');
  const { index, unknown } = mapColumns(sheet.headers, MIF_COLUMNS);
  if (!index.has('MEMBER_ID')) throw new ValidationError(['The file has no MEMBER_ID column']);
  if (sheet.rows.length === 0) throw new ValidationError(['The file has no member rows']);
  const org = await identity.getOrganization(orgId);
  const today = todayIn(org.timeZone, clock());

  const errors: MifRowErrorWire[] = [];
  const valid: MifRow[] = [];
  const firstRow = new Map<string, number>();
  const reader = cellReader<MifColumn>(index);
  for (const { row, cells } of sheet.rows) {
    const parsed = parseMifRow(row, reader(cells), today);
    if (!('value' in parsed)) {
      errors.push({ row, member_id: parsed.memberId, messages: parsed.messages });
      continue;
    }
    const seen = firstRow.get(parsed.value.memberId);
    if (seen !== undefined) {
      errors.push({ row, member_id: parsed.value.memberId, messages: [`MEMBER_ID appears more than once in the file (first at row ${seen})`] });
      continue;
    }
    firstRow.set(parsed.value.memberId, row);
    valid.push(parsed.value);
  }

  try {
    return await db.transaction(async (tx) => {
      await store.lockImports(tx, orgId);
      const existing = new Map((await patients.membersByMemberId(tx, orgId, valid.map((r) => r.memberId))).map((m) => [m.memberId, m]));
      const creates: MifRow[] = [];
      const updates: MifRow[] = [];
      for (const r of valid) {
        if (existing.has(r.memberId)) {
          updates.push(r);
          continue;
        }
        const missing = [!r.columns.firstName && "FIRST_NAME can't be blank for a new member", !r.columns.lastName && "LAST_NAME can't be blank for a new member"];
        const messages = missing.filter((m): m is string => typeof m === 'string');
        if (messages.length) errors.push({ row: r.row, member_id: r.memberId, messages });
        else creates.push(r);
      }

      const total = creates.length + updates.length;
      let done = 0;
      const progress = (n: number) => opts.onProgress?.((done += n), total);
      opts.onProgress?.(0, total);
      const by = writer(ctx, MIF_IMPORT_SOURCE);
      const written: number[] = [];
      const attributes: MifAttributes[] = [];
      for (const batch of chunks(creates, BATCH_ROWS)) {
        const rows: MemberColumns[] = batch.map((r) => ({
          ...r.columns,
          cin: r.columns.cin ?? r.memberId,
          mcpId: r.columns.mcpId ?? org.mcpId,
          mcpName: r.columns.mcpName ?? org.mcpName,
        }));
        const statuses = batch.map((r) => decideMemberStatus({ writer: 'enrolment', proposed: r.status, current: null, discontinuedOn: null })!);
        const ids = await patients.createMembers(tx, orgId, rows, statuses, by);
        attributes.push(...batch.map((r, i) => attributesOf(r, ids[i])).filter((a): a is MifAttributes => a !== null));
        written.push(...ids);
        progress(batch.length);
      }
      for (const batch of chunks(updates, BATCH_ROWS)) {
        const ids = batch.map((r) => existing.get(r.memberId)!.patientId);
        await patients.updateMembers(tx, orgId, ids, batch.map((r) => r.columns));
        // The status rule (member-status.ts): a MIF row changes nothing while a discontinuation is in force.
        const discontinued = await discontinuations.inForce(tx, orgId, ids);
        const changes = batch.flatMap((r) => {
          const member = existing.get(r.memberId)!;
          const status = decideMemberStatus({
            writer: 'mif', proposed: r.status, current: member.memberRecordStatus as MemberRecordStatus, discontinuedOn: discontinued.get(member.patientId) ?? null,
          });
          return status ? [{ patientId: member.patientId, status }] : [];
        });
        attributes.push(...batch.map((r, i) => attributesOf(r, ids[i])).filter((a): a is MifAttributes => a !== null));
        await patients.setMemberStatuses(tx, orgId, changes, by);
        written.push(...ids);
        progress(batch.length);
      }

      await memberAttributes.setFromMif(tx, orgId, attributes);

      errors.sort((a, b) => a.row - b.row);
      const record = await store.insertMifImport(tx, {
        organizationId: orgId,
        source: file.source,
        fileType: type,
        filename: file.filename,
        createdCount: creates.length,
        updatedCount: updates.length,
        rejectedCount: errors.length,
        errors,
        unknownColumns: unknown,
        createdByUserId: ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null,
      });
      await recordAudit(tx, ctx, { action: 'import', entityType: 'patient', entityIds: written });
      return mifImportWire(record);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'ecm_eligibility_org_member_id_key')) {
      throw new ValidationError(['A member of this file was enrolled while it was being imported; import the file again']);
    }
    throw err;
  }
}
