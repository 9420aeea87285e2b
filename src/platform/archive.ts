/**
 * Opening zip archives (XLSX/XLSM workbooks, CMS's ICD-10-CM zip) within limits, so that a small file cannot
 * make the server inflate gigabytes (a "zip bomb"). Two checks:
 *
 * - the central directory, before anything is inflated: the number of entries, each entry's declared size, its
 *   uncompressed:compressed ratio, and the sum of the declared sizes;
 * - while inflating, because headers can lie: an entry is stopped as soon as it yields more bytes than its
 *   directory record declared (so every limit checked on the declared sizes holds for the real bytes), and the
 *   running total of the archive is held to the limit.
 *
 * Entries are found through the central directory only (yauzl), never by walking local headers, so data the
 * directory does not list is never inflated. Inflated bytes stream through; nothing here buffers an entry.
 */
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import type yauzl from 'yauzl';
import { ValidationError } from './errors.ts';

/** Limits on what one archive may inflate to (the `ARCHIVE_*` settings). */
export interface ArchiveLimits {
  /** Most bytes all entries of one archive may inflate to together. */
  maxUncompressedBytes: number;
  /** Most bytes one entry may inflate to. */
  maxEntryBytes: number;
  /** Largest uncompressed:compressed ratio of an entry larger than `RATIO_GRACE_BYTES`. */
  maxRatio: number;
}

/**
 * Entries up to this many uncompressed bytes are not held to `maxRatio`: small XML parts can compress far better
 * than a whole sheet does and cannot be bombs on their own (their sum is still held to the total). Apache POI's
 * zip-bomb check has the same kind of grace.
 */
export const RATIO_GRACE_BYTES = 1024 * 1024;

/** Most entries an archive may list: an XLSX has tens, CMS's zip six; each listed entry costs memory before any is read. */
export const MAX_ENTRIES = 10_000;

/** The one message for every archive over a limit (ECM answers it as 422). */
export const ARCHIVE_TOO_LARGE = 'The file is too large once uncompressed';

/** An archive over one of the limits; `detail` says which entry and limit, for operators (ECM clients get only the message). */
export class ArchiveTooLargeError extends ValidationError {
  readonly detail: string;
  constructor(detail: string) {
    super([ARCHIVE_TOO_LARGE]);
    this.detail = detail;
  }
}

/** One file of an archive, as its central directory record describes it. */
export interface ArchiveEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  isDirectory: boolean;
}

/** An opened archive whose central directory passed the limits. */
export interface Archive {
  /** The entries in central directory order. */
  entries: ArchiveEntry[];
  /**
   * The inflated bytes of `entry`. The stream fails with `ArchiveTooLargeError` at the byte that passes the
   * entry's declared size or the archive's total limit, and with an Error when the entry ends short of its
   * declared size or its data is corrupt.
   */
  open(entry: ArchiveEntry): Promise<Readable>;
  /** Releases the file (a no-op for a buffer). */
  close(): void;
}

const MIB = 1024 * 1024;
const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;

/**
 * Opens a zip (a buffer, or a file path) and checks its central directory against `limits`.
 * @throws ArchiveTooLargeError when an entry or the total is over a limit (nothing inflated yet);
 *   ValidationError when it lists more than `MAX_ENTRIES` entries; Error from yauzl when it is not a readable zip.
 */
export async function openArchive(source: Buffer | string, limits: ArchiveLimits): Promise<Archive> {
  // Loaded on first use: most processes never open an archive.
  const { default: yauzlModule } = await import('yauzl');
  // Sizes are checked here against the limits, with this module's message; yauzl's own check would stop a lying
  // entry at the same byte with a message of its own.
  const options: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: false };
  const zip = await (typeof source === 'string' ? yauzlModule.openPromise(source, options) : yauzlModule.fromBufferPromise(source, options));
  const records = new Map<ArchiveEntry, yauzl.Entry>();
  try {
    if (zip.entryCount > MAX_ENTRIES) throw new ValidationError([`The file holds more than ${MAX_ENTRIES} files`]);
    let declaredTotal = 0;
    for await (const e of zip.eachEntry()) {
      const entry: ArchiveEntry = {
        name: e.fileName,
        compressedSize: e.compressedSize,
        uncompressedSize: e.uncompressedSize,
        crc32: e.crc32,
        isDirectory: e.fileName.endsWith('/'),
      };
      checkDeclared(entry, limits);
      declaredTotal += entry.uncompressedSize;
      if (declaredTotal > limits.maxUncompressedBytes) {
        throw new ArchiveTooLargeError(`its entries declare more than ${mib(limits.maxUncompressedBytes)} in all`);
      }
      records.set(entry, e);
    }
  } catch (err) {
    zip.close();
    throw err;
  }

  let inflated = 0;
  return {
    entries: [...records.keys()],
    async open(entry) {
      const record = records.get(entry);
      if (!record) throw new Error(`${entry.name} is not an entry of this archive`);
      const raw = await zip.openReadStreamPromise(record);
      let count = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done: TransformCallback) {
          count += chunk.length;
          inflated += chunk.length;
          if (count > entry.uncompressedSize) {
            return done(new ArchiveTooLargeError(`${entry.name} inflates past the ${entry.uncompressedSize} bytes its directory record declares`));
          }
          if (inflated > limits.maxUncompressedBytes) {
            return done(new ArchiveTooLargeError(`its entries inflate to more than ${mib(limits.maxUncompressedBytes)} in all`));
          }
          done(null, chunk);
        },
        flush(done: TransformCallback) {
          done(count < entry.uncompressedSize ? new Error(`${entry.name} ends after ${count} of the ${entry.uncompressedSize} bytes its directory record declares`) : null);
        },
      });
      // pipeline destroys the inflater when the counter fails, so a refused entry stops inflating at once.
      return pipeline(raw, counter, () => {});
    },
    close: () => zip.close(),
  };
}

/** The central directory check of one entry. @throws ArchiveTooLargeError */
function checkDeclared(entry: ArchiveEntry, limits: ArchiveLimits): void {
  if (entry.uncompressedSize > limits.maxEntryBytes) {
    throw new ArchiveTooLargeError(`${entry.name} declares ${mib(entry.uncompressedSize)}, over the ${mib(limits.maxEntryBytes)} an entry may hold`);
  }
  if (entry.uncompressedSize > RATIO_GRACE_BYTES && entry.uncompressedSize > limits.maxRatio * Math.max(entry.compressedSize, 1)) {
    const ratio = Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1));
    throw new ArchiveTooLargeError(`${entry.name} inflates ${ratio} times, over the ratio of ${limits.maxRatio} an entry may have`);
  }
}
