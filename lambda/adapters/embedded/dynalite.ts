/**
 * An in-process dynalite (DynamoDB API on LevelDB) for the embedded mode: the same DynamoKeyStore
 * runs on it as on DynamoDB (design decision 1). It opens no socket (design decision 10, D30): its
 * request listener is called in this process (in-process-transport.ts), and nothing else can reach it.
 *
 * Durability: dynalite answers a write only after LevelDB has appended it to its write-ahead log
 * and handed it to the operating system (LevelDB flushes the log on every write; `sync: false`
 * only skips the fsync). So an acknowledged write survives the process being killed, SIGKILL
 * included (test/contract/embedded-durability.test.ts); it may not survive a power loss or OS crash.
 *
 * On disk, the database is read whole and checked against its ledger before anything is served
 * (store-ledger.ts, D31), and `purge()` rewrites it so that overwritten and deleted values are in
 * no file any more (D32).
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynaliteModule from 'dynalite';
import dynaliteDbModule from 'dynalite/db';
import type { Level } from 'level';
import { ExclusiveGate, InProcessDynamoClient, type RequestListener } from './in-process-transport';
import {
  LEDGER_KEY,
  LedgerFile,
  type LedgerPoint,
  StoreDamagedError,
  installLedger,
  ledgerEntryValue,
  readContents,
  reconcile,
} from './store-ledger';

export { StoreDamagedError } from './store-ledger';

export interface DynaliteOptions {
  /** LevelDB directory (created 0700 if missing); in memory when absent. Its ledger is the file `<path>.ledger`. */
  readonly path?: string;
  /**
   * Start even when the database is damaged (D33): repair it with LevelDB's repairer, keep what it
   * holds now as the new baseline, and tell `warn` what happened. Lost writes stay lost.
   * @default false
   */
  readonly acceptDamage?: boolean;
  /** Where a notice about accepted damage goes. @default stderr */
  readonly warn?: (message: string) => void;
}

export interface RunningDynalite {
  /**
   * A client for this dynalite, in process (D146). Only `send` (of the commands the embedded service
   * sends: in-process-transport.ts) and `destroy` are there: the stores call nothing else.
   */
  readonly client: DynamoDBClient;
  /**
   * Rewrites the database so that no file of it holds a value that was overwritten or deleted
   * before this call (see rewriteEverything). Waits for the requests in flight and holds new ones
   * meanwhile, and closes the iterators dynalite leaked, since an open one would keep old values.
   * Calls that arrive while one is waiting share it. Nothing to do in memory.
   */
  purge(): Promise<void>;
  /** Destroys the client and closes LevelDB (waits for pending operations, releases its lock). Idempotent. */
  close(): Promise<void>;
}

/** The dynalite internals this adapter reaches: its store, to hold the LevelDB handle. */
interface DynaliteStore {
  readonly db: Level<string, unknown> & {
    /** classic-level's; `level`'s types do not declare it. */
    compactRange(start: Buffer, end: Buffer, options: { keyEncoding: 'buffer' }): Promise<void>;
    batch(operations: { type: 'put'; key: Buffer; value: Buffer; keyEncoding: 'buffer'; valueEncoding: 'buffer' }[]): Promise<void>;
  };
}

// Default imports are dynalite's CommonJS exports objects themselves (the one its own index.js
// requires), so that createDynalite can wrap `db.create`. The server build bundles dynalite's
// JavaScript (D145); LevelDB (native) stays outside and is loaded only for a store on disk.
const dynalite = dynaliteModule as (options: object) => Server;
const dynaliteDb = dynaliteDbModule as { create(options: object): DynaliteStore };

/**
 * `level` (native LevelDB), loaded on first use: an in-memory store never needs it. Required, not
 * imported: the bundle runs as a vm script (D97), which has no dynamic import().
 */
function levelClass(): typeof Level {
  return (createRequire(import.meta.url)('level') as typeof import('level')).Level;
}

/**
 * Every key dynalite writes is UTF-8 text, which never holds the byte 0xFF; the ledger key sorts
 * first (store-ledger.ts) and this one last. [empty, RANGE_END] is the whole database.
 */
const PURGE_SENTINEL = Buffer.from([0xff, 0xff]);
const RANGE_START = Buffer.alloc(0);
const RANGE_END = Buffer.from([0xff, 0xff, 0xff]);

/**
 * LevelDB's CompactRange flushes the memtable, but the table it flushes to can land at the lowest
 * level with files (or at level 2 in a store with none), and a table there is rewritten only when a
 * table above overlaps it: a flushed table keeps every version the memtable had. So: flush once
 * (the data lands somewhere), write a key at each end of the key space (the ledger entry at the low
 * end comes with every write, the sentinel at the high end), then compact again: that flush spans
 * every key, lands above every table, and the compaction cascades through all of them to the bottom
 * level, dropping every overwritten or deleted value; the superseded log and tables are deleted.
 */
async function rewriteEverything(db: DynaliteStore['db']): Promise<void> {
  await db.compactRange(RANGE_START, RANGE_END, { keyEncoding: 'buffer' });
  await db.batch([{ type: 'put', key: PURGE_SENTINEL, value: Buffer.alloc(0), keyEncoding: 'buffer', valueEncoding: 'buffer' }]);
  await db.compactRange(RANGE_START, RANGE_END, { keyEncoding: 'buffer' });
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  const { path } = options;
  const verified = path === undefined ? undefined : await verifyStore(path, options);
  const { server, store } = createDynalite(path);
  answerDatabaseErrors(store.db);
  const closeLeakedIterators = trackIterators(store.db);
  // No request in flight: every iterator still open belongs to a request that has answered.
  const gate = new ExclusiveGate(() => void closeLeakedIterators());
  const client = new InProcessDynamoClient(server.listeners('request')[0] as RequestListener, gate) as unknown as DynamoDBClient;
  let ledger: LedgerFile | undefined;
  if (path !== undefined && verified) {
    try {
      await openOrExplain(store.db, path);
      await assertUnchangedSince(store.db, path, verified.point);
      ledger = LedgerFile.open(ledgerPath(path));
      await installLedger(store.db, verified, ledger);
    } catch (err) {
      ledger?.close();
      await store.db.close();
      throw err;
    }
  }

  let purging: Promise<void> | undefined;
  let purges: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;
  return {
    client,
    purge: () => {
      if (path === undefined) return Promise.resolve();
      // One that has not started yet covers this caller too; one that has started may predate its write.
      purging ??= purges.then(() => {
        purging = undefined;
        return gate.runExclusive(async () => {
          await closeLeakedIterators();
          await rewriteEverything(store.db);
        });
      });
      purges = purging.catch(() => undefined);
      return purging;
    },
    close: () =>
      (closing ??= (async () => {
        client.destroy();
        await purges;
        await store.db.close();
        ledger?.close();
      })()),
  };
}

export function ledgerPath(path: string): string {
  return `${path}.ledger`;
}

/** A DynamoDB client for a local endpoint (moto, or a dynalite that listens): dummy static credentials, no config files read. */
export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    maxAttempts: 3,
  });
}

/** What DynamoDB answers for a failure of its own (HTTP 500); the store's client rejects with it (D138). */
const INTERNAL_SERVER_ERROR = 'com.amazonaws.dynamodb.v20120810#InternalServerError';

/** The LevelDB handle's methods dynalite's actions call, with their callbacks, and the read streams of Query and Scan. */
interface DynaliteDatabase {
  put(...args: unknown[]): unknown;
  get(...args: unknown[]): unknown;
  del(...args: unknown[]): unknown;
  batch(...args: unknown[]): unknown;
  createKeyStream(options?: object): NodeJS.EventEmitter;
  createValueStream(options?: object): NodeJS.EventEmitter;
}

/**
 * dynalite answers an error that carries `statusCode` and `body` (its own validation and condition
 * errors) and throws any other from inside the callback LevelDB's answer runs in: a LevelDB failure (a
 * full disk, files removed or damaged under it, the ledger file unwritable) was an uncaught exception
 * that ended the process. Each such error is given DynamoDB's InternalServerError answer, so the call
 * is answered with a 500, the store's call rejects, and the KMS API answers KMSInternalException
 * (design decision 8) while the process goes on serving (D138). Mutated, not replaced: a stream's
 * 'error' listeners all get the one object, and this listener runs first.
 */
function answerDatabaseErrors(db: object): void {
  const level = db as DynaliteDatabase;
  for (const name of ['put', 'get', 'del', 'batch'] as const) {
    const method = level[name].bind(level);
    level[name] = (...args) => {
      const callback = args.at(-1);
      if (typeof callback !== 'function') return method(...args); // a promise: its caller handles the rejection
      args[args.length - 1] = (err: unknown, ...results: unknown[]) => (callback as (...a: unknown[]) => unknown)(answerable(err), ...results);
      return method(...args);
    };
  }
  for (const name of ['createKeyStream', 'createValueStream'] as const) {
    const make = level[name].bind(level);
    level[name] = (options) => make(options).prependListener('error', answerable);
  }
}

function answerable(err: unknown): unknown {
  if (err instanceof Error && !('statusCode' in err)) {
    Object.assign(err, { statusCode: 500, body: { __type: INTERNAL_SERVER_ERROR, message: `Internal server error: ${err.message}` } });
  }
  return err;
}

interface TrackedIterator {
  next(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * dynalite never closes the LevelDB iterators behind its Query and Scan streams (it ends or destroys
 * the stream; the iterator stays open). An open iterator holds a snapshot, and LevelDB keeps every
 * value a snapshot can see, through every compaction: one leaked iterator would keep every erased
 * material in the files. So iterators are closed when they reach their end, and the returned function
 * closes those still open, for when no request is in flight (none of them is in use then).
 */
function trackIterators(db: object): () => Promise<void> {
  const level = db as { _iterator(options: object): TrackedIterator };
  const open = new Set<TrackedIterator>();
  const make = level._iterator.bind(level);
  level._iterator = (options) => {
    const iterator = make(options);
    const next = iterator.next.bind(iterator);
    const close = iterator.close.bind(iterator);
    iterator.close = () => {
      open.delete(iterator);
      return close();
    };
    iterator.next = async () => {
      const item = await next();
      if (item === undefined) await iterator.close();
      return item;
    };
    open.add(iterator);
    return iterator;
  };
  return async () => {
    await Promise.all([...open].map((iterator) => iterator.close()));
  };
}

/**
 * A dynalite server object that never listens, and the store behind it. dynalite keeps its LevelDB
 * handle private; its `db.create` is called once by `dynalite()`, so it is wrapped for that call.
 */
function createDynalite(path: string | undefined): { server: Server; store: DynaliteStore } {
  const create = dynaliteDb.create;
  let store: DynaliteStore | undefined;
  dynaliteDb.create = (opts) => (store = create(opts));
  try {
    // Tables become ACTIVE at once: nothing here waits on provisioning.
    const server = dynalite({ ...(path !== undefined && { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    if (!store) throw new Error('dynalite did not create its store through db.create');
    return { server, store };
  } finally {
    dynaliteDb.create = create;
  }
}

/**
 * Reads the whole database on a handle of its own, before dynalite opens it (dynalite would serve a
 * partial store, and "repairs" a table entry it cannot decode by deleting it), and checks it against
 * the ledger. With `acceptDamage`, a damaged database is repaired and re-baselined instead.
 */
async function verifyStore(path: string, options: DynaliteOptions): Promise<{ entries: Map<string, Buffer>; point: LedgerPoint; baseline: boolean }> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const file = LedgerFile.exists(ledgerPath(path)) ? LedgerFile.open(ledgerPath(path)) : undefined;
  try {
    const Level = levelClass();
    const db = new Level<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    let damage: StoreDamagedError;
    try {
      await openOrExplain(db, path);
      const contents = await readOrExplain(db, path);
      const point = reconcile(contents, file?.read());
      return { entries: contents.entries, point, baseline: !contents.ledger };
    } catch (err) {
      if (!(err instanceof StoreDamagedError)) throw err;
      damage = err;
    } finally {
      await db.close();
    }
    if (!options.acceptDamage) {
      throw new StoreDamagedError(
        `the key database in ${path} is damaged: ${damage.message}. Nothing was served from it. To recover, restore ` +
          `the data directory (${path}, ${ledgerPath(path)} and the root key, together) from a backup`,
        { cause: damage },
      );
    }
    return await acceptDamage(path, damage, file, options.warn ?? ((m) => void process.stderr.write(`${m}\n`)));
  } finally {
    file?.close();
  }
}

async function acceptDamage(
  path: string,
  damage: StoreDamagedError,
  file: LedgerFile | undefined,
  warn: (message: string) => void,
): Promise<{ entries: Map<string, Buffer>; point: LedgerPoint; baseline: boolean }> {
  const Level = levelClass();
  await (Level as unknown as { repair(location: string): Promise<void> }).repair(path);
  const db = new Level<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  try {
    await openOrExplain(db, path);
    const contents = await readOrExplain(db, path);
    let lastSeq = contents.ledger?.seq ?? 0;
    try {
      lastSeq = Math.max(lastSeq, file?.read()?.seq ?? 0);
    } catch {
      // an unreadable ledger file is replaced below
    }
    const point = { seq: lastSeq + 1, digest: contents.digest };
    await db.put(Buffer.from(LEDGER_KEY, 'utf8'), Buffer.from(ledgerEntryValue(point), 'utf8'));
    const fresh = LedgerFile.open(ledgerPath(path));
    try {
      fresh.write(point);
    } finally {
      fresh.close();
    }
    warn(
      `byok-kms: the key database in ${path} was damaged (${damage.message}); started anyway as asked: ` +
        `it was repaired and its ${contents.entries.size} remaining entries are the new baseline. What was lost stays lost.`,
    );
    return { entries: contents.entries, point, baseline: false };
  } finally {
    await db.close();
  }
}

/** Opens a handle; fails with a message that says what is wrong (locked, damaged, unopenable). */
async function openOrExplain(db: { open(): Promise<void> }, path: string): Promise<void> {
  try {
    await db.open();
  } catch (err) {
    const code = levelCode(err);
    if (code === 'LEVEL_LOCKED') {
      throw new Error(`the key database in ${path} is in use by another process (or another instance in this one)`, { cause: err });
    }
    if (code === 'LEVEL_CORRUPTION') throw new StoreDamagedError(`LevelDB cannot open it: ${levelMessage(err)}`, { cause: err });
    throw new Error(`the key database in ${path} cannot be opened: ${levelMessage(err)}`, { cause: err });
  }
}

async function readOrExplain(db: Parameters<typeof readContents>[0], path: string): ReturnType<typeof readContents> {
  try {
    return await readContents(db);
  } catch (err) {
    if (err instanceof StoreDamagedError) throw err;
    if (levelCode(err) === 'LEVEL_CORRUPTION') throw new StoreDamagedError(`LevelDB cannot read it: ${levelMessage(err)}`, { cause: err });
    throw new Error(`the key database in ${path} cannot be read: ${levelMessage(err)}`, { cause: err });
  }
}

/** Nobody wrote between the check and dynalite's open (the lock was free for a moment). */
async function assertUnchangedSince(db: Level<string, unknown>, path: string, point: LedgerPoint): Promise<void> {
  // getMany: dynalite wraps get() to its callback style, which drops options.
  const [value] = await db.getMany([LEDGER_KEY], { valueEncoding: 'utf8' });
  const expected = point.seq === 0 && value === undefined ? undefined : ledgerEntryValue(point);
  if (value !== expected) throw new Error(`the key database in ${path} changed while it was being checked: is another process using it?`);
}

function levelCode(err: unknown): unknown {
  return (err as { cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
}

function levelMessage(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } }).cause?.message;
  return typeof cause === 'string' ? cause : (err as Error).message;
}
