/**
 * Imports of the plan's files: the Member Information File (members
 * and their eligibility) and the authorization file (ECM authorizations, which
 * drive `member_record_status`), plus the daily expiry of authorizations.
 *
 * One error model for both: the file is read first (outside any transaction);
 * a file that cannot be read is a ValidationError (422) and changes nothing.
 * Then each row is checked; a bad row is rejected with its row number and
 * reasons while the valid rows are written, in one transaction per file with
 * the import's history row and its audit row (action `import`, the patient ids
 * written). Writes are set-based (one statement per table per 5,000 rows), so a
 * 50,000-member file takes seconds.
 *
 * `member_record_status` has three writers: the admin's PUT, a MIF row, and the
 * authorization rule (import and expiry job). The latest write wins; each
 * writes a status-history entry naming its source.
 */
import type { Db, Executor } from '../../db/pool.ts';
import type { ArchiveLimits } from '../../platform/archive.ts';
import { recordAudit } from '../../platform/audit.ts';
import { systemContext, type RequestContext } from '../../platform/context.ts';
import { isUniqueViolation, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { fetchAllowedFile, isAllowedUrl, OutboundUrlError } from '../../platform/outbound.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import { dateIn } from '../../platform/time.ts';
import type { MemberColumns, PatientService, StatusWriter } from '../patients/service.ts';
import type { MemberRecordStatus } from '../patients/schemas.ts';
import { dropFolderOf, DropFileError, pathNotInDropFolder, readDropFile } from './drop-folder.ts';
import { decodeDataUri, mapColumns, readSheet, resolveFileType, type FileType, type Sheet } from './readers.ts';
import {
  AUTHORIZATION_COLUMNS,
  MIF_COLUMNS,
  parseAuthorizationRow,
  parseMifRow,
  VALIDATION_FAILED,
  type AuthorizationColumn,
  type AuthorizationRow,
  type MifColumn,
  type MifRow,
} from './rows.ts';
import {
  IMPORT_MAX_BYTES,
  type AuthorizationImportResponseWire,
  type AuthorizationRowErrorWire,
  type ImportSourceWire,
  type MifImportDetailWire,
  type MifImportListQueryWire,
  type MifRowErrorWire,
} from './schemas.ts';
import { memberStatusFromAuthorizations, type AuthorizationFact } from './status-rule.ts';
import * as store from './store.ts';

export const MIF_IMPORT_NOT_FOUND = 'MIF import not found';
export const MIF_IMPORT_SOURCE = 'MIF Import';
export const AUTHORIZATION_IMPORT_SOURCE = 'Authorization Import';
export const AUTHORIZATION_EXPIRED_SOURCE = 'Authorization Expired';

/** Rows written per statement. */
const BATCH_ROWS = 5_000;
const DOWNLOAD_TIMEOUT_MS = 60_000;

export interface ImportServiceDeps {
  db: Db;
  /** Hosts an import URL may name (`IMPORT_URL_HOSTS`). */
  urlHosts: string[];
  /** `DATA_DIR`: each clinic's drop folder is under it. */
  dataDir: string;
  /** What an XLSX/XLSM file may inflate to (`ARCHIVE_*` settings). */
  archiveLimits: ArchiveLimits;
  identity: Pick<IdentityService, 'getOrganization'>;
  patients: PatientService;
  clock?: () => Date;
}

/** A file handed over directly (the CLI reads it from the shell user's disk). */
export interface ImportFile {
  content: Buffer;
  filename: string;
  file_type?: FileType;
}

export type ImportInput = ImportSourceWire | ImportFile;

export interface ImportOptions {
  /** Called as rows are written: `done` of `total` valid rows. */
  onProgress?: (done: number, total: number) => void;
}

interface LoadedFile {
  source: 'file' | 'url' | 'path' | 'cli';
  content: Buffer;
  filename: string | null;
  mime?: string;
  declared?: FileType;
}

/** The clinic's date in `timeZone` at `now`, YYYY-MM-DD (the platform's `dateIn`, under the name the imports use). */
export const todayIn: (timeZone: string, now: Date) => string = dateIn;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A cell reader over a sheet row: `cell(column)` is the trimmed text, '' when blank or when the file lacks the column. */
function cellReader<K extends string>(index: Map<K, number>) {
  return (cells: string[]) => (c: K) => {
    const i = index.get(c);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
}

function mifImportWire(r: store.MifImportRow): MifImportDetailWire {
  return {
    id: r.id,
    source: r.source,
    file_type: r.fileType,
    filename: r.filename,
    created_count: r.createdCount,
    updated_count: r.updatedCount,
    rejected_count: r.rejectedCount,
    unknown_columns: r.unknownColumns,
    created_by_user_id: r.createdByUserId,
    created_at: r.createdAt.toISOString(),
    errors: r.errors as MifRowErrorWire[],
  };
}

export function createImportService({ db, urlHosts, dataDir, archiveLimits, identity, patients, clock = () => new Date() }: ImportServiceDeps) {
  /** Reads a file from the organization's drop folder, `DATA_DIR/imports/<organization id>/`. */
  async function readImportPath(organizationId: number, p: string): Promise<LoadedFile> {
    try {
      const f = await readDropFile(dropFolderOf(dataDir, organizationId), p, IMPORT_MAX_BYTES);
      return { source: 'path', ...f };
    } catch (err) {
      if (!(err instanceof DropFileError)) throw err;
      if (err.reason === 'too_large') throw new ValidationError([`The file is larger than ${IMPORT_MAX_BYTES} bytes`]);
      throw new ValidationError([pathNotInDropFolder(organizationId)]);
    }
  }

  async function download(url: string): Promise<LoadedFile> {
    if (!isAllowedUrl(url, urlHosts)) throw new ValidationError(['Url must be an http(s) URL on a host allowed for imports (IMPORT_URL_HOSTS)']);
    try {
      const f = await fetchAllowedFile(url, { allowedHosts: urlHosts, maxBytes: IMPORT_MAX_BYTES, timeoutMs: DOWNLOAD_TIMEOUT_MS });
      return { source: 'url', content: f.content, filename: f.filename, mime: f.contentType?.split(';')[0].trim().toLowerCase() };
    } catch (err) {
      if (err instanceof OutboundUrlError) throw new ValidationError([`The file could not be downloaded: ${err.message}`]);
      throw err;
    }
  }

  /** The file of a request: exactly one of `file`, `url`, `path` (or the CLI's bytes). */
  async function load(organizationId: number, input: ImportInput): Promise<LoadedFile> {
    if ('content' in input) return { source: 'cli', content: input.content, filename: input.filename, declared: input.file_type };
    const given = (['file', 'url', 'path'] as const).filter((k) => input[k] !== undefined && input[k] !== '');
    if (given.length === 0) throw new ValidationError(['One of file, url or path is required']);
    if (given.length > 1) throw new ValidationError([`Give only one of file, url or path (got ${given.join(', ')})`]);
    let file: LoadedFile;
    if (input.file !== undefined && input.file !== '') {
      const d = decodeDataUri(input.file);
      if (d.content.length > IMPORT_MAX_BYTES) throw new ValidationError([`The file is larger than ${IMPORT_MAX_BYTES} bytes`]);
      file = { source: 'file', content: d.content, filename: d.filename ?? null, mime: d.mime };
    } else if (input.url) file = await download(input.url);
    else file = await readImportPath(organizationId, input.path!);
    return { ...file, filename: input.filename?.trim() || file.filename, declared: input.file_type };
  }

  /** Loads and reads the file; every failure here is a 422 that changes nothing. */
  async function readInput(organizationId: number, input: ImportInput, rowElement: string): Promise<{ file: LoadedFile; type: FileType; sheet: Sheet }> {
    const file = await load(organizationId, input);
    const type = resolveFileType(file.content, { declared: file.declared, mime: file.mime, filename: file.filename });
    const sheet = await readSheet(file.content, type, rowElement, archiveLimits);
    return { file, type, sheet };
  }

  const writer = (ctx: RequestContext, changedBy: string): StatusWriter => ({
    changedBy,
    changedByUserId: ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null,
  });

  /**
   * Applies the authorization rule to `patientIds` and writes the statuses that change, by `source`.
   * @param only `expired`: only decisions caused by an expired approval, and only when the member's
   *   status was not written after that approval expired (the later write wins).
   * @returns the ids of members whose status changed.
   */
  async function applyStatusRule(tx: Executor, ctx: RequestContext, patientIds: number[], today: string, timeZone: string, source: string, only?: 'expired') {
    const byPatient = new Map<number, AuthorizationFact[]>();
    for (const a of await store.authorizationsOfPatients(tx, ctx.actor.organizationId, patientIds)) {
      const list = byPatient.get(a.patientId) ?? [];
      list.push(a);
      byPatient.set(a.patientId, list);
    }
    const current = await patients.memberStatuses(tx, ctx.actor.organizationId, patientIds);
    const lastWrite = only === 'expired' ? await patients.lastStatusChangeDates(tx, ctx.actor.organizationId, patientIds, timeZone) : undefined;
    const changes: Array<{ patientId: number; status: MemberRecordStatus }> = [];
    for (const patientId of patientIds) {
      const auths = byPatient.get(patientId) ?? [];
      const decision = memberStatusFromAuthorizations(auths, today);
      if (!decision || decision.status === current.get(patientId)) continue;
      if (only === 'expired') {
        if (decision.cause !== 'expired') continue;
        const expiredOn = auths.find((a) => a.id === decision.authorizationId)?.expirationDate;
        const written = lastWrite!.get(patientId);
        if (written && expiredOn && written > expiredOn) continue;
      }
      changes.push({ patientId, status: decision.status });
    }
    for (const batch of chunks(changes, BATCH_ROWS)) await patients.setMemberStatuses(tx, ctx.actor.organizationId, batch, writer(ctx, source));
    return changes.map((c) => c.patientId);
  }

  return {
    /**
     * Imports a Member Information File: creates or updates members and their eligibility, matched on
     * MEMBER_ID, in one transaction. A new member gets `new_member` (or the row's
     * MEMBER_RECORD_STATUS) and a status-history entry by `MIF Import`; a changed status on an existing
     * member likewise.
     * @returns the import record with counts, unknown columns and rejected rows `{row, member_id, messages}`.
     * @throws ValidationError (422, nothing changed) for a file that cannot be read or has no MEMBER_ID column.
     */
    async importMif(ctx: RequestContext, input: ImportInput, opts: ImportOptions = {}): Promise<MifImportDetailWire> {
      const orgId = ctx.actor.organizationId;
      const { file, type, sheet } = await readInput(orgId, input, 'Member');
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
          for (const batch of chunks(creates, BATCH_ROWS)) {
            const rows: MemberColumns[] = batch.map((r) => ({
              ...r.columns,
              cin: r.columns.cin ?? r.memberId,
              mcpId: r.columns.mcpId ?? org.mcpId,
              mcpName: r.columns.mcpName ?? org.mcpName,
            }));
            written.push(...(await patients.createMembers(tx, orgId, rows, batch.map((r) => r.status ?? 'new_member'), by)));
            progress(batch.length);
          }
          for (const batch of chunks(updates, BATCH_ROWS)) {
            const ids = batch.map((r) => existing.get(r.memberId)!.patientId);
            await patients.updateMembers(tx, orgId, ids, batch.map((r) => r.columns));
            const changes = batch
              .filter((r) => r.status && r.status !== existing.get(r.memberId)!.memberRecordStatus)
              .map((r) => ({ patientId: existing.get(r.memberId)!.patientId, status: r.status! }));
            await patients.setMemberStatuses(tx, orgId, changes, by);
            written.push(...ids);
            progress(batch.length);
          }

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
    },

    /** `GET .../mifs`: a page of the clinic's MIF imports, newest first (rejected rows only in the detail). */
    listMifImports(ctx: RequestContext, q: MifImportListQueryWire) {
      const page = pageRequest(q);
      return db.transaction(async (tx) => {
        const { rows, totalCount } = await store.listMifImports(tx, ctx.actor.organizationId, page);
        await recordAudit(tx, ctx, { action: 'list', entityType: 'mif_import', entityIds: rows.map((r) => r.id) });
        return {
          mif_imports: rows.map((r) => {
            const { errors: _errors, ...summary } = mifImportWire(r);
            return summary;
          }),
          pagination: paginationOf(page, totalCount),
        };
      });
    },

    /**
     * `GET .../mifs/{id}`: one MIF import with its rejected rows.
     * @throws NotFoundError `MIF import not found` (also another clinic's).
     */
    getMifImport(ctx: RequestContext, id: number) {
      return db.transaction(async (tx) => {
        const row = await store.findMifImport(tx, ctx.actor.organizationId, id);
        if (!row) throw new NotFoundError(MIF_IMPORT_NOT_FOUND);
        await recordAudit(tx, ctx, { action: 'read', entityType: 'mif_import', entityIds: [id] });
        return mifImportWire(row);
      });
    },

    /**
     * Imports an authorization file: creates or updates authorizations by Auth No, then gives each member
     * whose authorizations changed the status the rule calls for (history: `Authorization Import`).
     * @returns counts, the `authorization_files` id and rejected rows `{row, messages}` (`Validation failed: ...`).
     * @throws ValidationError (422, nothing changed) for a file that cannot be read (XLS included) or has no Auth No column.
     */
    async importAuthorizations(ctx: RequestContext, input: ImportInput): Promise<AuthorizationImportResponseWire> {
      const orgId = ctx.actor.organizationId;
      const { file, type, sheet } = await readInput(orgId, input, 'Authorization');
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
        await applyStatusRule(tx, ctx, patientIds, today, org.timeZone, AUTHORIZATION_IMPORT_SOURCE);

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
    },

    /**
     * The daily expiry (job `ecm.authorization-expiry`): in every clinic, a member whose last approval expired
     * without renewal becomes `terminated_member` (history: `Authorization Expired`), unless their status was
     * written after that approval expired (the later write wins). Idempotent; "today" is each clinic's date.
     * @returns the ids of the members terminated, by organization id (organizations with none are left out).
     */
    async expireAuthorizations(): Promise<Map<number, number[]>> {
      const now = clock();
      // The latest date any clinic can be on: UTC date + 1 covers every time zone.
      const horizon = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
      const out = new Map<number, number[]>();
      for (const orgId of await store.organizationsWithExpiredApprovals(db, horizon)) {
        const org = await identity.getOrganization(orgId);
        const today = todayIn(org.timeZone, now);
        const ctx = systemContext(orgId, AUTHORIZATION_EXPIRED_SOURCE);
        const changed = await db.transaction(async (tx) => {
          await store.lockImports(tx, orgId);
          const candidates = await store.membersWithExpiredApprovals(tx, orgId, today);
          if (candidates.length === 0) return [];
          const ids = await applyStatusRule(tx, ctx, candidates, today, org.timeZone, AUTHORIZATION_EXPIRED_SOURCE, 'expired');
          if (ids.length) await recordAudit(tx, ctx, { action: 'update', entityType: 'patient', entityIds: ids });
          return ids;
        });
        if (changed.length) out.set(orgId, changed);
      }
      return out;
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
