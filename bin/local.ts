/**
 * `npm start`: the whole service in one process (design decision 7). Storage is the DynamoDB
 * adapter on in-process dynalite (on disk in --data-dir, or in memory), timers run in-process, the
 * root key is a file in the data directory. See `npm start -- --help`.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreDamagedError } from '../lambda/adapters/embedded/dynalite';
import { type Authenticator, openAuthenticator } from '../lambda/adapters/kms-json/authenticator';
import { createSigV4Authenticator } from '../lambda/adapters/sigv4';
import { makeKmsApiHandler } from '../lambda/handlers/kms-api';
import { type LocalConfig, parseLocalConfig, USAGE, UsageError } from '../lambda/local/config';
import { type RunningServer, type Sandbox, serveLocally, type StaticRoute } from '../lambda/local/server';
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
  let running: RunningServer | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`byok-kms: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`byok-kms: ${signal}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await running?.close();
      await embedded.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

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
    running = await serveLocally(handler, { port: config.port, host: config.host, allowedHosts: config.allowedHosts, authenticate, sandbox, staticRoutes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${config.port} is already in use (try --port 0 or KMS_PORT)` : (err as Error).message;
    process.stderr.write(`byok-kms: cannot listen on ${config.host}:${config.port}: ${why}\n`);
    await embedded.close();
    process.exit(1);
  }
  process.stdout.write(banner(config, running.endpoint, staticRoutes.length > 0));
}

function banner(config: LocalConfig, endpoint: string, console: boolean): string {
  const lines = [
    `byok-kms listening on ${endpoint}`, // machine-parsable: test/support/local-server.ts reads it
    `  storage:       ${config.inMemory ? 'in memory (nothing is kept after exit)' : resolve(config.dataDir)}`,
    `  auth:          ${config.auth === 'open' ? 'open (any credentials; a 12-digit access key id is the account, else 000000000000)' : 'enforce (SigV4 with issued credentials)'}`,
    `  clock control: ${config.clockControl ? `on (GET/POST ${endpoint}/__sandbox/clock)` : 'off'}`,
    ...(console ? [`  console:       ${endpoint}/console/`] : []),
    '',
    'Try it (any credentials work in open mode):',
    '  export AWS_ACCESS_KEY_ID=111122223333 AWS_SECRET_ACCESS_KEY=local',
    `  aws kms create-key --origin EXTERNAL --endpoint-url ${endpoint} --region us-east-1`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

// A refusal (damaged store, missing root key, directory in use...) says what is wrong and what to do
// in its message; a stack trace would only bury that.
main().catch((err: unknown) => {
  const hint = err instanceof StoreDamagedError ? '; or start once with --accept-store-damage to repair it and keep what is left (what was lost stays lost)' : '';
  process.stderr.write(`byok-kms: failed to start: ${err instanceof Error ? err.message : String(err)}${hint}\n`);
  process.exit(1);
});
