/**
 * Black-box harness: runs the real `bin/local.ts` (built, dist/local.mjs, as `npm start` runs it) as a
 * child process on a free loopback port and hands out clients for it. Nothing is imported from the
 * service; tests see only HTTP.
 *
 *   const server = await startLocalServer({ clockControl: true });
 *   const kms = server.kms();                       // @aws-sdk/client-kms, us-east-1, dummy credentials
 *   await server.advanceClock(7 * 86_400);          // moves the service clock, runs due timers
 *   await server.stop();                            // SIGTERM, then SIGKILL after a grace period
 *
 * A child that does not come up is killed by PID and its output is put into the error. Children
 * still alive when the test process exits are killed too.
 *
 * The child's stdout and stderr are files, not pipes: Node writes to a file synchronously, so whatever
 * the server wrote before it answered a request (a service event logged by a timer that
 * `advanceClock` ran) is in `output()` as soon as the answer arrives. Through a pipe the answer could
 * overtake the line, and a check for "logged" or "nothing logged" would depend on luck.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sha256 } from '@aws-crypto/sha256-js';
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BANNER = /byok-kms listening on (http:\/\/[^\s]+)/;
/** Hang detectors (D120), below vitest's hook and test timeouts so that the error says what hung. */
const START_TIMEOUT_MS = 240_000;
const STOP_GRACE_MS = 60_000;

export const DUMMY_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

export interface LocalServerOptions {
  readonly clockControl?: boolean;
  /** Keep nothing on disk. */
  readonly inMemory?: boolean;
  /** Reuse a data directory (e.g. to restart on the same state); otherwise a fresh temporary one. */
  readonly dataDir?: string;
  readonly auth?: 'open' | 'enforce';
  /** Extra environment for the child (KMS_* variables are removed from the inherited environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra command-line arguments. */
  readonly args?: readonly string[];
}

export interface KmsClientOptions {
  /** @default us-east-1 */
  readonly region?: string;
  /** @default AKIAIOSFODNN7EXAMPLE (account 000000000000 in open mode); a 12-digit id is the account. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** Anything else for the client (e.g. requestHandler). */
  readonly config?: Partial<KMSClientConfig>;
}

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** @default us-east-1 */
  readonly region?: string;
}

export interface LocalServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** The data directory in use (undefined in memory). */
  readonly dataDir: string | undefined;
  /** Everything the child wrote so far (complete up to the last answer received from it). */
  output(): { stdout: string; stderr: string };
  kms(options?: KmsClientOptions): KMSClient;
  /**
   * POST /__sandbox/clock; resolves to the new service time in epoch seconds, after due timers ran.
   * With `--auth enforce` pass issued credentials: the request is then SigV4-signed like an API call.
   */
  advanceClock(seconds: number, signWith?: SigningCredentials): Promise<number>;
  /** GET /__sandbox/clock, in epoch seconds (signed with `signWith`, when given). */
  clockNow(signWith?: SigningCredentials): Promise<number>;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code once the child is gone. */
  stop(): Promise<number | null>;
  /** SIGKILL at once (crash simulation); resolves once the child is gone. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const remote = process.env.KMS_BLACKBOX_ENDPOINT;
  if (remote) return remoteServer(remote, options);
  const ownDataDir = !options.inMemory && options.dataDir === undefined;
  const dataDir = options.inMemory ? undefined : (options.dataDir ?? mkdtempSync(join(tmpdir(), 'byok-kms-data-')));
  const args = [join(ROOT, 'dist', 'local.mjs'), '--port', '0', '--host', '127.0.0.1', '--auth', options.auth ?? 'open'];
  if (options.inMemory) args.push('--in-memory');
  if (dataDir !== undefined) args.push('--data-dir', dataDir);
  if (options.clockControl) args.push('--clock-control');
  args.push(...(options.args ?? []));

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('KMS_')) env[name] = value;
  }
  Object.assign(env, options.env);

  const outputDir = mkdtempSync(join(tmpdir(), 'byok-kms-output-'));
  const files = { stdout: join(outputDir, 'stdout'), stderr: join(outputDir, 'stderr') };
  const fds = { stdout: openSync(files.stdout, 'w'), stderr: openSync(files.stderr, 'w') };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', fds.stdout, fds.stderr] });
  closeSync(fds.stdout);
  closeSync(fds.stderr);
  live.add(child);
  /** What the child wrote; kept in memory once it has exited (its files are then removed). */
  let final: { stdout: string; stderr: string } | undefined;
  const output = () => final ?? { stdout: readFileSync(files.stdout, 'utf8'), stderr: readFileSync(files.stderr, 'utf8') };
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => {
    final = output();
    rmSync(outputDir, { recursive: true, force: true });
    live.delete(child);
    done(code);
  }));

  const cleanupDir = () => {
    if (ownDataDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  let endpoint: string;
  try {
    endpoint = await waitForBanner(() => output().stdout, exited);
    await waitForHealth(endpoint);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    cleanupDir();
    const { stdout, stderr } = output();
    throw new Error(`the local server did not start: ${(err as Error).message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
  }
  const port = Number(new URL(endpoint).port);

  const sandbox = async (init: { method?: string; headers?: Record<string, string>; body?: string }, signWith?: SigningCredentials): Promise<number> => {
    const headers = signWith ? await signedSandboxHeaders(endpoint, init, signWith) : init.headers;
    const res = await fetch(`${endpoint}/__sandbox/clock`, { ...init, headers });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`/__sandbox/clock answered ${res.status}: ${text}`);
    return (JSON.parse(text) as { now: number }).now;
  };

  return {
    endpoint,
    port,
    pid: child.pid as number,
    dataDir,
    output,
    kms: (o = {}) =>
      new KMSClient({
        endpoint,
        region: o.region ?? 'us-east-1',
        credentials: {
          accessKeyId: o.accessKeyId ?? DUMMY_CREDENTIALS.accessKeyId,
          secretAccessKey: o.secretAccessKey ?? DUMMY_CREDENTIALS.secretAccessKey,
          ...(o.sessionToken ? { sessionToken: o.sessionToken } : {}),
        },
        maxAttempts: 1,
        ...o.config,
      }),
    advanceClock: (seconds, signWith) =>
      sandbox({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: seconds }) }, signWith),
    clockNow: (signWith) => sandbox({}, signWith),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        const code = await exited;
        clearTimeout(timer);
        cleanupDir();
        return code;
      }
      cleanupDir();
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
      cleanupDir();
    },
  };
}

/** What signedHeaders() signs: a request to the server at `endpoint`. */
export interface RequestToSign {
  readonly method?: string;
  /** @default / */
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * The headers of a request signed with SigV4 (signing name kms) by the SDK's own signer, as an SDK signs an API
 * call; `unsignable` names headers to leave out of the signature.
 */
export async function signedHeaders(
  endpoint: string,
  request: RequestToSign,
  credentials: SigningCredentials,
  options: { readonly unsignable?: readonly string[] } = {},
): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const region = credentials.region ?? 'us-east-1';
  const signer = new SignatureV4({ service: 'kms', region, credentials, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: request.method ?? 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: request.path ?? '/',
      query: {},
      headers: { host: url.host, ...request.headers },
      ...(request.body !== undefined && { body: request.body }),
    },
    { unsignableHeaders: new Set(options.unsignable ?? []) },
  );
  return signed.headers as Record<string, string>;
}

/** The headers of a /__sandbox/clock request signed like an API call. */
export function signedSandboxHeaders(endpoint: string, request: RequestToSign, credentials: SigningCredentials): Promise<Record<string, string>> {
  return signedHeaders(endpoint, { ...request, path: '/__sandbox/clock' }, credentials);
}

/** Waits for the banner's first line in the child's stdout, or for the child to exit first. */
async function waitForBanner(stdout: () => string, exited: Promise<number | null>): Promise<string> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = BANNER.exec(stdout());
    if (match?.[1]) return match[1];
    if (exitCode !== undefined) throw new Error(`the process exited with code ${exitCode} before listening`);
    if (Date.now() > deadline) throw new Error(`no start-up banner within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForHealth(endpoint: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.status === 200) return;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error('GET /health did not answer 200');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `npm run test:localstack` points the black-box suites at a deployed stack instead: KMS_BLACKBOX_ENDPOINT,
 * with credentials issued by `npm run credentials` (KMS_BLACKBOX_ACCESS_KEY_ID / _SECRET_ACCESS_KEY) and
 * KMS_BLACKBOX_REGION. What only a local process offers (clock control, its output, restarts) fails loudly.
 */
function remoteServer(endpoint: string, options: LocalServerOptions): LocalServer {
  const localOnly = (what: string) => (): never => {
    throw new Error(`${what} needs the local server; KMS_BLACKBOX_ENDPOINT points this run at ${endpoint}`);
  };
  if (options.clockControl || options.dataDir !== undefined || options.auth !== undefined) localOnly('this test')();
  const accessKeyId = process.env.KMS_BLACKBOX_ACCESS_KEY_ID;
  const secretAccessKey = process.env.KMS_BLACKBOX_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('KMS_BLACKBOX_ENDPOINT needs KMS_BLACKBOX_ACCESS_KEY_ID and KMS_BLACKBOX_SECRET_ACCESS_KEY');
  const url = new URL(endpoint);
  return {
    endpoint,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    pid: 0,
    dataDir: undefined,
    output: () => ({ stdout: '', stderr: '' }),
    kms: (o = {}) =>
      new KMSClient({
        endpoint,
        region: process.env.KMS_BLACKBOX_REGION ?? 'us-east-1',
        credentials: { accessKeyId, secretAccessKey },
        maxAttempts: 1,
        ...o.config,
      }),
    advanceClock: localOnly('clock control'),
    clockNow: localOnly('clock control'),
    stop: async () => null,
    kill: localOnly('kill'),
  };
}
