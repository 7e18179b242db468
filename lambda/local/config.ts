/**
 * Configuration of `npm start` (design decision 7): command-line flags, then KMS_* environment
 * variables, then defaults. Flags win over the environment.
 */
import { parseArgs } from 'node:util';
import { parseHost } from './host-check';

export type AuthMode = 'open' | 'enforce';

export interface LocalConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly inMemory: boolean;
  readonly clockControl: boolean;
  readonly auth: AuthMode;
  /** Start on a damaged key database: repair it and keep what is left (D33). */
  readonly acceptStoreDamage: boolean;
  /** Host names accepted besides the bound address and the loopback names (D21). */
  readonly allowedHosts: readonly string[];
  /** One line per API call on stdout (D28). */
  readonly requestLog: boolean;
  readonly help: boolean;
}

export const DEFAULTS = { port: 4599, host: '127.0.0.1', dataDir: '.kms-data', auth: 'open' } as const;

/** The options --help lists: flag, meaning, and the environment variable with its default. */
const OPTIONS: readonly (readonly [flag: string, meaning: string, env: string])[] = [
  ['--port <n>', 'port; 0 picks a free one', 'KMS_PORT=4599'],
  ['--host <address>', 'address to bind', 'KMS_HOST=127.0.0.1'],
  ['--allow-host <name>', 'also answer for this Host (repeatable)', 'KMS_ALLOWED_HOSTS=a,b'],
  ['--data-dir <path>', 'keys, aliases and the root key', 'KMS_DATA_DIR=.kms-data'],
  ['--in-memory', 'keep nothing on disk', 'KMS_IN_MEMORY=1'],
  ['--clock-control', 'enable /__sandbox/clock (move time)', 'KMS_CLOCK_CONTROL=1'],
  ['--auth open|enforce', 'open: any credentials; enforce: SigV4', 'KMS_AUTH=open'],
  ['--no-request-log', 'no line per API call', 'KMS_REQUEST_LOG=0'],
  ['--accept-store-damage', 'start on a damaged key database: repair it', 'KMS_ACCEPT_STORE_DAMAGE=1'],
  ['-h, --help', 'print this help', ''],
];

/** Rows as aligned columns, indented by two spaces. */
function columns(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd()).join('\n');
}

export const USAGE = `Usage: npm start -- [options]     (or: npx tsx bin/local.ts [options])

Serves the KMS API (AWS JSON 1.1) on one local port, with storage on disk.

Options (on the right: environment variable=default; a flag wins):
${columns(OPTIONS)}

Endpoints: POST / (KMS API), GET /health, /__sandbox/clock, GET /console/.
Ctrl-C or SIGTERM stops gracefully: open requests finish. Ctrl-C again exits at once.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Throws UsageError with a message fit for the terminal. */
export function parseLocalConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LocalConfig {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'in-memory': { type: 'boolean' },
        'clock-control': { type: 'boolean' },
        auth: { type: 'string' },
        'accept-store-damage': { type: 'boolean' },
        'allow-host': { type: 'string', multiple: true },
        'no-request-log': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const flag = (name: string) => values[name] as string | undefined;

  const portText = flag('port') ?? nonEmpty(env.KMS_PORT) ?? String(DEFAULTS.port);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`port must be a whole number from 0 to 65535, not '${portText}'`);

  const host = flag('host') ?? nonEmpty(env.KMS_HOST) ?? DEFAULTS.host;
  if (host.trim() === '') throw new UsageError('host must not be empty');

  const dataDir = flag('data-dir') ?? nonEmpty(env.KMS_DATA_DIR) ?? DEFAULTS.dataDir;
  if (dataDir.trim() === '') throw new UsageError('data dir must not be empty');

  const auth = flag('auth') ?? nonEmpty(env.KMS_AUTH) ?? DEFAULTS.auth;
  if (auth !== 'open' && auth !== 'enforce') throw new UsageError(`auth must be 'open' or 'enforce', not '${auth}'`);

  const allowed = (values['allow-host'] as string[] | undefined) ?? (nonEmpty(env.KMS_ALLOWED_HOSTS)?.split(',') ?? []);
  const allowedHosts = allowed.map((name) => name.trim()).filter((name) => name !== '');
  const badHost = allowedHosts.find((name) => parseHost(name) === undefined);
  if (badHost !== undefined) throw new UsageError(`allowed host must be a name or name:port (IPv6 in brackets), not '${badHost}'`);

  return {
    port,
    host,
    dataDir,
    inMemory: values['in-memory'] === true || truthy(env.KMS_IN_MEMORY),
    clockControl: values['clock-control'] === true || truthy(env.KMS_CLOCK_CONTROL),
    auth,
    acceptStoreDamage: values['accept-store-damage'] === true || truthy(env.KMS_ACCEPT_STORE_DAMAGE),
    allowedHosts,
    requestLog: values['no-request-log'] !== true && !falsy(env.KMS_REQUEST_LOG),
    help: values.help === true,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function falsy(value: string | undefined): boolean {
  return value !== undefined && ['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}
