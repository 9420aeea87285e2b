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
import { recordAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { pageRequest, paginationOf } from '../../platform/pagination.ts';
import {
  MIF_IMPORT_NOT_FOUND,
  mifImportWire,
  type ImportDeps,
  type ImportInput,
  type ImportOptions,
  type ImportServiceDeps,
} from './common.ts';
import { expireAuthorizations } from './expire-authorizations.ts';
import { importAuthorizations } from './import-authorizations.ts';
import { importMif } from './import-mif.ts';
import type { MifImportListQueryWire } from './schemas.ts';
import * as store from './store.ts';

export {
  AUTHORIZATION_EXPIRED_SOURCE, AUTHORIZATION_IMPORT_SOURCE, MIF_IMPORT_NOT_FOUND, MIF_IMPORT_SOURCE, todayIn,
  type ImportFile, type ImportInput, type ImportOptions, type ImportServiceDeps,
} from './common.ts';

/**
 * The import service: each use case is a function of its own file (`import-mif.ts`, `import-authorizations.ts`,
 * `expire-authorizations.ts`) bound here to the dependencies; the two reads of the MIF history are here.
 */
export function createImportService(serviceDeps: ImportServiceDeps) {
  const deps: ImportDeps = { ...serviceDeps, clock: serviceDeps.clock ?? (() => new Date()) };
  const { db } = deps;
  return {
    /** See `importMif` (import-mif.ts). */
    importMif: (ctx: RequestContext, input: ImportInput, opts: ImportOptions = {}) => importMif(deps, ctx, input, opts),
    /** See `importAuthorizations` (import-authorizations.ts). */
    importAuthorizations: (ctx: RequestContext, input: ImportInput) => importAuthorizations(deps, ctx, input),
    /** See `expireAuthorizations` (expire-authorizations.ts). */
    expireAuthorizations: () => expireAuthorizations(deps),

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
  };
}

export type ImportService = ReturnType<typeof createImportService>;
