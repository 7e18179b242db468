/**
 * Dependencies of the embedded mode (`npm start`): the DynamoDB key store on an in-process dynalite
 * (LevelDB in `<dataDir>/dynamodb`, or in memory), the root key in `<dataDir>/root-key`, timers
 * in this process wired to onTimerDue and re-armed from the store at start, service events on stdout.
 * The local server never imports lambda/runtime/aws.ts, and this file never reads the environment.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AuditEventSink } from '../adapters/audit/audit-event-sink';
import { FileAuditTrail } from '../adapters/audit/file-audit-trail';
import { MemoryAuditTrail } from '../adapters/audit/memory-audit-trail';
import { ensureKeyTable } from '../adapters/dynamodb/ensure-table';
import { aliasToItem, itemToAlias, itemToKey, keyToItem } from '../adapters/dynamodb/item-codec';
import { DynamoKeyStore } from '../adapters/dynamodb/key-store';
import { EMBEDDED_KEY_TABLE_NAME } from '../adapters/dynamodb/table-schema';
import { CachedKeyStore, type RecordCodec } from '../adapters/embedded/cached-key-store';
import { ControlledClock } from '../adapters/embedded/clock';
import { type RunningDynalite, startDynalite } from '../adapters/embedded/dynalite';
import { JsonLineEventSink } from '../adapters/embedded/event-log';
import { InProcessTimers, type TimerLog } from '../adapters/embedded/in-process-timers';
import { LocalRootKey } from '../adapters/embedded/local-root-key';
import { SerialKeyWrites } from '../adapters/embedded/serial-key-writes';
import { MaterialCache } from '../core/crypto/material-cache';
import { retryingKeyWrites } from '../core/key-writes';
import type { AuditTrail, Deps, EventSink } from '../core/ports';
import { onTimerDue } from '../core/timers/on-timer-due';
import { pooledRandomBytes } from './random';

export const DEFAULT_DATA_DIR = '.kms-data';
/** Where the key database lives in a data directory (its ledger is `dynamodb.ledger` beside it). */
export const KEY_DATABASE_DIR = 'dynamodb';

export interface EmbeddedOptions {
  /** Where keys (`dynamodb/`) and the root key (`root-key`) live; created with mode 0700. @default '.kms-data' */
  readonly dataDir?: string;
  /** Keep nothing on disk: dynalite in memory, a random root key; `dataDir` is ignored. @default false */
  readonly inMemory?: boolean;
  /** With `inMemory`: how many audit entries are kept, the newest (D96). @default MEMORY_AUDIT_LIMIT, 10,000 */
  readonly auditLimit?: number;
  /** Let `clock.advance` / `advanceClock` move the service clock forward. @default false */
  readonly clockControl?: boolean;
  /** Where service events go besides the audit trail. @default one JSON line per event on stdout */
  readonly events?: EventSink;
  /** Where timer failures are logged. @default one JSON line per failure on stderr */
  readonly log?: TimerLog;
  /** Start on a damaged key database: repair it and keep what is left (D33). @default false */
  readonly acceptStoreDamage?: boolean;
  /** Where a notice about accepted damage goes. @default stderr */
  readonly warn?: (message: string) => void;
}

export interface EmbeddedRuntime {
  readonly deps: Deps;
  /** The service clock (`deps.clock`): real time, plus whatever `advance` added (clock control only). */
  readonly clock: ControlledClock;
  readonly timers: InProcessTimers;
  /** The client of the in-process dynalite, and the table holding keys, aliases (and credentials). */
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** The audit trail: `<dataDir>/audit/` (in memory with `inMemory`). */
  readonly audit: AuditTrail;
  /** Moves the clock forward, runs every timer that became due, and returns the new now. Throws if clock control is off. */
  advanceClock(seconds: number): Promise<Date>;
  /** Stops the timers (waiting for running ones) and dynalite (closing LevelDB). Idempotent. */
  close(): Promise<void>;
}

/** Records as DynamoKeyStore reads them back: the cache serves exactly what a store read would. */
export const STORED_RECORDS: RecordCodec = {
  key: (key, revision) => itemToKey(keyToItem(key, revision)),
  alias: (alias) => itemToAlias(aliasToItem(alias)),
};

export async function embeddedDeps(options: EmbeddedOptions = {}): Promise<EmbeddedRuntime> {
  const inMemory = options.inMemory ?? false;
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const { rootKey, dynalite } = inMemory
    ? { rootKey: LocalRootKey.inMemory(), dynalite: await startDynalite() }
    : await openDataDir(dataDir, options);
  try {
    await ensureKeyTable(dynalite.client, EMBEDDED_KEY_TABLE_NAME);
  } catch (err) {
    await dynalite.close();
    throw err;
  }

  const clock = new ControlledClock(options.clockControl ?? false);
  const audit: AuditTrail = inMemory ? new MemoryAuditTrail(options.auditLimit) : new FileAuditTrail(dataDir, { now: () => clock.now() });
  // The only writer of its store: key and alias records are served from memory, written through (D92).
  const keys = new CachedKeyStore(new DynamoKeyStore(dynalite.client, EMBEDDED_KEY_TABLE_NAME, { purge: () => dynalite.purge() }), STORED_RECORDS);
  const timers = new InProcessTimers(clock, (timer) => onTimerDue(deps, timer), options.log ? { log: options.log } : {});
  const random = pooledRandomBytes();
  const deps: Deps = {
    keys,
    timers,
    rootKey,
    clock,
    random,
    events: new AuditEventSink(audit, [options.events ?? new JsonLineEventSink()]),
    materialCache: new MaterialCache(),
    // The only writer of its store: one change of a key at a time, so no caller ever sees a conflict.
    keyWrites: new SerialKeyWrites(retryingKeyWrites({ sleep: (ms) => sleep(ms), random })),
  };

  // Timers died with the last process: re-arm them from the store, and run the overdue ones now.
  await timers.rearm(keys);
  await timers.runDue();

  let closing: Promise<void> | undefined;
  return {
    deps,
    clock,
    timers,
    dynamodb: dynalite.client,
    tableName: EMBEDDED_KEY_TABLE_NAME,
    audit,
    async advanceClock(seconds) {
      clock.advance(seconds);
      await timers.runDue();
      return clock.now();
    },
    close: () =>
      (closing ??= (async () => {
        await timers.close();
        await dynalite.close();
      })()),
  };
}

/**
 * The root key and the key database of a data directory (created 0700 if missing). The root key
 * first: a refused key file stops the start before the database is touched; and a missing one is
 * created only while there is no database whose material it would have wrapped (D34).
 */
export async function openDataDir(
  dataDir: string,
  options: Pick<EmbeddedOptions, 'acceptStoreDamage' | 'warn'> = {},
): Promise<{ rootKey: LocalRootKey; dynalite: RunningDynalite }> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const databasePath = join(dataDir, KEY_DATABASE_DIR);
  // CURRENT names LevelDB's manifest: it exists once the database was ever opened.
  const existing = existsSync(join(databasePath, 'CURRENT')) ? `the key database ${databasePath}` : undefined;
  const rootKey = await LocalRootKey.fromDataDir(dataDir, existing === undefined ? {} : { existing });
  const dynalite = await startDynalite({
    path: databasePath,
    ...(options.acceptStoreDamage !== undefined && { acceptDamage: options.acceptStoreDamage }),
    ...(options.warn && { warn: options.warn }),
  });
  return { rootKey, dynalite };
}
