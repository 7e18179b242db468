/**
 * `npm start`: the whole service in one process (design decision 7). Storage is the DynamoDB
 * adapter on in-process dynalite (on disk in --data-dir, or in memory), timers run in-process, the
 * root key is a file in the data directory. See `npm start -- --help`.
 */
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreDamagedError } from '../lambda/adapters/embedded/dynalite';
import { type Authenticator, openAuthenticator } from '../lambda/adapters/kms-json/authenticator';
import { createSigV4Authenticator } from '../lambda/adapters/sigv4';
import { makeKmsApiHandler } from '../lambda/handlers/kms-api';
import { type LocalConfig, parseLocalConfig, USAGE, UsageError } from '../lambda/local/config';
import { createRequestLog } from '../lambda/local/request-log';
import { DEFAULT_CLOSE_GRACE_MS, type RunningServer, type Sandbox, serveLocally, type StaticRoute } from '../lambda/local/server';
import { embeddedDeps } from '../lambda/runtime/embedded';

// The server pins AWS SDK releases that support Node 20; the SDK's notice that later releases will
// need Node 22 is about upgrades, not about this process, so it is not shown at every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the console's production build lands (console/ is built with Vite). */
const CONSOLE_DIST = resolve(ROOT, 'console', 'dist');

const logLine = (level: string, message: string, attributes: Record<string, unknown> = {}) =>
  void process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), message, ...attributes })}\n`);

async function main(): Promise<void> {
  let config: LocalConfig;
  try {
    config = parseLocalConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`byok-kms: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const embedded = await embeddedDeps({
    dataDir: config.dataDir,
    inMemory: config.inMemory,
    clockControl: config.clockControl,
    acceptStoreDamage: config.acceptStoreDamage,
  });
  const requestLog = config.requestLog ? createRequestLog((text) => void process.stdout.write(text)) : undefined;
  process.on('exit', () => requestLog?.flush());
  let running: RunningServer | undefined;

  // D27: a signal sent to this process stops it gracefully; a second one exits at once. A stop
  // request from bin/start.mjs (npm start), which passes on npm's copy of the same Ctrl-C, only
  // stops gracefully: it never counts as the second signal.
  let stopping = false;
  let signalsSeen = 0;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`byok-kms: ${why}: finishing open requests, then stopping (Ctrl-C again exits at once)\n`);
    const force = setTimeout(() => {
      process.stderr.write('byok-kms: could not stop in time, exiting\n');
      process.exit(1);
    }, DEFAULT_CLOSE_GRACE_MS + 10_000);
    force.unref();
    let code = 0;
    try {
      const { cut } = (await running?.close()) ?? { cut: 0 };
      if (cut > 0) {
        process.stderr.write(`byok-kms: ${cut} request(s) had no answer after ${DEFAULT_CLOSE_GRACE_MS / 1000} s; their connections were cut\n`);
        code = 1;
      }
      await embedded.close();
    } catch (err) {
      process.stderr.write(`byok-kms: stopping failed: ${err instanceof Error ? err.message : String(err)}\n`);
      code = 1;
    }
    process.stderr.write('byok-kms: stopped\n');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      signalsSeen += 1;
      if (signalsSeen === 1) return void stop(signal);
      process.stderr.write(`byok-kms: ${signal} again, exiting now\n`);
      process.exit(128 + (osConstants.signals[signal] ?? 0));
    });
  }
  if (process.send !== undefined) {
    process.on('message', (message: unknown) => {
      const asked = (message as { stop?: unknown } | null)?.stop;
      if (typeof asked === 'string') void stop(asked.replace(/[^A-Z]/g, ''));
    });
    // The launcher is gone (killed, or its terminal closed): nothing would stop this process any more.
    process.on('disconnect', () => void stop('npm start has gone'));
    // Gone already while this process was starting: its 'disconnect' was emitted before anyone listened.
    if (!process.connected) void stop('npm start has gone');
  }

  const authenticate: Authenticator =
    config.auth === 'open'
      ? openAuthenticator
      : createSigV4Authenticator({ client: embedded.dynamodb, tableName: embedded.tableName, rootKey: embedded.deps.rootKey });
  const handler = makeKmsApiHandler(embedded.deps, {
    authenticate,
    audit: embedded.audit,
    logger: { error: (message, attributes) => logLine('ERROR', message, attributes) },
  });
  const sandbox: Sandbox | undefined = config.clockControl
    ? { clock: embedded.clock, runDue: () => embedded.timers.runDue() }
    : undefined;
  const staticRoutes: StaticRoute[] = existsSync(CONSOLE_DIST) ? [{ prefix: '/console', dir: CONSOLE_DIST }] : [];

  try {
    running = await serveLocally(handler, {
      port: config.port,
      host: config.host,
      allowedHosts: config.allowedHosts,
      authenticate,
      sandbox,
      staticRoutes,
      ...(requestLog && { onRequest: (record) => requestLog.record(record) }),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${config.port} is already in use (try --port 0 or KMS_PORT)` : (err as Error).message;
    process.stderr.write(`byok-kms: cannot listen on ${config.host}:${config.port}: ${why}\n`);
    await embedded.close();
    process.exit(1);
  }
  process.stdout.write(banner(config, running.endpoint, staticRoutes.length > 0));
  if (config.auth === 'open' && !isLoopback(config.host)) {
    process.stderr.write(
      `byok-kms: WARNING: open mode on ${config.host}: anyone who can reach port ${running.port} of this machine can use, ` +
        'disable and delete every key, without credentials. Bind 127.0.0.1 (the default), or start with --auth enforce.\n',
    );
  }
}

function banner(config: LocalConfig, endpoint: string, console: boolean): string {
  const lines = [
    `byok-kms listening on ${endpoint}`, // machine-parsable: test/support/local-server.ts reads it
    `  storage:       ${config.inMemory ? 'in memory (nothing is kept after exit)' : resolve(config.dataDir)}`,
    `  auth:          ${config.auth === 'open' ? 'open (any credentials; a 12-digit access key id is the account, else 000000000000)' : 'enforce (SigV4 with issued credentials)'}`,
    `  clock control: ${config.clockControl ? `on (GET/POST ${endpoint}/__sandbox/clock)` : 'off'}`,
    ...(console ? [`  console:       ${endpoint}/console/`] : []),
    `  request log:   ${config.requestLog ? 'one line per API call (--no-request-log turns it off)' : 'off'}`,
    '',
    ...(config.auth === 'open' ? openModeExample(endpoint) : enforceModeExample(config, endpoint)),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function openModeExample(endpoint: string): string[] {
  return [
    'Try it (any credentials work in open mode):',
    '  export AWS_ACCESS_KEY_ID=111122223333 AWS_SECRET_ACCESS_KEY=local',
    `  aws kms create-key --origin EXTERNAL --endpoint-url ${endpoint} --region us-east-1`,
  ];
}

function enforceModeExample(config: LocalConfig, endpoint: string): string[] {
  if (config.inMemory) {
    return [
      'Every request must be signed with a credential this service issued, and none can be issued for an',
      'in-memory store: all calls will be refused. Start with --data-dir <dir> to issue credentials.',
    ];
  }
  return [
    'Try it (enforce mode: only credentials this service issued work):',
    '  # with the server stopped (the data directory admits one process), issue a credential:',
    `  npm run -s credentials -- create --account 111122223333 --data-dir ${shellWord(resolve(config.dataDir))}`,
    '  # then, with the server running again:',
    '  export AWS_ACCESS_KEY_ID=<AccessKeyId> AWS_SECRET_ACCESS_KEY=<SecretAccessKey>',
    `  aws kms create-key --origin EXTERNAL --endpoint-url ${endpoint} --region us-east-1`,
  ];
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === '[::1]' || host.toLowerCase() === 'localhost';
}

/** A path as one shell word. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

// A refusal (damaged store, missing root key, directory in use...) says what is wrong and what to do
// in its message; a stack trace would only bury that.
main().catch((err: unknown) => {
  const hint = err instanceof StoreDamagedError ? '; or start once with --accept-store-damage to repair it and keep what is left (what was lost stays lost)' : '';
  process.stderr.write(`byok-kms: failed to start: ${err instanceof Error ? err.message : String(err)}${hint}\n`);
  process.exit(1);
});
