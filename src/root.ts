/**
 * The project's root directory (the folder holding `package.json` and `migrations/`), found by walking up from
 * this module's own location, so the paths built from it hold both when `src/` runs as TypeScript (Node strips the types) and when the
 * `dist/` bundle runs (`npm run build`; see `bin/care.js`), whose modules sit at a different depth.
 */
import fs from 'node:fs';
import path from 'node:path';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'migrations'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no project root (package.json beside migrations/) above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(import.meta.dirname);

/** The SQL migrations drizzle-kit generates; `runMigrations` and `connectDatabase` are given this folder. */
export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'migrations');

/**
 * The ICD-10-CM code set shipped with the project (CMS's FY2026 order file, gzipped; data/icd10cm/README.md), which
 * `care serve` imports when its year is missing, so a fresh server checks diagnosis codes.
 */
export const ICD10CM_BUNDLED_FILE = path.join(PROJECT_ROOT, 'data', 'icd10cm', 'icd10cm_order_2026.txt.gz');
