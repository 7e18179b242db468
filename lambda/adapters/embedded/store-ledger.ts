/**
 * The store ledger: makes damage to the embedded key database detectable (D31).
 *
 * LevelDB recovers from a damaged write-ahead log by silently skipping what it cannot read (one
 * flipped byte dropped every later record of its 32 KiB block), and reads table files without
 * checking their block checksums (classic-level offers no `paranoid_checks`). So this process keeps
 * its own account of what the database must hold:
 *
 * - every write batch also writes, atomically with it, a ledger entry `{seq, digest}` into LevelDB:
 *   `seq` counts the batches written, `digest` is the XOR of SHA-256(key, value) over every entry
 *   (so it follows the content whatever the order of the entries);
 * - after LevelDB has taken the batch, and before the write is acknowledged, the same `{seq, digest}`
 *   is written to a small file beside the database (`<db>.ledger`), which LevelDB's recovery never
 *   touches. Two checksummed slots, written alternately, so a torn write leaves the previous one.
 *
 * At start the whole database is read (by iteration and by point lookups) before anything is served:
 * its digest must equal the ledger entry's, and the ledger entry must be the file's last one, or the
 * one after it (a process killed between the two writes, whose write was never acknowledged).
 * Anything else is damage and refuses the start (StoreDamagedError), unless the operator accepts it.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, openSync, readSync, writeSync } from 'node:fs';

/** Key of the ledger entry in LevelDB: 0x00 sorts before every key dynalite writes (all printable). */
export const LEDGER_KEY = '\u0000byok-kms/ledger';
const LEDGER_KEY_BYTES = Buffer.from(LEDGER_KEY, 'utf8');

const SLOT_SIZE = 64;
const MAGIC = Buffer.from('BYOKLDG1', 'ascii');
const DIGEST_SIZE = 32;

/** The database or its ledger is not what was acknowledged; `message` says what and how to recover. */
export class StoreDamagedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreDamagedError';
  }
}

export interface LedgerPoint {
  readonly seq: number;
  readonly digest: Buffer;
}

/** What a full read of the database found. */
export interface StoreContents {
  /** SHA-256(key, value) of every entry but the ledger's, by key (as a latin1 string of its bytes). */
  readonly entries: Map<string, Buffer>;
  readonly digest: Buffer;
  /** The ledger entry found in the database, if any. */
  readonly ledger: LedgerPoint | undefined;
}

/** The parts of an abstract-level database the ledger reads. */
export interface ReadableLevel {
  iterator(options: { keyEncoding: 'buffer'; valueEncoding: 'buffer' }): AsyncIterable<[Buffer, Buffer]>;
  getMany(keys: Buffer[], options: { keyEncoding: 'buffer'; valueEncoding: 'buffer' }): Promise<(Buffer | undefined)[]>;
}

export function entryHash(key: Uint8Array, value: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(key.length);
  return createHash('sha256').update(length).update(key).update(value).digest();
}

export function xorInto(target: Buffer, hash: Buffer): void {
  for (let i = 0; i < DIGEST_SIZE; i++) target[i]! ^= hash[i]!;
}

/**
 * Reads every entry twice: by iteration (table and log content) and by point lookup (which also
 * goes through the tables' filter and index blocks, so an entry a lookup cannot find counts as damage).
 * LevelDB's own read errors (a block that does not decode) propagate.
 */
export async function readContents(db: ReadableLevel): Promise<StoreContents> {
  const entries = new Map<string, Buffer>();
  const digest = Buffer.alloc(DIGEST_SIZE);
  let ledger: LedgerPoint | undefined;
  const keys: Buffer[] = [];
  const hashes: Buffer[] = [];
  for await (const [key, value] of db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' })) {
    if (key.equals(LEDGER_KEY_BYTES)) {
      ledger = parseLedgerEntry(value);
      continue;
    }
    const hash = entryHash(key, value);
    entries.set(key.toString('latin1'), hash);
    xorInto(digest, hash);
    keys.push(key);
    hashes.push(hash);
  }
  const BATCH = 1_000;
  for (let i = 0; i < keys.length; i += BATCH) {
    const values = await db.getMany(keys.slice(i, i + BATCH), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    values.forEach((value, j) => {
      const key = keys[i + j]!;
      if (value === undefined || !entryHash(key, value).equals(hashes[i + j]!)) {
        throw new StoreDamagedError(`entry ${JSON.stringify(key.toString('utf8').slice(0, 120))} reads differently by lookup than by iteration`);
      }
    });
  }
  return { entries, digest, ledger };
}

export function ledgerEntryValue(point: LedgerPoint): string {
  return JSON.stringify({ seq: point.seq, digest: point.digest.toString('hex') });
}

function parseLedgerEntry(value: Buffer): LedgerPoint {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { seq?: unknown; digest?: unknown };
    if (Number.isSafeInteger(parsed.seq) && typeof parsed.digest === 'string' && /^[0-9a-f]{64}$/.test(parsed.digest)) {
      return { seq: parsed.seq as number, digest: Buffer.from(parsed.digest, 'hex') };
    }
  } catch {
    // reported below
  }
  throw new StoreDamagedError('its ledger entry is unreadable');
}

/** The ledger file beside the database: two checksummed slots, the newer valid one counts. */
export class LedgerFile {
  private constructor(
    private readonly fd: number,
    readonly path: string,
  ) {}

  static exists(path: string): boolean {
    return existsSync(path);
  }

  static open(path: string): LedgerFile {
    return new LedgerFile(openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600), path);
  }

  /** The last point written; undefined for an empty file. Throws StoreDamagedError when no slot is valid. */
  read(): LedgerPoint | undefined {
    const bytes = Buffer.alloc(2 * SLOT_SIZE);
    const length = readSync(this.fd, bytes, 0, bytes.length, 0);
    if (length === 0) return undefined;
    const slots = [0, 1].map((i) => parseSlot(bytes.subarray(i * SLOT_SIZE, (i + 1) * SLOT_SIZE))).filter((s) => s !== undefined);
    if (slots.length === 0) throw new StoreDamagedError(`its ledger file ${this.path} is unreadable`);
    return slots.reduce((a, b) => (b.seq > a.seq ? b : a));
  }

  /** Synchronous: one small pwrite, in order with the batches; the page cache keeps it past a process kill. */
  write(point: LedgerPoint): void {
    const slot = Buffer.alloc(SLOT_SIZE);
    MAGIC.copy(slot, 0);
    slot.writeBigUInt64BE(BigInt(point.seq), 8);
    point.digest.copy(slot, 16);
    slotCheck(slot).copy(slot, 48);
    const written = writeSync(this.fd, slot, 0, SLOT_SIZE, (point.seq % 2) * SLOT_SIZE);
    if (written !== SLOT_SIZE) throw new Error(`short write to ${this.path}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

function slotCheck(slot: Buffer): Buffer {
  return createHash('sha256').update(slot.subarray(0, 48)).digest().subarray(0, 8);
}

function parseSlot(slot: Buffer): LedgerPoint | undefined {
  if (slot.length < SLOT_SIZE || !slot.subarray(0, 8).equals(MAGIC) || !slot.subarray(48, 56).equals(slotCheck(slot))) return undefined;
  return { seq: Number(slot.readBigUInt64BE(8)), digest: Buffer.from(slot.subarray(16, 48)) };
}

/**
 * Compares what the database holds with the ledger file. Returns the point to continue from, or
 * throws StoreDamagedError saying what is wrong. No ledger entry and no ledger file: a new database,
 * or one written before the ledger existed, adopted as it is.
 */
export function reconcile(contents: StoreContents, file: LedgerPoint | undefined): LedgerPoint {
  const { ledger, digest, entries } = contents;
  if (!ledger) {
    if (file) {
      throw new StoreDamagedError(
        entries.size === 0
          ? `it is empty, but ${file.seq} acknowledged writes were made to it`
          : `its ledger entry is missing (${file.seq} acknowledged writes were made to it)`,
      );
    }
    return { seq: 0, digest };
  }
  if (!ledger.digest.equals(digest)) {
    throw new StoreDamagedError(`its content does not match its ledger (${entries.size} entries read, after ${ledger.seq} writes): entries were lost or altered`);
  }
  if (!file) throw new StoreDamagedError(`its ledger file is missing or empty (the database records ${ledger.seq} writes)`);
  if (ledger.seq < file.seq) {
    throw new StoreDamagedError(`it lost acknowledged writes: it holds ${ledger.seq} of the ${file.seq} writes acknowledged`);
  }
  if (ledger.seq > file.seq + 1 || (ledger.seq === file.seq && !ledger.digest.equals(file.digest))) {
    throw new StoreDamagedError(`its ledger file does not belong to it (the file records ${file.seq} writes, the database ${ledger.seq})`);
  }
  return ledger;
}

/** An encoded write as abstract-level hands it to an implementation's private methods. */
interface EncodedOperation {
  readonly type: 'put' | 'del';
  readonly key: string | Uint8Array;
  readonly value?: string | Uint8Array;
}

/** The private write methods of an abstract-level database (the contract abstract-level implementations follow). */
interface LevelWriteMethods {
  _put(key: string | Uint8Array, value: string | Uint8Array, options: object): Promise<void>;
  _del(key: string | Uint8Array, options: object): Promise<void>;
  _batch(operations: readonly EncodedOperation[], options: object): Promise<void>;
  _chainedBatch(): unknown;
}

/**
 * Routes every write of `db` through the ledger: one at a time, each batch with its ledger entry
 * (atomic in LevelDB), then the ledger file, then the caller is answered. Writes the first ledger
 * entry now when the database has none (new, or from before the ledger). After a ledger file write
 * fails, every later write fails too, so the file never falls more than one write behind.
 */
export async function installLedger(
  db: object,
  start: { readonly entries: Map<string, Buffer>; readonly point: LedgerPoint; readonly baseline: boolean },
  file: LedgerFile,
): Promise<void> {
  const level = db as LevelWriteMethods;
  const batch = level._batch.bind(level);
  const { entries } = start;
  let point = start.point;
  let queue: Promise<unknown> = Promise.resolve();
  let broken: Error | undefined;

  const write = (operations: readonly EncodedOperation[], options: object): Promise<void> => {
    const run = queue.then(async () => {
      if (broken) throw broken;
      const changes = new Map<string, Buffer | undefined>();
      const digest = Buffer.from(point.digest);
      for (const op of operations) {
        const key = bytesOf(op.key);
        if (key.equals(LEDGER_KEY_BYTES)) throw new Error('the store ledger key is reserved');
        const id = key.toString('latin1');
        const before = changes.has(id) ? changes.get(id) : entries.get(id);
        if (before) xorInto(digest, before);
        const after = op.type === 'put' ? entryHash(key, bytesOf(op.value ?? '')) : undefined;
        if (after) xorInto(digest, after);
        changes.set(id, after);
      }
      const next = { seq: point.seq + 1, digest };
      await batch([...operations, { type: 'put', key: LEDGER_KEY, value: ledgerEntryValue(next) }], options);
      for (const [id, hash] of changes) {
        if (hash) entries.set(id, hash);
        else entries.delete(id);
      }
      point = next;
      try {
        file.write(point);
      } catch (err) {
        broken = new Error(`the store ledger ${file.path} cannot be written; writes are refused until restart`, { cause: err });
        throw broken;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  level._put = (key, value, options) => write([{ type: 'put', key, value }], options);
  level._del = (key, options) => write([{ type: 'del', key }], options);
  level._batch = (operations, options) => write(operations, options);
  level._chainedBatch = () => {
    throw new Error('chained batches would bypass the store ledger');
  };
  if (start.baseline) await write([], {});
}

function bytesOf(data: string | Uint8Array): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
