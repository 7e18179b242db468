/**
 * What the deployed runtime asks DynamoDB for (issue 11 §1): many Lambda instances share the table,
 * so every call reads it, and nothing more than needed. Counted on the real handler, on moto, by a
 * middleware on the key table's client: one GetItem per key a crypto call names (an alias adds the
 * alias item's read), and one GetItem plus one conditional PutItem per state change.
 */
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  KMSClient,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openAuthenticator } from '../../lambda/adapters/kms-json/authenticator';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { type RunningServer, serveLocally } from '../../lambda/local/server';
import { createExternalKey, createKey, importMaterial, newMaterial } from '../blackbox/helpers';
import { type MotoAws, createRootKey, createScheduleGroup, motoDeps, startMotoAws } from './support/moto-aws';

/** One DynamoDB request: the command, and whether it was a conditional write. */
interface TableCall {
  readonly command: string;
  readonly conditional: boolean;
}

let aws: MotoAws;
let server: RunningServer;
let kms: KMSClient;
const calls: TableCall[] = [];

beforeAll(async () => {
  aws = await startMotoAws();
  const deps = await motoDeps(aws, { now: () => new Date() }, await createScheduleGroup(aws.scheduler), await createRootKey(aws.kms));
  aws.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ConditionExpression?: string };
      calls.push({ command: String(context.commandName).replace(/Command$/, ''), conditional: input.ConditionExpression !== undefined });
      return next(args);
    },
    { step: 'initialize', name: 'countTableCalls' },
  );
  const logger = new Logger({ serviceName: 'store-calls', logLevel: 'SILENT' });
  server = await serveLocally(makeKmsApiHandler(deps, { authenticate: openAuthenticator, logger }), { port: 0, host: '127.0.0.1', log: () => undefined });
  kms = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: '111122223333', secretAccessKey: 'open' }, maxAttempts: 1 });
});

afterAll(async () => {
  kms?.destroy();
  await server?.close();
  await aws?.stop();
});

/** The table calls one request makes. */
async function tableCallsOf(send: () => Promise<unknown>): Promise<string[]> {
  calls.length = 0;
  await send();
  return calls.map((c) => (c.conditional ? `${c.command} (conditional)` : c.command));
}

const READ = ['GetItem'];
const READ_AND_WRITE = ['GetItem', 'PutItem (conditional)'];

describe('a crypto call reads the table once per key it names', () => {
  let keyId: string;
  let arn: string;
  let ciphertext: Uint8Array;
  beforeAll(async () => {
    const key = await createKey(kms);
    keyId = key.KeyId!;
    arn = key.Arn!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/counted', TargetKeyId: keyId }));
    // Warm: the material is unwrapped once (a root-key call, not a table call) and then cached.
    ciphertext = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('warm') }))).CiphertextBlob!;
  });

  test.each([
    ['Encrypt by key id', () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))],
    ['Encrypt by key ARN', () => kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') }))],
    ['Decrypt', () => kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))],
    ['GenerateDataKey', () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }))],
    ['GenerateDataKeyWithoutPlaintext', () => kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: 'AES_256' }))],
    ['DescribeKey', () => kms.send(new DescribeKeyCommand({ KeyId: keyId }))],
  ])('%s: one GetItem', async (_name, send) => {
    expect(await tableCallsOf(send)).toEqual(READ);
  });

  test('Encrypt by alias: the alias item, then the key', async () => {
    expect(await tableCallsOf(() => kms.send(new EncryptCommand({ KeyId: 'alias/counted', Plaintext: Buffer.from('x') })))).toEqual(['GetItem', 'GetItem']);
  });

  test('ReEncrypt to the same key: the source key and the destination key, one GetItem each', async () => {
    expect(await tableCallsOf(() => kms.send(new ReEncryptCommand({ CiphertextBlob: ciphertext, DestinationKeyId: keyId })))).toEqual(['GetItem', 'GetItem']);
  });
});

describe('a state change reads the key once and writes it once, conditionally', () => {
  let keyId: string;
  beforeAll(async () => {
    keyId = (await createKey(kms)).KeyId!;
  });

  test.each([
    ['DisableKey', () => kms.send(new DisableKeyCommand({ KeyId: keyId }))],
    ['EnableKey', () => kms.send(new EnableKeyCommand({ KeyId: keyId }))],
    ['UpdateKeyDescription', () => kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'counted' }))],
    ['TagResource', () => kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }))],
    ['ScheduleKeyDeletion', () => kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }))],
    ['CancelKeyDeletion', () => kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }))],
  ])('%s: GetItem, then a conditional PutItem', async (_name, send) => {
    expect(await tableCallsOf(send)).toEqual(READ_AND_WRITE);
  });

  test('ImportKeyMaterial and DeleteImportedKeyMaterial: GetItem, then a conditional PutItem', async () => {
    const key = await createExternalKey(kms);
    const material = newMaterial();
    // GetParametersForImport reads the key (the token binds it); the import itself is one change.
    expect(await tableCallsOf(() => importMaterial(kms, key.KeyId!, material))).toEqual(['GetItem', ...READ_AND_WRITE]);
    expect(await tableCallsOf(() => kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId })))).toEqual(READ_AND_WRITE);
  });

  test('a change that changes nothing (EnableKey on an enabled key) only reads', async () => {
    const enabled = await createKey(kms);
    expect(await tableCallsOf(() => kms.send(new EnableKeyCommand({ KeyId: enabled.KeyId })))).toEqual(READ);
  });
});
