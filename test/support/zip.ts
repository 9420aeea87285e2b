/**
 * A small zip writer for tests that need archives no well-behaved library writes: zip bombs whose entries inflate
 * to gigabytes, headers that lie about sizes, and local entries the central directory does not list.
 *
 * Bomb data is built without ever holding the inflated bytes: a unit compressed once with a full flush (a
 * byte-aligned, non-final deflate block that refers to nothing before it) can be repeated any number of times,
 * and a final empty block closes the stream. `zlib.inflateRaw` of the result gives the unit that many times.
 */
import { deflateRawSync, constants } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO-HDLC, as zip uses it). */
export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Deflate data that inflates to `prefix`, then `unit` `times` times, then `suffix`; and that inflated size. */
export function repeatedDeflate(prefix: string, unit: string, times: number, suffix: string): { deflated: Buffer; size: number } {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const block = deflateRawSync(Buffer.from(unit), flush);
  return {
    deflated: Buffer.concat([deflateRawSync(Buffer.from(prefix), flush), ...Array<Buffer>(times).fill(block), deflateRawSync(Buffer.from(suffix))]),
    size: Buffer.byteLength(prefix) + Buffer.byteLength(unit) * times + Buffer.byteLength(suffix),
  };
}

export interface ZipEntrySpec {
  name: string;
  /** Plain content, deflated by the writer (true sizes and CRC). */
  data?: Buffer | string;
  /** Already deflated content (`repeatedDeflate`), with its true inflated `size`; its CRC is written as 0. */
  deflated?: { deflated: Buffer; size: number };
  /** The uncompressed size the headers claim, when they should lie. */
  declaredSize?: number;
  /** Written as a local entry but left out of the central directory. */
  hidden?: boolean;
}

/** A zip archive of `entries` in order (deflate, sizes in the local headers, no data descriptors, no zip64). */
export function zip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  let listed = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const plain = e.data === undefined ? undefined : Buffer.from(e.data);
    const body = plain ? deflateRawSync(plain) : e.deflated!.deflated;
    const size = e.declaredSize ?? (plain ? plain.length : e.deflated!.size);
    const crc = plain ? crc32(plain) : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    if (!e.hidden) {
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(20, 4);
      record.writeUInt16LE(20, 6);
      record.writeUInt16LE(0x0800, 8);
      record.writeUInt16LE(8, 10);
      record.writeUInt32LE(crc, 16);
      record.writeUInt32LE(body.length, 20);
      record.writeUInt32LE(size, 24);
      record.writeUInt16LE(name.length, 28);
      record.writeUInt32LE(offset, 42);
      central.push(record, name);
      listed++;
    }
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(listed, 8);
  end.writeUInt16LE(listed, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
