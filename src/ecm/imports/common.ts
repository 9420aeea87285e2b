/**
 * What the import use cases share (`import-mif.ts`, `import-authorizations.ts`, `expire-authorizations.ts`, bound by
 * `createImportService` in `service.ts`): the dependencies, reading a request's file (outside any transaction: every
 * failure is a 422 that changes nothing), the authorization status rule as it writes statuses, and small helpers.
 */
import type { Db, Executor } from '../../db/pool.ts';
import type { ArchiveLimits } from '../../platform/archive.ts';
import type { RequestContext } from '../../platform/context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { dateIn } from '../../platform/time.ts';
import type { IdentityService } from '../../platform/identity/service.ts';
import { fetchAllowedFile, isAllowedUrl, OutboundUrlError } from '../../platform/outbound.ts';
import type { PatientService, StatusWriter } from '../patients/service.ts';
import type { MemberRecordStatus } from '../patients/schemas.ts';
import { dropFolderOf, DropFileError, pathNotInDropFolder, readDropFile } from './drop-folder.ts';
import { decodeDataUri, readSheet, resolveFileType, type FileType, type Sheet } from './readers.ts';
import { IMPORT_MAX_BYTES, type ImportSourceWire, type MifImportDetailWire, type MifRowErrorWire } from './schemas.ts';
import { decideMemberStatus, memberStatusFromAuthorizations, type AuthorizationFact } from '../patients/member-status.ts';
import type { DiscontinuationService } from '../discontinuations/service.ts';
import type { MemberAttributeService } from '../member-attributes/service.ts';
import * as store from './store.ts';

export const MIF_IMPORT_NOT_FOUND = 'MIF import not found';
export const MIF_IMPORT_SOURCE = 'MIF Import';
export const AUTHORIZATION_IMPORT_SOURCE = 'Authorization Import';
export const AUTHORIZATION_EXPIRED_SOURCE = 'Authorization Expired';

/** Rows written per statement. */
export const BATCH_ROWS = 5_000;
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
  /** The MIF's Populations of Focus and homelessness are written through it. */
  memberAttributes: Pick<MemberAttributeService, 'setFromMif'>;
  /** The status writers ask it for the discontinuation in force (member-status.ts). */
  discontinuations: Pick<DiscontinuationService, 'inForce'>;
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

/** A file as read, before its rows: where it came from, its bytes and what it says it is. */
export interface LoadedFile {
  source: 'file' | 'url' | 'path' | 'cli';
  content: Buffer;
  filename: string | null;
  mime?: string;
  declared?: FileType;
}


/** The dependencies each use case receives from `createImportService`, with the clock defaulted. */
export type ImportDeps = ImportServiceDeps & { clock: () => Date };

/** What reading an import's file needs: the drop folder's root, the allowed URL hosts and the archive limits. */
export type ImportFileDeps = Pick<ImportServiceDeps, 'dataDir' | 'urlHosts' | 'archiveLimits'>;

/** The clinic's date in `timeZone` at `now`, YYYY-MM-DD (the platform's `dateIn`, under the name the imports use). */
export const todayIn: (timeZone: string, now: Date) => string = dateIn;

/** `items` in runs of `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A cell reader over a sheet row: `cell(column)` is the trimmed text, '' when blank or when the file lacks the column. */
export function cellReader<K extends string>(index: Map<K, number>) {
  return (cells: string[]) => (c: K) => {
    const i = index.get(c);
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
}

/** A MIF import record on the wire (seed: snake_case, rejected rows under `errors`). */
export function mifImportWire(r: store.MifImportRow): MifImportDetailWire {
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

/** Reads a file from the organization's drop folder, `DATA_DIR/imports/<organization id>/`. */
async function readImportPath(dataDir: string, organizationId: number, p: string): Promise<LoadedFile> {
  try {
    const f = await readDropFile(dropFolderOf(dataDir, organizationId), p, IMPORT_MAX_BYTES);
    return { source: 'path', ...f };
  } catch (err) {
    if (!(err instanceof DropFileError)) throw err;
    if (err.reason === 'too_large') throw new ValidationError([`The file is larger than ${IMPORT_MAX_BYTES} bytes`]);
    throw new ValidationError([pathNotInDropFolder(organizationId)]);
  }
}

async function download(urlHosts: string[], url: string): Promise<LoadedFile> {
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
async function load(deps: ImportFileDeps, organizationId: number, input: ImportInput): Promise<LoadedFile> {
  if ('content' in input) return { source: 'cli', content: input.content, filename: input.filename, declared: input.file_type };
  const given = (['file', 'url', 'path'] as const).filter((k) => input[k] !== undefined && input[k] !== '');
  if (given.length === 0) throw new ValidationError(['One of file, url or path is required']);
  if (given.length > 1) throw new ValidationError([`Give only one of file, url or path (got ${given.join(', ')})`]);
  let file: LoadedFile;
  if (input.file !== undefined && input.file !== '') {
    const d = decodeDataUri(input.file);
    if (d.content.length > IMPORT_MAX_BYTES) throw new ValidationError([`The file is larger than ${IMPORT_MAX_BYTES} bytes`]);
    file = { source: 'file', content: d.content, filename: d.filename ?? null, mime: d.mime };
  } else if (input.url) file = await download(deps.urlHosts, input.url);
  else file = await readImportPath(deps.dataDir, organizationId, input.path!);
  return { ...file, filename: input.filename?.trim() || file.filename, declared: input.file_type };
}

/** Loads and reads the file; every failure here is a 422 that changes nothing. */
export async function readInput(deps: ImportFileDeps, organizationId: number, input: ImportInput, rowElement: string): Promise<{ file: LoadedFile; type: FileType; sheet: Sheet }> {
  const file = await load(deps, organizationId, input);
  const type = resolveFileType(file.content, { declared: file.declared, mime: file.mime, filename: file.filename });
  const sheet = await readSheet(file.content, type, rowElement, deps.archiveLimits);
  return { file, type, sheet };
}

/** Who writes a status change of this import: the request's user, or none for the system. */
export const writer = (ctx: RequestContext, changedBy: string): StatusWriter => ({
  changedBy,
  changedByUserId: ctx.actor.kind === 'user' ? Number(ctx.actor.id) : null,
});

/**
 * Applies the authorization rule to `patientIds` and writes the statuses the status rule lets through
 * (`decideMemberStatus`, member-status.ts: a discontinuation in force holds unless an authorization starting after it
 * re-opens the member), by `source`.
 * @param only `expired`: the expiry job: only decisions caused by an expired approval, and only when the member's
 *   status was not written after that approval expired (the later write wins).
 * @returns the ids of members whose status changed.
 */
export async function applyStatusRule(
  deps: Pick<ImportDeps, 'patients' | 'discontinuations'>, tx: Executor, ctx: RequestContext, patientIds: number[], today: string, timeZone: string, source: string, only?: 'expired',
) {
  const { patients, discontinuations } = deps;
  const orgId = ctx.actor.organizationId;
  const byPatient = new Map<number, AuthorizationFact[]>();
  for (const a of await store.authorizationsOfPatients(tx, orgId, patientIds)) {
    const list = byPatient.get(a.patientId) ?? [];
    list.push(a);
    byPatient.set(a.patientId, list);
  }
  const current = await patients.memberStatuses(tx, orgId, patientIds);
  const discontinued = await discontinuations.inForce(tx, orgId, patientIds);
  const lastWrite = only === 'expired' ? await patients.lastStatusChangeDates(tx, orgId, patientIds, timeZone) : undefined;
  const changes: Array<{ patientId: number; status: MemberRecordStatus }> = [];
  for (const patientId of patientIds) {
    const auths = byPatient.get(patientId) ?? [];
    const decision = memberStatusFromAuthorizations(auths, today);
    if (!decision) continue;
    const decider = auths.find((a) => a.id === decision.authorizationId);
    if (only === 'expired') {
      if (decision.cause !== 'expired') continue;
      const written = lastWrite!.get(patientId);
      if (written && decider?.expirationDate && written > decider.expirationDate) continue;
    }
    const status = decideMemberStatus({
      writer: only === 'expired' ? 'expiry' : 'authorization',
      proposed: decision.status,
      current: (current.get(patientId) ?? null) as MemberRecordStatus | null,
      discontinuedOn: discontinued.get(patientId) ?? null,
      authorizationStart: decider?.startDate ?? null,
    });
    if (status) changes.push({ patientId, status });
  }
  for (const batch of chunks(changes, BATCH_ROWS)) await patients.setMemberStatuses(tx, orgId, batch, writer(ctx, source));
  return changes.map((c) => c.patientId);
}
