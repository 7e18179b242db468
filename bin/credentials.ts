#!/usr/bin/env node
/**
 * Issues, lists and revokes the SigV4 credentials this service accepts (design decision 5).
 *
 *   npm run -s credentials -- create --account 111122223333 [target]   → {"AccessKeyId":…,"SecretAccessKey":…,"Account":…,"Principal":…}
 *   npm run -s credentials -- create --principal arn:aws:iam::111122223333:role/app [target]
 *   npm run -s credentials -- create --principal arn:aws:iam::111122223333:role/app --policy file://identity.json [target]
 *   npm run -s credentials -- list [target]                            → one JSON line per credential (no secrets)
 *   npm run -s credentials -- revoke <AccessKeyId> [target]            → {"Revoked":"<AccessKeyId>"}
 *
 * target:
 *   --data-dir <dir>   the embedded mode's data directory (default .kms-data). The server must not be
 *                      running on it: LevelDB admits one process at a time, and this command says so
 *                      if it is. (A credential-minting endpoint on the running server was rejected: it
 *                      would let any local process mint credentials without any.)
 *   --table <name>     a deployed key table (the TableName stack output), with the AWS credentials and
 *                      Region of your environment. The root key that wraps secrets is found through the
 *                      table's `byok-kms:root-key-arn` tag, or given with --root-key <arn>.
 *   --endpoint-url <url>  with --table: another DynamoDB/KMS endpoint (e.g. LocalStack).
 *
 * A credential belongs to one principal (D100): `--principal` takes the root, IAM user, role or
 * assumed-role session ARN; `--account` alone means that account's root. `--policy` gives the
 * credential an identity policy (D108: what stands in for IAM; `file://<path>` or the JSON itself);
 * without one the principal may do whatever its account may.
 *
 * Secrets are printed once, on stdout, and stored only wrapped by the root key.
 */
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { ensureKeyTable } from '../lambda/adapters/dynamodb/ensure-table';
import { EMBEDDED_KEY_TABLE_NAME } from '../lambda/adapters/dynamodb/table-schema';
import { KmsRootKey } from '../lambda/adapters/kms-root-key/kms-root-key';
import { type CredentialOwner, CredentialStore, credentialOwner } from '../lambda/adapters/sigv4/credential-store';
import { InvalidIdentityPolicyError, parseIdentityPolicy } from '../lambda/core/authorization/identity-policy';
import type { RootKey } from '../lambda/core/ports';
import { DEFAULT_DATA_DIR, openDataDir } from '../lambda/runtime/embedded';
import { ROOT_KEY_TAG } from '../lib/constructs/key-state';

const USAGE = `usage:
  credentials create (--account <12 digits> | --principal <arn>) [--policy file://<path> | --policy <json>] [--data-dir <dir> | --table <name> [--root-key <arn>] [--endpoint-url <url>]]
      --principal: arn:aws:iam::<account>:root | …:user/<name> | …:role/<name> | arn:aws:sts::<account>:assumed-role/<role>/<session>
      (default: the account's root)
      --policy: the credential's identity policy (IAM grammar, no Principal); default: whatever the account may
  credentials list [target]
  credentials revoke <AccessKeyId> [target]`;

class UsageError extends Error {}

interface Target {
  readonly store: CredentialStore;
  close(): Promise<void>;
}

async function embeddedTarget(dataDir: string): Promise<Target> {
  const dir = resolvePath(dataDir);
  let opened;
  try {
    opened = await openDataDir(dir);
  } catch (err) {
    if (/in use by another process/.test(String((err as Error).message))) {
      throw new Error(
        `the data directory ${dir} is in use, most likely by a running byok-kms server (its database admits one process at a time). ` +
          'Stop the server, run this command again, then start the server: the credentials work from then on.',
        { cause: err },
      );
    }
    throw err;
  }
  const { rootKey, dynalite } = opened;
  await ensureKeyTable(dynalite.client, EMBEDDED_KEY_TABLE_NAME);
  return { store: new CredentialStore(dynalite.client, EMBEDDED_KEY_TABLE_NAME, rootKey), close: () => dynalite.close() };
}

async function deployedTarget(tableName: string, rootKeyArn: string | undefined, endpoint: string | undefined): Promise<Target> {
  const dynamodb = new DynamoDBClient(endpoint ? { endpoint } : {});
  const clients: KMSClient[] = [];
  // Only `create` needs the root key: look it up on first use, so list and revoke need no KMS access.
  let rootKey: Promise<RootKey> | undefined;
  const resolveRootKey = () =>
    (rootKey ??= (async () => {
      const keyArn = rootKeyArn ?? (await rootKeyOf(dynamodb, tableName));
      const region = /^arn:[^:]+:kms:([^:]+):/.exec(keyArn)?.[1];
      const kms = new KMSClient({ ...(endpoint && { endpoint }), ...(region && { region }) });
      clients.push(kms);
      return new KmsRootKey(kms, keyArn);
    })());
  const lazyRootKey: RootKey = {
    wrap: async (plaintext, context) => (await resolveRootKey()).wrap(plaintext, context),
    unwrap: async (wrapped, context) => (await resolveRootKey()).unwrap(wrapped, context),
  };
  return {
    store: new CredentialStore(dynamodb, tableName, lazyRootKey),
    close: async () => {
      dynamodb.destroy();
      for (const kms of clients) kms.destroy();
    },
  };
}

/** The root key ARN the stateful stack tagged the table with. */
async function rootKeyOf(dynamodb: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  const { Tags } = await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn! }));
  const arn = Tags?.find((t) => t.Key === ROOT_KEY_TAG)?.Value;
  if (!arn) throw new Error(`table ${tableName} has no ${ROOT_KEY_TAG} tag: pass the RootKeyArn stack output with --root-key`);
  return arn;
}

/** `file://<path>` (as the AWS CLI reads policy documents) or the document itself. */
async function policyText(value: string): Promise<string> {
  if (!value.startsWith('file://')) return value;
  const path = value.slice('file://'.length);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the policy file ${path}: ${(err as Error).message}`);
  }
}

export async function main(argv: readonly string[], out: (line: string) => void = (l) => void process.stdout.write(`${l}\n`)): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      principal: { type: 'string' },
      policy: { type: 'string' },
      'data-dir': { type: 'string' },
      table: { type: 'string' },
      'root-key': { type: 'string' },
      'endpoint-url': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) return out(USAGE);
  if (values['data-dir'] !== undefined && values.table !== undefined) throw new UsageError('give either --data-dir or --table, not both');
  if (values.table === undefined && (values['root-key'] !== undefined || values['endpoint-url'] !== undefined)) {
    throw new UsageError('--root-key and --endpoint-url go with --table');
  }
  let owner: CredentialOwner | undefined;
  let policy: string | undefined;
  if (command !== 'create' && values.policy !== undefined) throw new UsageError('--policy goes with create');
  if (command === 'create') {
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    if (values.principal === undefined && (!values.account || !/^\d{12}$/.test(values.account))) {
      throw new UsageError('create needs --account <12 digits> or --principal <arn>');
    }
    owner = values.principal === undefined ? { account: values.account! } : { principal: values.principal, ...(values.account !== undefined && { account: values.account }) };
    try {
      credentialOwner(owner);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.policy !== undefined) {
      policy = await policyText(values.policy);
      try {
        parseIdentityPolicy(policy);
      } catch (err) {
        if (err instanceof InvalidIdentityPolicyError) throw new UsageError(err.message);
        throw err;
      }
    }
  } else if (command === 'list') {
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  } else if (command === 'revoke') {
    if (rest.length !== 1) throw new UsageError('revoke needs exactly one AccessKeyId');
  } else {
    throw new UsageError(command === undefined ? 'no command given' : `unknown command ${command}`);
  }

  const target =
    values.table !== undefined
      ? await deployedTarget(values.table, values['root-key'], values['endpoint-url'])
      : await embeddedTarget(values['data-dir'] ?? DEFAULT_DATA_DIR);
  try {
    if (command === 'create') out(JSON.stringify(await target.store.create(owner!, { ...(policy !== undefined && { policy }) })));
    if (command === 'list') for (const c of await target.store.list()) out(JSON.stringify(c));
    if (command === 'revoke') {
      const id = rest[0]!;
      if (!(await target.store.revoke(id))) throw new Error(`no credential with AccessKeyId ${id}`);
      out(JSON.stringify({ Revoked: id }));
    }
  } finally {
    await target.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`credentials: ${(err as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
    process.exitCode = usage ? 2 : 1;
  });
}
