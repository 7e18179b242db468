/**
 * `npm run credentials`: issued credentials work against the embedded server started with
 * `--auth enforce` (bin/local.ts, real process) and against a deployed-style table on moto.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand, PutItemCommand, ScanCommand, TagResourceCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureKeyTable } from '../../lambda/adapters/dynamodb/ensure-table';
import { KmsRootKey } from '../../lambda/adapters/kms-root-key/kms-root-key';
import { CredentialStore, type IssuedCredential } from '../../lambda/adapters/sigv4';
import { credentialContext } from '../../lambda/adapters/sigv4/credential-store';
import { ROOT_KEY_TAG } from '../../lib/constructs/key-state';
import { main } from '../../bin/credentials';
import { startLocalServer } from '../support/local-server';
import { type MotoAws, createRootKey, startMotoAws } from './support/moto-aws';

const run = promisify(execFile);

/** Runs the CLI in this process; returns what it printed. */
async function cli(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  await main(args, (line) => lines.push(line));
  return lines;
}

describe('credentials CLI on an embedded data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-cred-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('issues a credential the enforcing embedded server accepts, lists it without secrets, and revokes it', async () => {
    // GIVEN a credential issued for the data directory (as a real process: one JSON line on stdout)
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bin/credentials.ts', 'create', '--account', '210987654321', '--data-dir', dataDir]);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const issued = JSON.parse(lines[0]!) as IssuedCredential;
    expect(Object.keys(issued)).toEqual(['AccessKeyId', 'SecretAccessKey', 'Account', 'Principal']);
    expect(issued).toMatchObject({
      AccessKeyId: expect.stringMatching(/^BYOK[A-Z2-7]{16}$/),
      SecretAccessKey: expect.stringMatching(/^[A-Za-z0-9+/]{40}$/),
      Account: '210987654321',
      Principal: 'arn:aws:iam::210987654321:root',
    });

    // WHEN the server runs on it with --auth enforce
    const server = await startLocalServer({ dataDir, auth: 'enforce' });
    try {
      // THEN the credential works and others do not
      const kms = server.kms({ accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, region: 'eu-central-1' });
      expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
      await expect(server.kms({ accessKeyId: '210987654321', secretAccessKey: 'x' }).send(new ListKeysCommand({}))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
      // and the CLI refuses to open the directory while the server holds it, saying why
      const busy = await run(process.execPath, ['--import', 'tsx', 'bin/credentials.ts', 'list', '--data-dir', dataDir]).catch((e: { code: number; stderr: string }) => e);
      expect(busy).toMatchObject({ code: 1, stderr: expect.stringContaining('is in use, most likely by a running byok-kms server') });
    } finally {
      await server.stop();
    }

    // list shows it without the secret; revoke removes it
    const listed = (await cli('list', '--data-dir', dataDir)).map((l) => JSON.parse(l) as Record<string, string>);
    expect(listed).toEqual([{ AccessKeyId: issued.AccessKeyId, Account: '210987654321', Principal: 'arn:aws:iam::210987654321:root', CreatedAt: expect.any(String) }]);
    expect(await cli('revoke', issued.AccessKeyId, '--data-dir', dataDir)).toEqual([JSON.stringify({ Revoked: issued.AccessKeyId })]);
    expect(await cli('list', '--data-dir', dataDir)).toEqual([]);
    await expect(cli('revoke', issued.AccessKeyId, '--data-dir', dataDir)).rejects.toThrow(`no credential with AccessKeyId ${issued.AccessKeyId}`);
  });

  test('issues a credential for a principal: its account is the principal\'s', async () => {
    const [line] = await cli('create', '--principal', 'arn:aws:iam::210987654321:role/app', '--data-dir', dataDir);
    const issued = JSON.parse(line!) as IssuedCredential;
    expect(issued).toMatchObject({ Account: '210987654321', Principal: 'arn:aws:iam::210987654321:role/app' });
    const [sameAccount] = await cli('create', '--principal', 'arn:aws:iam::210987654321:user/Alice', '--account', '210987654321', '--data-dir', dataDir);
    expect(JSON.parse(sameAccount!)).toMatchObject({ Principal: 'arn:aws:iam::210987654321:user/Alice' });
    const listed = (await cli('list', '--data-dir', dataDir)).map((l) => JSON.parse(l) as Record<string, string>);
    expect(listed.map((c) => c.Principal).sort()).toEqual(['arn:aws:iam::210987654321:role/app', 'arn:aws:iam::210987654321:user/Alice']);
    for (const c of listed) await cli('revoke', c.AccessKeyId!, '--data-dir', dataDir);
  });

  test('fails with a usage error for a principal that is not one, or of another account', async () => {
    await expect(cli('create', '--principal', 'arn:aws:iam::210987654321:group/admins', '--data-dir', dataDir)).rejects.toThrow(
      'invalid principal: \'arn:aws:iam::210987654321:group/admins\' is not a root, user or role ARN',
    );
    await expect(cli('create', '--principal', 'arn:aws:iam::210987654321:role/app', '--account', '111122223333', '--data-dir', dataDir)).rejects.toThrow(
      'the principal arn:aws:iam::210987654321:role/app belongs to account 210987654321, not 111122223333',
    );
    expect(await cli('list', '--data-dir', dataDir)).toEqual([]);
  });

  test('--policy gives the credential an identity policy (D108), read from file:// or given inline, checked when issued', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] });
    const file = join(dataDir, 'identity.json');
    writeFileSync(file, document);
    const [fromFile] = await cli('create', '--principal', 'arn:aws:iam::210987654321:role/app', '--policy', `file://${file}`, '--data-dir', dataDir);
    expect(JSON.parse(fromFile!)).toMatchObject({ Principal: 'arn:aws:iam::210987654321:role/app', Policy: document });
    const [inline] = await cli('create', '--principal', 'arn:aws:iam::210987654321:user/Alice', '--policy', document, '--data-dir', dataDir);
    expect(JSON.parse(inline!)).toMatchObject({ Policy: document });
    const listed = (await cli('list', '--data-dir', dataDir)).map((l) => JSON.parse(l) as Record<string, string>);
    expect(listed.map((c) => c.Policy)).toEqual([document, document]);
    for (const c of listed) await cli('revoke', c.AccessKeyId!, '--data-dir', dataDir);

    // a policy that could not mean what its author meant is refused at once, and nothing is issued
    const create = (policy: string) => cli('create', '--principal', 'arn:aws:iam::210987654321:role/app', '--policy', policy, '--data-dir', dataDir);
    await expect(create('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt"}]}')).rejects.toThrow(
      'invalid identity policy: Statement 1 needs exactly one of Resource and NotResource',
    );
    await expect(create('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}}')).rejects.toThrow(
      'invalid identity policy: Statement 1 names a principal: an identity policy applies to whoever holds it',
    );
    await expect(create('{"Version":"2008-10-17","Statement":[]}')).rejects.toThrow('invalid identity policy: Version must be "2012-10-17"');
    await expect(create('file:///nonexistent/identity.json')).rejects.toThrow('cannot read the policy file /nonexistent/identity.json');
    await expect(cli('list', '--policy', document, '--data-dir', dataDir)).rejects.toThrow('--policy goes with create');
    expect(await cli('list', '--data-dir', dataDir)).toEqual([]);
  });

  test('fails with a usage error for a bad account, an unknown command, or two targets', async () => {
    await expect(cli('create', '--account', '12345', '--data-dir', dataDir)).rejects.toThrow('create needs --account <12 digits>');
    await expect(cli('rotate', '--data-dir', dataDir)).rejects.toThrow('unknown command rotate');
    await expect(cli('list', '--data-dir', dataDir, '--table', 't')).rejects.toThrow('give either --data-dir or --table, not both');
  });
});

describe('credentials CLI on a deployed table (moto)', () => {
  let aws: MotoAws;
  const saved = { ...process.env };
  beforeAll(async () => {
    aws = await startMotoAws();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'moto', AWS_SECRET_ACCESS_KEY: 'moto', AWS_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
  });
  afterAll(async () => {
    process.env = saved;
    await aws?.stop();
  });

  test('a credential issued before principals existed is its account\'s root; an edited principal does not unwrap', async () => {
    // GIVEN an item as the service wrote it before principals: no principal attribute, secret bound to id and account only
    const tableName = 'legacy-keys';
    await ensureKeyTable(aws.dynamodb, tableName);
    const rootKey = new KmsRootKey(aws.kms, await createRootKey(aws.kms));
    const wrapped = await rootKey.wrap(new TextEncoder().encode('legacy-secret'), credentialContext('BYOKLEGACY0000000000', '111122223333'));
    await aws.dynamodb.send(new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: 'credentials' }, sk: { S: 'credential#BYOKLEGACY0000000000' }, account: { S: '111122223333' }, secret: { B: wrapped }, created: { S: '2026-01-01T00:00:00.000Z' } },
    }));
    const store = new CredentialStore(aws.dynamodb, tableName, rootKey, { cacheTtlMs: 0 });
    // THEN it still works, as the root
    expect(await store.lookup('BYOKLEGACY0000000000')).toMatchObject({ account: '111122223333', secretAccessKey: 'legacy-secret' });
    expect((await store.list())[0]).toMatchObject({ Principal: 'arn:aws:iam::111122223333:root' });
    // and a principal written into the item afterwards breaks the binding instead of granting that identity
    const issued = await store.create({ principal: 'arn:aws:iam::111122223333:user/Alice' });
    await aws.dynamodb.send(new UpdateItemCommand({
      TableName: tableName,
      Key: { pk: { S: 'credentials' }, sk: { S: `credential#${issued.AccessKeyId}` } },
      UpdateExpression: 'SET principal = :p',
      ExpressionAttributeValues: { ':p': { S: 'arn:aws:iam::111122223333:role/admin' } },
    }));
    await expect(store.lookup(issued.AccessKeyId)).rejects.toThrow();
  });

  test('finds the root key through the table tag, and the secret unwraps only with the KMS root key', async () => {
    // GIVEN a key table tagged with its root key, as the stateful stack makes it
    const tableName = 'byok-kms-dev-keys';
    await ensureKeyTable(aws.dynamodb, tableName);
    const rootKeyArn = await createRootKey(aws.kms);
    const { Table } = await aws.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    await aws.dynamodb.send(new TagResourceCommand({ ResourceArn: Table!.TableArn!, Tags: [{ Key: ROOT_KEY_TAG, Value: rootKeyArn }] }));
    // WHEN
    const [line] = await cli('create', '--account', '111122223333', '--table', tableName, '--endpoint-url', aws.moto.endpoint);
    const issued = JSON.parse(line!) as IssuedCredential;
    // THEN the service's own lookup (API function) finds it
    const store = new CredentialStore(aws.dynamodb, tableName, new KmsRootKey(aws.kms, rootKeyArn));
    expect(await store.lookup(issued.AccessKeyId)).toEqual({
      account: '111122223333',
      secretAccessKey: issued.SecretAccessKey,
      principal: 'arn:aws:iam::111122223333:root',
      issuedAt: expect.any(Date),
    });
    expect((await cli('list', '--table', tableName, '--endpoint-url', aws.moto.endpoint)).length).toBe(1);
    // the table never holds the secret in the clear
    const { Items } = await aws.dynamodb.send(new ScanCommand({ TableName: tableName }));
    const raw = JSON.stringify(Items, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(raw).toContain(issued.AccessKeyId);
    expect(raw).not.toContain(issued.SecretAccessKey);
    // an explicit --root-key works too, and a table without the tag says what to pass
    await cli('create', '--account', '111122223333', '--table', tableName, '--root-key', rootKeyArn, '--endpoint-url', aws.moto.endpoint);
    await ensureKeyTable(aws.dynamodb, 'untagged');
    await expect(cli('list', '--table', 'untagged', '--endpoint-url', aws.moto.endpoint)).resolves.toEqual([]);
    await expect(cli('create', '--account', '111122223333', '--table', 'untagged', '--endpoint-url', aws.moto.endpoint)).rejects.toThrow(
      `table untagged has no ${ROOT_KEY_TAG} tag: pass the RootKeyArn stack output with --root-key`,
    );
  });
});
