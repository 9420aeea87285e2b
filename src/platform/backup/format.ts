/**
 * The backup file's framing, compression and encryption, as async-generator stream stages (constant memory).
 *
 * File = outer header, then the body:
 *   outer header: magic `CAREBKP1` (8 bytes), mode (1 byte: 0 gzip, 1 gzip then AES-256-GCM);
 *     mode 1 adds a 7-byte random nonce prefix and a 16-byte key check (HMAC-SHA256(key, prefix), truncated),
 *     so a wrong key is told apart from a damaged file.
 *   body, mode 0: gzip of the record stream.
 *   body, mode 1: the gzip bytes cut into chunks of at most 64 KiB, each sealed with AES-256-GCM
 *     (`u32 length | ciphertext | 16-byte tag`), nonce = prefix | u32 counter | final flag, the outer header as
 *     additional data: the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015), so a reordered,
 *     truncated or extended file fails authentication. The last chunk carries the final flag (and may be empty).
 *   record stream: `type (1 byte) | u32 length | payload`, see `RecordType`.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const MAGIC = Buffer.from('CAREBKP1', 'ascii');
const CHUNK = 64 * 1024;
const PREFIX_BYTES = 7;
const CHECK_BYTES = 16;
const TAG_BYTES = 16;

/** A backup file that cannot be read: the message is a sentence for the operator. */
export class BackupFileError extends Error {}

export const RecordType = {
  /** JSON `BackupHeader`. */
  header: 0x48,
  /** JSON `{ index }`: the data of table `index` follows. */
  table: 0x54,
  /** Bytes of `COPY ... TO STDOUT` text output. */
  data: 0x44,
  /** JSON `{ rows, sha256 }` of the table just written. */
  end: 0x45,
  /** JSON `{ sha256 }` of every record byte before this one: the last record. */
  trailer: 0x5a,
} as const;

/** Parses `BACKUP_ENCRYPTION_KEY` (32 bytes, base64). @throws Error naming what is wrong. */
export function parseBackupKey(base64: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32) throw new Error(`must be 32 bytes encoded in base64 (got ${key.length} bytes); \`care db backup-key\` prints a new one`);
  return key;
}

/** A new random key, base64, for `BACKUP_ENCRYPTION_KEY`. */
export function newBackupKey(): string {
  return randomBytes(32).toString('base64');
}

/** Frames one record. */
export function record(type: number, payload: Buffer | string | object): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function keyCheck(key: Buffer, prefix: Buffer): Buffer {
  return createHmac('sha256', key).update('care-backup key check').update(prefix).digest().subarray(0, CHECK_BYTES);
}

function nonce(prefix: Buffer, counter: number, final: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, PREFIX_BYTES);
  n[11] = final ? 1 : 0;
  return n;
}

/** The outer header for `key` (undefined: not encrypted). */
export function outerHeader(key: Buffer | undefined): { bytes: Buffer; prefix?: Buffer } {
  if (!key) return { bytes: Buffer.concat([MAGIC, Buffer.from([0])]) };
  const prefix = randomBytes(PREFIX_BYTES);
  return { bytes: Buffer.concat([MAGIC, Buffer.from([1]), prefix, keyCheck(key, prefix)]), prefix };
}

/** Stage: seals the gzip bytes in authenticated chunks (see the module comment). */
export function encrypt(key: Buffer, header: { bytes: Buffer; prefix?: Buffer }) {
  return async function* (source: AsyncIterable<unknown>): AsyncGenerator<Buffer> {
    yield header.bytes;
    let counter = 0;
    let pending: Buffer = Buffer.alloc(0);
    const seal = (plain: Buffer, final: boolean) => {
      const c = createCipheriv('aes-256-gcm', key, nonce(header.prefix!, counter++, final));
      c.setAAD(header.bytes);
      const body = Buffer.concat([c.update(plain), c.final()]);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      return Buffer.concat([len, body, c.getAuthTag()]);
    };
    for await (const chunk of source as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length > CHUNK) {
        yield seal(pending.subarray(0, CHUNK), false);
        pending = pending.subarray(CHUNK);
      }
    }
    yield seal(pending, true);
  };
}

/** Reads exact byte counts from an async iterable of buffers. */
export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Up to `n` bytes; fewer only at the end of the source. */
  async readUpTo(n: number): Promise<Buffer> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** Exactly `n` bytes. @throws BackupFileError `truncated` at the end of the source. */
  async read(n: number): Promise<Buffer> {
    const out = await this.readUpTo(n);
    if (out.length < n) throw new BackupFileError('the backup file is truncated: it ends before its last record (an interrupted copy?)');
    return out;
  }

  /** Whether the source has no more bytes (consumes nothing). */
  async peekEnd(): Promise<boolean> {
    const b = await this.readUpTo(1);
    if (b.length === 0) return true;
    this.buf = Buffer.concat([b, this.buf]);
    return false;
  }
}

/**
 * Reads the outer header and returns the stage that yields the gzip bytes.
 * @throws BackupFileError not a backup; encrypted but no key; wrong key.
 */
export async function openBody(reader: ByteReader, key: Buffer | undefined): Promise<{ encrypted: boolean; body: AsyncGenerator<Buffer> }> {
  const magic = await reader.readUpTo(MAGIC.length + 1);
  if (magic.length < MAGIC.length + 1 || !magic.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupFileError('this is not a Care Platform backup file (its first bytes are not CAREBKP1)');
  }
  const mode = magic[MAGIC.length];
  if (mode === 0) {
    return {
      encrypted: false,
      body: (async function* () {
        for (;;) {
          const b = await reader.readUpTo(CHUNK);
          if (b.length === 0) return;
          yield b;
        }
      })(),
    };
  }
  if (mode !== 1) throw new BackupFileError(`this backup file has an unknown mode (${mode}): it was made by a newer version, or is damaged`);
  if (!key) throw new BackupFileError('this backup is encrypted: set BACKUP_ENCRYPTION_KEY to the key it was made with');
  const rest = await reader.read(PREFIX_BYTES + CHECK_BYTES);
  const prefix = rest.subarray(0, PREFIX_BYTES);
  const headerBytes = Buffer.concat([magic, rest]);
  if (!timingSafeEqual(keyCheck(key, prefix), rest.subarray(PREFIX_BYTES))) {
    throw new BackupFileError('BACKUP_ENCRYPTION_KEY is not the key this backup was encrypted with');
  }
  return {
    encrypted: true,
    body: (async function* () {
      let counter = 0;
      for (;;) {
        const lenBytes = await reader.readUpTo(4);
        if (lenBytes.length === 0) throw new BackupFileError('the backup file is truncated: its last encrypted chunk is missing');
        if (lenBytes.length < 4) throw new BackupFileError('the backup file is truncated in the middle of an encrypted chunk');
        const len = lenBytes.readUInt32BE(0);
        if (len > CHUNK) throw new BackupFileError('the backup file is damaged: an encrypted chunk has an impossible length');
        const sealed = await reader.read(len + TAG_BYTES);
        const open = (final: boolean) => {
          const d = createDecipheriv('aes-256-gcm', key, nonce(prefix, counter, final));
          d.setAAD(headerBytes);
          d.setAuthTag(sealed.subarray(len));
          return Buffer.concat([d.update(sealed.subarray(0, len)), d.final()]);
        };
        let plain: Buffer;
        let final = false;
        try {
          plain = open(false);
        } catch {
          try {
            plain = open(true);
            final = true;
          } catch {
            throw new BackupFileError(`the backup file is damaged: encrypted chunk ${counter} fails authentication (changed bytes)`);
          }
        }
        counter++;
        yield plain;
        if (final) {
          if (!(await reader.peekEnd())) throw new BackupFileError('the backup file is damaged: bytes follow its final encrypted chunk');
          return;
        }
      }
    })(),
  };
}
