/**
 * The `path` import source: each organization reads only its own drop folder,
 * `DATA_DIR/imports/<organization id>/` (usually one SFTP account per clinic,
 * chrooted to that folder). A path is a name relative to the folder; `..`
 * segments, absolute paths and symbolic links leading out of the folder reach
 * nothing, and every file that is missing or out of reach answers one sentence,
 * so a request learns nothing about what exists elsewhere.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The drop folder of `organizationId` under `dataDir`. */
export function dropFolderOf(dataDir: string, organizationId: number): string {
  return path.join(dataDir, 'imports', String(organizationId));
}

/** The one 422 sentence for a `path` that does not name a file in the organization's folder. */
export function pathNotInDropFolder(organizationId: number): string {
  return `Path must name a file in the clinic's import folder (DATA_DIR/imports/${organizationId}/)`;
}

/** Why a `path` was not read: `unreachable` (missing, outside the folder, not a file) or `too_large`. */
export class DropFileError extends Error {
  readonly reason: 'unreachable' | 'too_large';
  constructor(reason: 'unreachable' | 'too_large') {
    super(reason);
    this.reason = reason;
  }
}

function isInside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** The path the open file really has (Linux: its `/proc/self/fd` link, which a later rename or symlink swap cannot fake). */
async function openedPath(fh: fs.FileHandle, fallback: string): Promise<string> {
  try {
    return await fs.readlink(`/proc/self/fd/${fh.fd}`);
  } catch {
    return fs.realpath(fallback);
  }
}

/**
 * Reads `relPath` from the drop folder `folder`.
 * @returns the bytes and the file's base name.
 * @throws DropFileError `unreachable` for an absolute path, a `..` segment, a NUL byte, a missing file, a
 *   directory or other non-file, a symbolic link out of the folder, a missing folder; `too_large` over `maxBytes`.
 */
export async function readDropFile(folder: string, relPath: string, maxBytes: number): Promise<{ content: Buffer; filename: string }> {
  const segments = relPath.split(/[\\/]/);
  if (relPath.includes('\0') || path.isAbsolute(relPath) || /^[a-z]:/i.test(relPath) || segments.includes('..')) {
    throw new DropFileError('unreachable');
  }
  let fh: fs.FileHandle | undefined;
  try {
    const root = await fs.realpath(folder);
    const real = await fs.realpath(path.join(root, relPath));
    if (!isInside(root, real)) throw new DropFileError('unreachable');
    // O_NOFOLLOW: the name resolved above must not have become a link since; O_NONBLOCK: a FIFO cannot hang the request.
    fh = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = await fh.stat();
    if (!stat.isFile() || !isInside(root, await openedPath(fh, real))) throw new DropFileError('unreachable');
    if (stat.size > maxBytes) throw new DropFileError('too_large');
    const content = await fh.readFile();
    if (content.length > maxBytes) throw new DropFileError('too_large'); // still being written when stat ran
    return { content, filename: path.basename(real) };
  } catch (err) {
    if (err instanceof DropFileError) throw err;
    if (typeof (err as { code?: unknown }).code === 'string') throw new DropFileError('unreachable');
    throw err;
  } finally {
    await fh?.close();
  }
}
