/**
 * `import { startKms } from 'byok-kms'`: the embedded service for a test suite, in the caller's
 * process (issue 11 §4). In memory and on a free port unless told otherwise, open mode, with the
 * service clock under the caller's control:
 *
 *   const kms = await startKms();
 *   const client = new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials: kms.credentials });
 *   await kms.advanceClock(8 * 86_400);   // a week and a day later: due deletions and expiries have run
 *   await kms.close();
 *
 * Its declarations are emitted from this file alone (scripts/build-server.mjs), so everything public
 * is declared here with explicit types.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuthenticator } from '../adapters/kms-json/authenticator';
import { makeKmsApiHandler } from '../handlers/kms-api';
import { embeddedDeps } from '../runtime/embedded';
import { serveLocally } from './server';

export interface StartKmsOptions {
  /** Port on 127.0.0.1 (or `host`). @default 0, a free port */
  readonly port?: number;
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Keep keys in this directory (created if missing) instead of in memory. @default in memory */
  readonly dataDir?: string;
  /** The Region of `credentials` and of the keys created with them. @default 'us-east-1' */
  readonly region?: string;
  /** The 12-digit account of `credentials` (open mode: the access key id is the account). @default '111122223333' */
  readonly account?: string;
  /**
   * How many audit-trail entries (read with CloudTrail's LookupEvents on `endpoint`) an in-memory
   * service keeps: the newest, the older ones are dropped (D96). Ignored with `dataDir`. @default 10000
   */
  readonly auditLimit?: number;
  /** Called with each service event (DeleteKey, DeleteExpiredKeyMaterial, RotateKey) as one JSON line. @default nothing */
  readonly onServiceEvent?: (line: string) => void;
}

export interface KmsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RunningKms {
  /** e.g. `http://127.0.0.1:38211`: the `endpoint` of an SDK client, the `--endpoint-url` of the CLI. */
  readonly endpoint: string;
  readonly region: string;
  /** Any credentials work in open mode; these put your keys in `account`. */
  readonly credentials: KmsCredentials;
  /**
   * Moves the service clock forward and resolves, with the new service time, once every timer that
   * became due has run (material expiry, key deletion). The clock never moves back.
   */
  advanceClock(seconds: number): Promise<Date>;
  /** Stops the server (open requests finish) and discards an in-memory store. Idempotent. */
  close(): Promise<void>;
}

/** Where the prebuilt console is, beside this module's folder (dist/ in the package, lambda/local/../.. here). */
function consoleDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [resolve(here, '..', 'console', 'dist'), resolve(here, '..', '..', 'console', 'dist')].find((dir) => existsSync(resolve(dir, 'index.html')));
}

/**
 * The pinned AWS SDK inside this service supports Node 20; its notice that later releases will need
 * Node 22 concerns upgrades, not the caller's tests. It is read once, when this service's own client
 * is made, so the caller's environment is restored at once (and the caller's own SDK decides for itself).
 */
async function withoutSdkNodeNotice<T>(make: () => Promise<T>): Promise<T> {
  const name = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
  const before = process.env[name];
  process.env[name] = 'true';
  try {
    return await make();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

export async function startKms(options: StartKmsOptions = {}): Promise<RunningKms> {
  const account = options.account ?? '111122223333';
  if (!/^\d{12}$/.test(account)) throw new RangeError(`account must be 12 digits, got '${account}'`);
  const region = options.region ?? 'us-east-1';
  const onServiceEvent = options.onServiceEvent;
  const embedded = await withoutSdkNodeNotice(() =>
    embeddedDeps({
      ...(options.dataDir === undefined ? { inMemory: true, ...(options.auditLimit !== undefined && { auditLimit: options.auditLimit }) } : { dataDir: options.dataDir }),
      clockControl: true,
      events: { record: ({ eventName, eventTime, ...fields }) => onServiceEvent?.(JSON.stringify({ event: eventName, ...fields, time: eventTime.toISOString() })) },
    }),
  );
  try {
    const handler = makeKmsApiHandler(embedded.deps, {
      authenticate: openAuthenticator,
      audit: embedded.audit,
      logger: { error: (message, attributes) => void process.stderr.write(`${JSON.stringify({ level: 'ERROR', message, ...attributes })}\n`) },
    });
    const console = consoleDir();
    const running = await serveLocally(handler, {
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      sandbox: { clock: embedded.clock, runDue: () => embedded.timers.runDue() },
      staticRoutes: console ? [{ prefix: '/console', dir: console }] : [],
    });
    let closing: Promise<void> | undefined;
    return {
      endpoint: running.endpoint,
      region,
      credentials: { accessKeyId: account, secretAccessKey: 'byok-kms-open-mode' },
      advanceClock: (seconds) => embedded.advanceClock(seconds),
      close: () =>
        (closing ??= (async () => {
          await running.close();
          await embedded.close();
        })()),
    };
  } catch (err) {
    await embedded.close();
    throw err;
  }
}
