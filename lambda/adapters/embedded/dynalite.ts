/**
 * An in-process dynalite (DynamoDB API on LevelDB) for the embedded mode: the same DynamoKeyStore
 * runs on it as on DynamoDB (design decision 1). Listens on 127.0.0.1, on an ephemeral port.
 *
 * Durability: dynalite answers a write only after LevelDB has appended it to its write-ahead log
 * and handed it to the operating system (LevelDB flushes the log on every write; `sync: false`
 * only skips the fsync). So an acknowledged write survives the process being killed, SIGKILL
 * included (test/contract/embedded-durability.test.ts); it may not survive a power loss or OS crash.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { Level } from 'level';
import { InProcessHttpHandler, type RequestListener } from './in-process-transport';

export interface DynaliteOptions {
  /** LevelDB directory (created 0700 if missing); in memory when absent. */
  readonly path?: string;
  /**
   * How `client` reaches dynalite: 'in-process' hands requests to its listener directly (no socket;
   * see in-process-transport.ts), 'http' goes over loopback like any other client.
   * @default 'in-process'
   */
  readonly transport?: 'in-process' | 'http';
}

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A client for this dynalite (over `transport`): static dummy credentials, region us-east-1. */
  readonly client: DynamoDBClient;
  /** Destroys the client and stops the server, closing LevelDB (flushes and releases its lock). */
  close(): Promise<void>;
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<RunningDynalite> {
  if (options.path !== undefined) await checkOpenable(options.path);
  // Tables become ACTIVE at once: nothing here waits on provisioning.
  const server = dynalite({ ...(options.path !== undefined && { path: options.path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const listener = server.listeners('request')[0] as RequestListener;
  const client = dynamoClient(endpoint, options.transport === 'http' ? undefined : new InProcessHttpHandler(listener));
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    client,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        client.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      })),
  };
}

/** A DynamoDB client for a local endpoint (dynalite, moto): dummy static credentials, no config files read. */
export function dynamoClient(endpoint: string, requestHandler?: InProcessHttpHandler): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    maxAttempts: 3,
    ...(requestHandler && { requestHandler }),
  });
}

/**
 * dynalite opens LevelDB lazily and, when that fails (directory locked by another process,
 * unwritable), throws from inside its request handler, which would crash this process. So open
 * the directory once ourselves first, and fail here with a message that says what is wrong.
 */
async function checkOpenable(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const db = new Level(path);
  try {
    await db.open();
  } catch (err) {
    const code = (err as { cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
    if (code === 'LEVEL_LOCKED') {
      throw new Error(`the key database in ${path} is in use by another process (or another instance in this one)`, { cause: err });
    }
    throw new Error(`the key database in ${path} cannot be opened`, { cause: err });
  } finally {
    await db.close();
  }
}
