/**
 * Enforce mode on the deployed adapters, on moto: the API handler with SigV4 against credentials in
 * the key table (secrets and identity policies bound by the KMS root key), key policies and grants in
 * DynamoDB, and the refusal recorded in the DynamoDB audit table — the path the deployed API function
 * runs (lambda/runtime/aws.ts composes the same adapters).
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DynamoAuditTrail } from '../../lambda/adapters/audit/dynamo-audit-trail';
import { ensureKeyTable } from '../../lambda/adapters/dynamodb/ensure-table';
import { CredentialStore, type IssuedCredential, createSigV4Authenticator } from '../../lambda/adapters/sigv4';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { type RunningServer, serveLocally } from '../../lambda/local/server';
import { SettableClock } from '../support/memory-deps';
import { type MotoAws, type MotoDeps, REGION, createRootKey, createScheduleGroup, motoDeps, startMotoAws } from './support/moto-aws';

const ACCT = '111122223333';
const arn = (resource: string) => `arn:aws:iam::${ACCT}:${resource}`;

describe('authorization on the deployed adapters (moto)', () => {
  let aws: MotoAws;
  let deps: MotoDeps;
  const clock = new SettableClock(new Date());
  let server: RunningServer;
  let admin: IssuedCredential;
  let app: IssuedCredential;
  const client = (c: IssuedCredential) => ({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey }, maxAttempts: 1 });

  beforeAll(async () => {
    aws = await startMotoAws();
    deps = await motoDeps(aws, clock, await createScheduleGroup(aws.scheduler), await createRootKey(aws.kms));
    const store = new CredentialStore(aws.dynamodb, deps.tableName, deps.rootKey, { cacheTtlMs: 0 });
    admin = await store.create({ principal: arn('role/admin') });
    app = await store.create(
      { principal: arn('role/app') },
      { policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }) },
    );
    await ensureKeyTable(aws.dynamodb, 'audit');
    const audit = new DynamoAuditTrail(aws.dynamodb, 'audit');
    const authenticate = createSigV4Authenticator({ lookup: store.lookup });
    server = await serveLocally(makeKmsApiHandler(deps, { authenticate, logger: { error: () => undefined }, audit }), { port: 0, host: '127.0.0.1', log: () => undefined });
  });
  afterAll(async () => {
    await server?.close();
    await aws?.stop();
  });

  test('the identity policy stored with the credential refuses, a grant in DynamoDB allows, the refusal is in the audit table', async () => {
    // GIVEN a key of the administrator (default key policy: the account's identity policies decide)
    const { KeyMetadata } = await new KMSClient(client(admin)).send(new CreateKeyCommand({}));
    const keyArn = KeyMetadata!.Arn!;
    const appKms = new KMSClient(client(app));
    // WHEN the role whose identity policy allows only Decrypt encrypts
    await expect(appKms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('p') }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${ACCT}:assumed-role/app/${app.AccessKeyId} is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no identity-based policy allows the kms:Encrypt action`,
    });
    // THEN a grant to the role lets it (grants need no identity policy), a second later in the trail
    clock.advance(1);
    await new KMSClient(client(admin)).send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: arn('role/app'), Operations: ['Encrypt'] }));
    const { CiphertextBlob } = await appKms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('p') }));
    expect(Buffer.from((await appKms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('p');
    // and the refusal is in the DynamoDB audit trail, before the allowed call (newest first)
    const { Events } = await new CloudTrailClient(client(admin)).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }] }));
    expect(Events!.map((e) => (JSON.parse(e.CloudTrailEvent!) as { errorCode?: string }).errorCode)).toEqual([undefined, 'AccessDeniedException']);
  });

  test('an identity policy edited in the table makes the credential unusable instead of granting more', async () => {
    await aws.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.tableName,
        Key: { pk: { S: 'credentials' }, sk: { S: `credential#${app.AccessKeyId}` } },
        UpdateExpression: 'SET #p = :p',
        ExpressionAttributeNames: { '#p': 'policy' },
        ExpressionAttributeValues: { ':p': { S: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) } },
      }),
    );
    await expect(new KMSClient(client(app)).send(new CreateKeyCommand({}))).rejects.toMatchObject({ name: 'KMSInternalException' });
  });
});
