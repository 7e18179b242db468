/**
 * Real DynamoDB engines for the contract suites: in-process dynalite, and a moto server started as
 * a child process on a free loopback port (killed by PID when the suite ends).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, createServer } from 'node:net';
import { type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensureKeyTable } from '../../../lambda/adapters/dynamodb/ensure-table';
import { DynamoKeyStore } from '../../../lambda/adapters/dynamodb/key-store';
import { dynamoClient } from '../../../lambda/adapters/embedded/dynalite';

/**
 * dynalite as its authors run it, listening on a free loopback port, and the SDK's own client to it
 * over HTTP: the reference the in-process transport is compared with (D146). Only tests make a
 * dynalite listen; the service never does (D30). `stop` destroys the client and closes the server.
 */
export async function startLoopbackDynalite(): Promise<{ readonly client: DynamoDBClient; stop(): Promise<void> }> {
  const server = (createRequire(import.meta.url)('dynalite') as (options: object) => Server)({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = dynamoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    client,
    stop: async () => {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const MOTO_INSTALL_HINT = "moto_server is not installed; these tests need it: pip install 'moto[server]'";

/** A key store on a fresh table of its own, so every test starts empty. */
export async function dynamoStoreOn(client: DynamoDBClient, tableName = `keys-${randomUUID()}`): Promise<DynamoKeyStore> {
  await ensureKeyTable(client, tableName);
  return new DynamoKeyStore(client, tableName);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MotoServer {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * moto_server's own start-up, serving one request at a time. moto's DynamoDB checks a condition and
 * then writes without a lock, so under its default threaded server two conditional writes racing on
 * one item can both succeed; DynamoDB never lets that happen, and tests of concurrent writers must
 * see DynamoDB's guarantee, not moto's race.
 */
const SERIAL_MOTO = [
  'import sys',
  'from werkzeug.serving import run_simple',
  'from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app',
  'run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app), threaded=False)',
].join('\n');

/**
 * Starts `moto_server -H 127.0.0.1 -p <free port>` (or, with `oneRequestAtATime`, the same server
 * unthreaded) and waits until it answers DynamoDB calls.
 */
export async function startMotoServer(options: { oneRequestAtATime?: boolean } = {}): Promise<MotoServer> {
  const port = await freePort();
  const [command, args]: [string, string[]] = options.oneRequestAtATime
    ? ['python3', ['-c', SERIAL_MOTO, '127.0.0.1', String(port)]]
    : ['moto_server', ['-H', '127.0.0.1', '-p', String(port)]];
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MOTO_PORT: String(port) } });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(MOTO_INSTALL_HINT) : err));
    child.once('exit', (code) => reject(new Error(`moto_server exited with code ${code} before it was ready: ${stderr}`)));
  });
  spawnError.catch(() => undefined); // observed below; avoid an unhandled rejection after readiness
  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoClient(endpoint);
  try {
    await Promise.race([waitUntilReady(client), spawnError]);
  } catch (err) {
    client.destroy();
    await kill(child);
    throw err;
  }
  return {
    endpoint,
    client,
    pid: child.pid!,
    stop: async () => {
      client.destroy();
      await kill(child);
    },
  };
}

async function waitUntilReady(client: DynamoDBClient): Promise<void> {
  const deadline = Date.now() + 240_000; // a hang detector (D120): moto starts in seconds, slower on a loaded machine
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error('moto_server did not become ready within 240 s', { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Kills the child by its PID and waits for it to exit. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timeout = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timeout);
}
