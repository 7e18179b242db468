/**
 * What the data directory keeps, through the real server process (D30-D35): no socket but the one
 * announced; erased material in no file, while running and across restarts; damage and a missing
 * root key refuse the start with a clear message. The directory's own LocalRootKey is the oracle
 * that tries to unwrap every candidate blob found in its files (the only import from the service).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  type KMSClient,
  ListAliasesCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalRootKey } from '../../lambda/adapters/embedded/local-root-key';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { listeningPorts } from '../support/processes';
import { findBytes, findUnwrappable, type UnwrapTarget } from '../support/secret-search';
import { createExternalKey, createKey, DAY, describeKey, importMaterial, newMaterial } from './helpers';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

let base: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'byok-kms-datadir-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;
const freshDataDir = () => join(base, `data-${dirs++}`);

const kmsOf = (server: LocalServer): KMSClient => server.kms({ accessKeyId: ACCOUNT, region: REGION });

/** Runs bin/local.ts to its exit (start-up refusals); one that starts instead is killed by PID at its banner. */
function runLocal(args: string[]): Promise<{ code: number | null; started: boolean; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!started && stdout.includes('byok-kms listening on')) {
        started = true;
        process.kill(child.pid!, 'SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', fail);
    child.once('exit', (code) => done({ code, started, stderr }));
  });
}

// ---- one socket ------------------------------------------------------------------------------


describe('sockets', () => {
  test('the server listens on exactly the one port it announces, on disk and in memory', async () => {
    for (const options of [{ dataDir: freshDataDir() }, { inMemory: true }]) {
      const server = await startLocalServer(options);
      try {
        // GIVEN the store has been used (dynalite opened, a key written and read)
        const key = await createKey(kmsOf(server));
        await describeKey(kmsOf(server), key.KeyId!);
        // THEN
        expect(listeningPorts(server.pid)).toEqual([server.port]);
      } finally {
        await server.stop();
      }
    }
  });
});

// ---- erasure ---------------------------------------------------------------------------------

interface Tracked {
  readonly label: string;
  readonly keyId: string;
  readonly materialId: string;
  /** Known for imported material; AWS_KMS material is generated and never leaves the service. */
  readonly material?: Buffer;
}

function targetsFor(keys: readonly Tracked[]): UnwrapTarget[] {
  return keys.flatMap((k): UnwrapTarget[] => [
    { name: `${k.label} material`, context: { purpose: 'key-material', account: ACCOUNT, region: REGION, keyId: k.keyId, materialId: k.materialId } },
    { name: `${k.label} material-id key`, context: { purpose: 'material-id-key', account: ACCOUNT, region: REGION, keyId: k.keyId } },
  ]);
}

const uniqueNames = (hits: readonly { name: string }[]) => [...new Set(hits.map((h) => h.name))].sort();

async function importedKey(kms: KMSClient, label: string, options: { validTo?: Date } = {}): Promise<Tracked> {
  const key = await createExternalKey(kms, { Description: label });
  const material = newMaterial();
  const imported = await importMaterial(kms, key.KeyId!, material, options);
  return { label, keyId: key.KeyId!, materialId: imported.KeyMaterialId!, material };
}

describe('erasure', () => {
  test('deleted material, expired material and deleted keys are in no file of the data directory, while running and after restarts', async () => {
    const dataDir = freshDataDir();
    const rootKey = await (async () => {
      // GIVEN keys whose material will go by each path, and one that stays
      const server = await startLocalServer({ dataDir, clockControl: true });
      try {
        const kms = kmsOf(server);
        const now = await server.clockNow();
        const deleted = await importedKey(kms, 'deleted');
        const expiring = await importedKey(kms, 'expiring', { validTo: new Date((now + DAY) * 1000) });
        const doomed = await importedKey(kms, 'doomed');
        const generated = await createKey(kms, { Description: 'doomed AWS_KMS' });
        const generatedKey: Tracked = { label: 'doomed AWS_KMS', keyId: generated.KeyId!, materialId: generated.CurrentKeyMaterialId! };
        const kept = await importedKey(kms, 'kept');
        await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed.keyId }));
        for (const k of [doomed, generatedKey]) await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.keyId, PendingWindowInDays: 7 }));
        // and a ciphertext under the kept key, to read after all restarts
        const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: kept.keyId, Plaintext: Buffer.from('still here') }));
        await server.stop();
        return { deleted, expiring, doomed, generatedKey, kept, ciphertext: CiphertextBlob! };
      } catch (err) {
        await server.stop();
        throw err;
      }
    })().then(async (keys) => ({ keys, oracle: await LocalRootKey.fromDataDir(dataDir) }));
    const { keys, oracle } = rootKey;
    const all = [keys.deleted, keys.expiring, keys.doomed, keys.generatedKey, keys.kept];
    const plaintexts = all.flatMap((k) => (k.material ? [{ name: `${k.label} plaintext`, bytes: k.material }] : []));
    // The search works: before the erase the oracle finds every secret (and no plaintext anywhere).
    const before = await findUnwrappable(dataDir, oracle, targetsFor(all));
    expect(uniqueNames(before)).toEqual(uniqueNames(targetsFor(all)));
    for (const hit of before) {
      const k = all.find((t) => hit.name === `${t.label} material`);
      if (k?.material) expect(hit.plaintext.equals(k.material), hit.name).toBe(true);
    }
    expect(findBytes(dataDir, plaintexts)).toEqual([]);

    // WHEN material is deleted, expires by its timer, and keys are deleted by theirs
    const server = await startLocalServer({ dataDir, clockControl: true });
    const allNames = uniqueNames(targetsFor(all));
    let goneNames: string[] = [];
    /** THEN nothing of what went is left, and all the rest still is, as soon as the call has answered. */
    const expectErased = async (when: string, nowGone: string[] = []) => {
      goneNames = [...goneNames, ...nowGone];
      expect(uniqueNames(await findUnwrappable(dataDir, oracle, targetsFor(all))), when).toEqual(allNames.filter((n) => !goneNames.includes(n)));
      const wrapped = before.filter((h) => goneNames.includes(h.name)).map((h) => ({ name: h.name, bytes: h.blob }));
      expect(findBytes(dataDir, [...wrapped, ...plaintexts]), when).toEqual([]);
    };
    try {
      const kms = kmsOf(server);
      await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keys.deleted.keyId }));
      await expectErased('after DeleteImportedKeyMaterial', ['deleted material']);
      await server.advanceClock(DAY + 60);
      expect((await describeKey(kms, keys.expiring.keyId)).KeyState).toBe('PendingImport');
      await expectErased('after the expiry timer', ['expiring material']);
      await server.advanceClock(7 * DAY);
      expect((await kms.send(new ListAliasesCommand({}))).Aliases?.some((a) => a.AliasName === 'alias/doomed')).toBe(false);
      await expectErased('after the deletion timers', ['doomed', 'doomed AWS_KMS'].flatMap((l) => [`${l} material`, `${l} material-id key`]));
    } finally {
      await server.stop();
    }
    await expectErased('after a clean stop');

    const again = await startLocalServer({ dataDir });
    try {
      await expectErased('after a restart');
      const { Plaintext } = await kmsOf(again).send(new DecryptCommand({ CiphertextBlob: keys.ciphertext }));
      expect(Buffer.from(Plaintext!).toString()).toBe('still here');
    } finally {
      await again.kill();
    }
    await expectErased('after a crash');
  });
});

// ---- damage ----------------------------------------------------------------------------------

/** A data directory with `count` keys and aliases, written by a server that then stopped cleanly. */
async function populatedDataDir(count: number): Promise<{ dataDir: string; keyIds: string[] }> {
  const dataDir = freshDataDir();
  const server = await startLocalServer({ dataDir });
  try {
    const kms = kmsOf(server);
    const keyIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = await createKey(kms, { Description: `key number ${i}` });
      await kms.send(new CreateAliasCommand({ AliasName: `alias/key-${i}`, TargetKeyId: key.KeyId! }));
      keyIds.push(key.KeyId!);
    }
    return { dataDir, keyIds };
  } finally {
    await server.stop();
  }
}

/** A populated data directory whose content is all in one table file: deleting a key rewrites the database (D32). */
async function tableOnlyDataDir(count: number): Promise<string> {
  const { dataDir, keyIds } = await populatedDataDir(count);
  const server = await startLocalServer({ dataDir, clockControl: true });
  try {
    await kmsOf(server).send(new ScheduleKeyDeletionCommand({ KeyId: keyIds.at(-1)!, PendingWindowInDays: 7 }));
    await server.advanceClock(8 * DAY);
  } finally {
    await server.stop();
  }
  return dataDir;
}

const databaseFile = (dataDir: string, suffix: string) => {
  const name = readdirSync(join(dataDir, 'dynamodb')).find((f) => f.endsWith(suffix));
  if (!name) throw new Error(`no ${suffix} file in ${dataDir}/dynamodb`);
  return join(dataDir, 'dynamodb', name);
};

function flipByteAfter(path: string, marker: string): void {
  const bytes = readFileSync(path);
  const at = bytes.indexOf(marker);
  if (at < 0) throw new Error(`'${marker}' is not in ${path}`);
  bytes[at + 2]! ^= 0x01;
  writeFileSync(path, bytes);
}

function expectCleanRefusal(result: { code: number | null; started: boolean; stderr: string }, ...phrases: (string | RegExp)[]): void {
  expect(result.started, 'the server started instead of refusing').toBe(false);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^byok-kms: failed to start: /);
  for (const phrase of phrases) expect(result.stderr).toMatch(phrase);
  expect(result.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

describe('damage', () => {
  test('a flipped byte in the write-ahead log refuses the start, naming the damage and the way out; --accept-store-damage starts on what is left', async () => {
    // GIVEN six keys with aliases, still only in the log (a clean stop does not rewrite it)
    const { dataDir, keyIds } = await populatedDataDir(6);
    flipByteAfter(databaseFile(dataDir, '.log'), 'key number 1');
    // WHEN
    const refused = await runLocal(['--data-dir', dataDir]);
    // THEN
    expectCleanRefusal(refused, /key database .* is damaged/, /lost acknowledged writes|do(es)? not match/, /restore .* from a backup/, /--accept-store-damage/);
    // and the operator may choose to go on with what is left
    const server = await startLocalServer({ dataDir, args: ['--accept-store-damage'] });
    try {
      expect(server.output().stderr).toMatch(/was damaged .* started anyway/);
      const first = await describeKey(kmsOf(server), keyIds[0]!);
      expect(first.Description).toBe('key number 0');
    } finally {
      await server.stop();
    }
    // from then on it starts as usual
    const after = await startLocalServer({ dataDir });
    await after.stop();
  });

  test('a flipped byte in a table file refuses the start the same way', async () => {
    // GIVEN
    const dataDir = await tableOnlyDataDir(6);
    // WHEN one byte of the table changes
    const table = databaseFile(dataDir, '.ldb');
    const bytes = readFileSync(table);
    bytes[Math.floor(bytes.length / 3)]! ^= 0x01;
    writeFileSync(table, bytes);
    // THEN
    expectCleanRefusal(await runLocal(['--data-dir', dataDir]), /key database .* is damaged/, /--accept-store-damage/);
  });

  test('a corrupted block the database cannot decode gives the same clean refusal, not a crash', async () => {
    // GIVEN a table file whose index block (at its end, before the footer) is garbage
    const dataDir = await tableOnlyDataDir(2);
    const table = databaseFile(dataDir, '.ldb');
    const bytes = readFileSync(table);
    bytes.fill(0xa5, bytes.length - 48 - 40, bytes.length - 48);
    writeFileSync(table, bytes);
    // THEN
    expectCleanRefusal(await runLocal(['--data-dir', dataDir]), /key database .* is damaged/, /LevelDB cannot (open|read) it/);
  });

  test('a database that fails while serving (its directory removed) answers KMSInternalException, changes nothing, and the server goes on serving (D138)', async () => {
    // GIVEN a running server with a key, whose LevelDB directory is then removed under it
    const dataDir = freshDataDir();
    const server = await startLocalServer({ dataDir });
    try {
      const kms = kmsOf(server);
      const key = await createKey(kms, { Description: 'outlives its files' });
      rmSync(join(dataDir, 'dynamodb'), { recursive: true, force: true });
      // WHEN policies of about 30 KB are put until LevelDB fills its 4 MB memtable and cannot start a new log there
      const policy = (n: number) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
            {
              Sid: `padding${n}`,
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'kms:DescribeKey',
              Resource: '*',
              Condition: { StringEquals: { 'aws:username': Array.from({ length: 3000 }, (_, i) => `u${String(i).padStart(5, '0')}`) } },
            },
          ],
        });
      let stored: string | undefined;
      let failure: unknown;
      for (let n = 0; failure === undefined && n < 400; n++) {
        try {
          await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: policy(n) }));
          stored = policy(n);
        } catch (err) {
          failure = err;
        }
      }
      // THEN the call that could not be stored answered as design decision 8 says
      expect(failure).toMatchObject({ name: 'KMSInternalException', message: 'An internal error occurred. Try again later.', $metadata: { httpStatusCode: 500 } });
      // and changed nothing: the key keeps the last policy that was stored
      expect(stored).toBeDefined();
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy).toBe(stored);
      // and the same process goes on answering, and its log names LevelDB's reason for the operator
      expect((await describeKey(kms, key.KeyId!)).Description).toBe('outlives its files');
      expect(await fetch(`${server.endpoint}/health`).then((r) => r.status)).toBe(200);
      expect(server.output().stdout + server.output().stderr).toMatch(/InternalServerError: Internal server error: IO error: .*No such file or directory/);
    } finally {
      await server.kill();
    }
  });

  test('a deleted ledger file refuses the start', async () => {
    const { dataDir } = await populatedDataDir(1);
    unlinkSync(join(dataDir, 'dynamodb.ledger'));
    expectCleanRefusal(await runLocal(['--data-dir', dataDir]), /ledger file is missing/);
  });
});

// ---- root key --------------------------------------------------------------------------------

describe('root key', () => {
  test('a missing root-key beside an existing key database refuses the start, as a wrong mode does', async () => {
    // GIVEN
    const { dataDir } = await populatedDataDir(1);
    unlinkSync(join(dataDir, 'root-key'));
    // WHEN
    const result = await runLocal(['--data-dir', dataDir]);
    // THEN no new key was made, and the message says what to do
    expectCleanRefusal(result, /root key .*root-key is missing/, /Restore root-key from the backup/);
    expect(existsSync(join(dataDir, 'root-key'))).toBe(false);
  });

  test('a fresh data directory still gets a new root key', async () => {
    const dataDir = freshDataDir();
    const server = await startLocalServer({ dataDir });
    await server.stop();
    expect(readFileSync(join(dataDir, 'root-key'))).toHaveLength(32);
  });
});
