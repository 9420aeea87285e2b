/** Use case: import an authorization file (`POST .../imports/authorizations`, the CLI). */
import { recordAudit } from '../../platform/audit.ts';
import { type RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { mapColumns } from './readers.ts';
import {
  AUTHORIZATION_COLUMNS,
  parseAuthorizationRow,
  VALIDATION_FAILED,
  type AuthorizationColumn,
  type AuthorizationRow,
} from './rows.ts';
import type { AuthorizationImportResponseWire, AuthorizationRowErrorWire } from './schemas.ts';
import {
  applyStatusRule,
  AUTHORIZATION_IMPORT_SOURCE,
  BATCH_ROWS,
  cellReader,
  chunks,
  readInput,
  todayIn,
  type ImportDeps,
  type ImportInput,
} from './common.ts';
import * as store from './store.ts';

/**
 * Imports an authorization file: creates or updates authorizations by Auth No, then gives each member
 * whose authorizations changed the status the rule calls for (history: `Authorization Import`).
 * @returns counts, the `authorization_files` id and rejected rows `{row, messages}` (`Validation failed: ...`).
 * @throws ValidationError (422, nothing changed) for a file that cannot be read (XLS included) or has no Auth No column.
 */
export async function importAuthorizations(deps: ImportDeps, ctx: RequestContext, input: ImportInput): Promise<AuthorizationImportResponseWire> {
  const { db, identity, patients, clock } = deps;
  const orgId = ctx.actor.organizationId;
  const { file, type, sheet } = await readInput(deps, orgId, input, 'Authorization');
  const { index } = mapColumns(sheet.headers, AUTHORIZATION_COLUMNS);
  if (!index.has('Auth No')) throw new ValidationError(['The file has no Auth No column']);
  if (sheet.rows.length === 0) throw new ValidationError(['The file has no authorization rows']);
  const org = await identity.getOrganization(orgId);
  const today = todayIn(org.timeZone, clock());

  const errors: AuthorizationRowErrorWire[] = [];
  const valid: AuthorizationRow[] = [];
  const firstRow = new Map<string, number>();
  const reader = cellReader<AuthorizationColumn>(index);
  for (const { row, cells } of sheet.rows) {
    const parsed = parseAuthorizationRow(row, reader(cells));
    if (!('value' in parsed)) {
      errors.push({ row, messages: parsed.messages });
      continue;
    }
    const seen = firstRow.get(parsed.value.authNo);
    if (seen !== undefined) {
      errors.push({ row, messages: [`${VALIDATION_FAILED}Auth No appears more than once in the file (first at row ${seen})`] });
      continue;
    }
    firstRow.set(parsed.value.authNo, row);
    valid.push(parsed.value);
  }

  return db.transaction(async (tx) => {
    await store.lockImports(tx, orgId);
    const existing = new Map((await store.authorizationsByAuthNo(tx, orgId, valid.map((r) => r.authNo))).map((a) => [a.authNo, a]));
    const memberIds = [...new Set(valid.map((r) => r.memberId).filter((m): m is string => m !== null))];
    const members = new Map((await patients.membersByMemberId(tx, orgId, memberIds)).map((m) => [m.memberId, m.patientId]));
    const writes: store.AuthorizationWrite[] = [];
    const touched = new Set<number>();
    for (const r of valid) {
      const old = existing.get(r.authNo);
      const messages: string[] = [];
      let patientId = old?.patientId;
      if (r.memberId !== null) {
        patientId = members.get(r.memberId);
        if (patientId === undefined) messages.push('Member ID does not match a member of the clinic');
      } else if (!old) messages.push("Member ID can't be blank");
      const status = r.status ?? old?.status;
      if (!status) messages.push("Status can't be blank");
      const startDate = r.startDate ?? old?.startDate ?? null;
      const expirationDate = r.expirationDate ?? old?.expirationDate ?? null;
      if (startDate && expirationDate && expirationDate < startDate) messages.push('Expiration Date must be on or after the Start Date');
      if (messages.length) {
        errors.push({ row: r.row, messages: messages.map((m) => VALIDATION_FAILED + m) });
        continue;
      }
      writes.push({
        id: old?.id ?? null,
        authNo: r.authNo,
        patientId: patientId!,
        authType: r.authType ?? old?.authType ?? null,
        authorizationType: r.authorizationType ?? old?.authorizationType ?? null,
        status: status!,
        startDate,
        expirationDate,
      });
      touched.add(patientId!);
      if (old) touched.add(old.patientId);
    }
    for (const batch of chunks(writes, BATCH_ROWS)) await store.writeAuthorizations(tx, orgId, batch);
    const patientIds = [...touched];
    await applyStatusRule(deps, tx, ctx, patientIds, today, org.timeZone, AUTHORIZATION_IMPORT_SOURCE);

    errors.sort((a, b) => a.row - b.row);
    const imported = writes.filter((w) => w.id === null).length;
    const record = await store.insertAuthorizationFile(tx, {
      organizationId: orgId,
      source: file.source,
      fileType: type,
      filename: file.filename,
      importedCount: imported,
      updatedCount: writes.length - imported,
      rejectedCount: errors.length,
      errors,
      createdByUserId: ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null,
    });
    await recordAudit(tx, ctx, { action: 'import', entityType: 'patient', entityIds: patientIds });
    return {
      message: 'Authorization data imported successfully',
      imported_count: imported,
      updated_count: writes.length - imported,
      rejected_count: errors.length,
      authorization_file_id: record.id,
      errors,
    };
  });
}
