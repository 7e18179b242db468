/**
 * Reads the files of a data directory the way an attacker with a copy of it would: every file's raw
 * bytes, and in addition what LevelDB keeps inside them in a form a byte search would miss: table
 * files (.ldb/.sst) with their data blocks snappy-decompressed, write-ahead logs and MANIFESTs with
 * their records reassembled across 32 KiB block boundaries. Written from LevelDB's documented file
 * formats (doc/table_format.md, doc/log_format.md); used by tests only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface FileContents {
  /** Path relative to the directory searched. */
  readonly path: string;
  /** The raw bytes, and every decoded view of them. */
  readonly views: readonly Buffer[];
}

/** Every regular file under `dir`, with its decoded views. */
export function readDataDirectory(dir: string): FileContents[] {
  const out: FileContents[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) out.push({ path: relative(dir, path), views: decodedViews(name, readFileSync(path)) });
    }
  };
  walk(dir);
  return out;
}

function decodedViews(name: string, raw: Buffer): Buffer[] {
  const views = [raw];
  try {
    if (/\.(ldb|sst)$/.test(name)) views.push(...tableBlocks(raw));
    else if (/\.log$/.test(name) || name.startsWith('MANIFEST-')) views.push(...logRecords(raw));
  } catch {
    // a file that does not parse (damaged on purpose, or being written) still counts by its raw bytes
  }
  return views;
}

// ---- table files -----------------------------------------------------------------------------

const TABLE_MAGIC = Buffer.from('57fb808b247547db', 'hex'); // 0xdb4775248b80fb57, little-endian
const FOOTER_LENGTH = 48;

/** Every data block, index and metaindex block of a table file, decompressed. */
export function tableBlocks(file: Buffer): Buffer[] {
  if (file.length < FOOTER_LENGTH || !file.subarray(file.length - 8).equals(TABLE_MAGIC)) return [];
  const footer = new Reader(file.subarray(file.length - FOOTER_LENGTH));
  const metaindex = { offset: footer.varint(), size: footer.varint() };
  const index = { offset: footer.varint(), size: footer.varint() };
  const indexBlock = readBlock(file, index);
  const blocks = [indexBlock, readBlock(file, metaindex)];
  for (const handle of blockEntries(indexBlock).map((e) => new Reader(e.value))) {
    blocks.push(readBlock(file, { offset: handle.varint(), size: handle.varint() }));
  }
  return blocks;
}

function readBlock(file: Buffer, handle: { offset: number; size: number }): Buffer {
  const contents = file.subarray(handle.offset, handle.offset + handle.size);
  const type = file[handle.offset + handle.size];
  if (type === 0) return Buffer.from(contents);
  if (type === 1) return snappyDecompress(contents);
  throw new Error(`unknown block type ${type}`);
}

/** Entries of a block (prefix-compressed keys), up to its restart array. */
function blockEntries(block: Buffer): { key: Buffer; value: Buffer }[] {
  const restarts = block.readUInt32LE(block.length - 4);
  const end = block.length - 4 - 4 * restarts;
  const reader = new Reader(block.subarray(0, end));
  const entries: { key: Buffer; value: Buffer }[] = [];
  let key = Buffer.alloc(0);
  while (!reader.done()) {
    const shared = reader.varint();
    const unshared = reader.varint();
    const valueLength = reader.varint();
    key = Buffer.concat([key.subarray(0, shared), reader.bytes(unshared)]);
    entries.push({ key, value: reader.bytes(valueLength) });
  }
  return entries;
}

/** Snappy's raw format: a varint length, then literals and back-references. */
export function snappyDecompress(input: Buffer): Buffer {
  const reader = new Reader(input);
  const out = Buffer.alloc(reader.varint());
  let at = 0;
  while (!reader.done()) {
    const tag = reader.byte();
    const kind = tag & 3;
    if (kind === 0) {
      let length = tag >> 2;
      if (length >= 60) length = reader.uintLE(length - 59);
      reader.bytes(length + 1).copy(out, at);
      at += length + 1;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      length = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | reader.byte();
    } else {
      length = (tag >> 2) + 1;
      offset = reader.uintLE(kind === 2 ? 2 : 4);
    }
    if (offset === 0 || offset > at) throw new Error('bad snappy back-reference');
    for (let i = 0; i < length; i++, at++) out[at] = out[at - offset]!;
  }
  if (at !== out.length) throw new Error('snappy length mismatch');
  return out;
}

// ---- logs and manifests ----------------------------------------------------------------------

const LOG_BLOCK = 32_768;
const LOG_HEADER = 7;
const FULL = 1;
const FIRST = 2;
const LAST = 4;

/** The payloads of a log-format file, each record's fragments joined. */
export function logRecords(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let block = 0; block < file.length; block += LOG_BLOCK) {
    let at = block;
    const end = Math.min(block + LOG_BLOCK, file.length);
    while (at + LOG_HEADER <= end) {
      const length = file.readUInt16LE(at + 4);
      const type = file[at + 6]!;
      if (type === 0 && length === 0) break; // pre-allocated or trailing zeros
      const data = file.subarray(at + LOG_HEADER, at + LOG_HEADER + length);
      at += LOG_HEADER + length;
      if (type === FULL) records.push(Buffer.from(data));
      else if (type === FIRST) pending = [data];
      else {
        pending.push(data);
        if (type === LAST) {
          records.push(Buffer.concat(pending));
          pending = [];
        }
      }
    }
  }
  return records;
}

// ---- bytes -----------------------------------------------------------------------------------

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  done(): boolean {
    return this.at >= this.buf.length;
  }
  byte(): number {
    if (this.at >= this.buf.length) throw new Error('read past the end');
    return this.buf[this.at++]!;
  }
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new Error('read past the end');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  uintLE(n: number): number {
    return this.bytes(n).readUIntLE(0, n);
  }
  varint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
  }
}
