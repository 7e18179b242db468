/**
 * The audit trail through real clients: every KMS call (success or error) and every service event
 * becomes one CloudTrail record, read back with `@aws-sdk/client-cloudtrail` and `aws cloudtrail
 * lookup-events` from the same endpoint; records survive SIGKILL of the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, type CloudTrailClientConfig, type Event, LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, describe, expect, test } from 'vitest';
import { DUMMY_CREDENTIALS, type LocalServer, startLocalServer } from '../support/local-server';
import { awsEnv, tool } from '../support/tools';
import { at, createImportedKey, importMaterial, newMaterial, useLocalServer } from './helpers';

const ACCOUNT = '111122223333';

function cloudTrail(server: LocalServer, accessKeyId = ACCOUNT, region = 'us-east-1', secretAccessKey = DUMMY_CREDENTIALS.secretAccessKey): CloudTrailClient {
  return new CloudTrailClient({ endpoint: server.endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

/** Every event LookupEvents returns for `input`, following NextToken. */
async function allEvents(client: CloudTrailClient, input: LookupEventsCommandInput = {}): Promise<Event[]> {
  const events: Event[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new LookupEventsCommand({ ...input, ...(token && { NextToken: token }) }));
    events.push(...(page.Events ?? []));
    token = page.NextToken;
  } while (token);
  return events;
}

const record = (event: Event) => JSON.parse(event.CloudTrailEvent!) as Record<string, unknown>;

describe('the audit trail in open mode', () => {
  const local = useLocalServer({ inMemory: true, clockControl: true });
  const kms = () => local.server.kms({ accessKeyId: ACCOUNT });

  test('records each KMS call as AWS does, without plaintexts or ciphertexts, newest first', async () => {
    // GIVEN calls that succeed and one that fails
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({ Description: 'audited' }));
    const keyArn = KeyMetadata!.Arn!;
    const plaintext = Buffer.from('top secret plaintext');
    const { CiphertextBlob } = await kms().send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: plaintext, EncryptionContext: { Department: 'Engineering' } }));
    await kms().send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { Department: 'Engineering' } }));
    const missing = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`;
    await expect(kms().send(new DescribeKeyCommand({ KeyId: missing }))).rejects.toMatchObject({ name: 'NotFoundException' });

    // WHEN the trail is read with the CloudTrail SDK
    const events = await allEvents(cloudTrail(local.server), { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyArn }] });

    // THEN the key's calls are there, newest first, in CloudTrail's shape
    expect(events.map((e) => e.EventName)).toEqual(['Decrypt', 'Encrypt', 'CreateKey']);
    const [decrypt, encrypt, create] = events.map(record);
    expect(events[1]).toMatchObject({ EventSource: 'kms.amazonaws.com', ReadOnly: 'true', AccessKeyId: ACCOUNT, Username: 'root', Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: keyArn }] });
    expect(encrypt).toMatchObject({
      eventVersion: '1.11',
      userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: ACCOUNT },
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      awsRegion: 'us-east-1',
      sourceIPAddress: '127.0.0.1',
      userAgent: expect.stringContaining('aws-sdk-js'),
      requestParameters: { keyId: KeyMetadata!.KeyId, encryptionContext: { Department: 'Engineering' } },
      responseElements: null,
      requestID: expect.stringMatching(/^[0-9a-f-]{36}$/),
      eventID: events[1]!.EventId,
      readOnly: true,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: keyArn }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    });
    expect(encrypt).not.toHaveProperty('errorCode');
    // Decrypt names the key that decrypted and the algorithm, though the request named neither
    expect(decrypt!.requestParameters).toEqual({ encryptionContext: { Department: 'Engineering' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: keyArn });
    expect(create).toMatchObject({
      readOnly: false,
      requestParameters: { description: 'audited' },
      responseElements: { keyMetadata: { aWSAccountId: ACCOUNT, keyId: KeyMetadata!.KeyId, arn: keyArn, keyState: 'Enabled', creationDate: expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/) } },
    });
    // no plaintext or ciphertext anywhere in the trail
    const everything = JSON.stringify(await allEvents(cloudTrail(local.server)));
    expect(everything).not.toContain(plaintext.toString('base64'));
    expect(everything).not.toContain(Buffer.from(CiphertextBlob!).toString('base64'));
    expect(everything).not.toContain('top secret');

    // the failure is recorded with the error the caller saw
    const [failed] = await allEvents(cloudTrail(local.server), { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }] });
    expect(record(failed!)).toMatchObject({ errorCode: 'NotFoundException', errorMessage: `Key '${missing}' does not exist`, requestParameters: { keyId: missing }, resources: [] });
  });

  test('a record read long after its call shows the call as it was, whatever the key, the clock and the trail did since', async () => {
    // GIVEN a key created, used, and its record read right away
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({ Description: 'as created' }));
    const keyArn = KeyMetadata!.Arn!;
    await kms().send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { stage: 'one' } }));
    const ofKey = { LookupAttributes: [{ AttributeKey: 'ResourceName' as const, AttributeValue: keyArn }] };
    const first = await allEvents(cloudTrail(local.server), ofKey);
    expect(first.map((e) => e.EventName)).toEqual(['Encrypt', 'CreateKey']);

    // WHEN the key changes, the clock moves on a day and newer calls are recorded
    await kms().send(new UpdateKeyDescriptionCommand({ KeyId: KeyMetadata!.KeyId, Description: 'changed since' }));
    await kms().send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    await local.server.advanceClock(86_400);
    await expect(kms().send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x') }))).rejects.toMatchObject({ name: 'DisabledException' });

    // THEN the earlier records read the same, byte for byte: the key as created, the time of the call
    const later = await allEvents(cloudTrail(local.server), ofKey);
    expect(later.map((e) => e.EventName)).toEqual(['Encrypt', 'DisableKey', 'UpdateKeyDescription', 'Encrypt', 'CreateKey']);
    expect(later.slice(3)).toStrictEqual(first);
    expect(record(later[4]!)).toMatchObject({ responseElements: { keyMetadata: { description: 'as created', keyState: 'Enabled', enabled: true } } });
    expect(record(later[0]!)).toMatchObject({ errorCode: 'DisabledException' });
    expect(later[0]!.EventTime!.getTime() - later[3]!.EventTime!.getTime()).toBeGreaterThanOrEqual(86_400_000);
  });

  test('pages with MaxResults and NextToken, and refuses what CloudTrail refuses', async () => {
    const client = cloudTrail(local.server);
    for (let i = 0; i < 5; i++) await kms().send(new CreateKeyCommand({ Description: `page ${i}` }));
    const all = await allEvents(client, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] });
    const paged = await allEvents(client, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }], MaxResults: 2 });
    expect(paged.map((e) => e.EventId)).toEqual(all.map((e) => e.EventId));
    const times = all.map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const first = await client.send(new LookupEventsCommand({ MaxResults: 1 }));
    await expect(client.send(new LookupEventsCommand({ MaxResults: 1, NextToken: first.NextToken, LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] }))).rejects.toMatchObject({
      name: 'InvalidNextTokenException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      client.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }, { AttributeKey: 'ReadOnly', AttributeValue: 'false' }] })),
    ).rejects.toMatchObject({ name: 'InvalidLookupAttributesException' });
    await expect(client.send(new LookupEventsCommand({ StartTime: new Date('2030-01-02'), EndTime: new Date('2030-01-01') }))).rejects.toMatchObject({ name: 'InvalidTimeRangeException' });
    await expect(client.send(new LookupEventsCommand({ MaxResults: 51 }))).rejects.toMatchObject({ name: 'ValidationException' });
    // Insights events do not exist here; a time range before everything finds nothing
    expect((await client.send(new LookupEventsCommand({ EventCategory: 'insight' }))).Events).toEqual([]);
    expect((await client.send(new LookupEventsCommand({ EndTime: new Date('2020-01-01') }))).Events).toEqual([]);
  });

  test('each account and Region sees only its own events, and reading the trail adds nothing to it', async () => {
    await local.server.kms({ accessKeyId: '444455556666' }).send(new CreateKeyCommand({ Description: 'other account' }));
    await local.server.kms({ accessKeyId: ACCOUNT, region: 'eu-west-1' }).send(new CreateKeyCommand({ Description: 'other region' }));
    const other = await allEvents(cloudTrail(local.server, '444455556666'));
    expect(other.map((e) => [e.EventName, record(e).recipientAccountId, record(e).awsRegion])).toEqual([['CreateKey', '444455556666', 'us-east-1']]);
    const eu = await allEvents(cloudTrail(local.server, ACCOUNT, 'eu-west-1'));
    expect(eu.map((e) => (record(e).requestParameters as { description: string }).description)).toEqual(['other region']);
    expect(await allEvents(cloudTrail(local.server, '444455556666'))).toHaveLength(1);
  });

  test('records the service events AWS records: key deletion at the end of its window, as AwsServiceEvent', async () => {
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({}));
    await kms().send(new CreateAliasCommand({ AliasName: 'alias/audited', TargetKeyId: KeyMetadata!.KeyId }));
    await kms().send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
    await local.server.advanceClock(7 * 86_400 + 1);
    const events = await allEvents(cloudTrail(local.server), { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn! }] });
    expect(events.map((e) => e.EventName)).toEqual(['DeleteKey', 'ScheduleKeyDeletion', 'CreateAlias', 'CreateKey']);
    expect(events[0]).not.toHaveProperty('Username');
    expect(record(events[0]!)).toMatchObject({
      userIdentity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' },
      sourceIPAddress: 'AWS Internal',
      requestParameters: null,
      responseElements: { keyId: KeyMetadata!.Arn },
      eventType: 'AwsServiceEvent',
      readOnly: false,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KeyMetadata!.Arn }],
    });
    expect(record(events[1]!)).toMatchObject({ requestParameters: { keyId: KeyMetadata!.KeyId, pendingWindowInDays: 7 }, responseElements: { keyId: KeyMetadata!.Arn, keyState: 'PendingDeletion' } });
    expect(record(events[2]!)).toMatchObject({
      requestParameters: { aliasName: 'alias/audited', targetKeyId: KeyMetadata!.KeyId },
      responseElements: null,
      resources: [{ ARN: KeyMetadata!.Arn }, { type: 'AWS::KMS::Alias', ARN: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/audited` }],
    });
  });

  test('records DeleteKey at the DeletionDate of the key, not when a late deletion timer ran (D137)', async () => {
    // GIVEN a key scheduled for deletion in 7 days
    const { KeyMetadata } = await kms().send(new CreateKeyCommand({}));
    const keyArn = KeyMetadata!.Arn!;
    const { DeletionDate } = await kms().send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    // WHEN the clock jumps 30 days in one step (a process that was down, a moved clock): the timer runs 23 days late
    const after = await local.server.advanceClock(30 * 86_400);
    await expect(kms().send(new DescribeKeyCommand({ KeyId: keyArn }))).rejects.toMatchObject({ name: 'NotFoundException' });
    // THEN the trail dates DeleteKey at the DeletionDate ScheduleKeyDeletion answered (the record in CloudTrail's whole seconds)
    const events = await allEvents(cloudTrail(local.server), { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyArn }] });
    expect(events.map((e) => e.EventName)).toEqual(['DeleteKey', 'ScheduleKeyDeletion', 'CreateKey']);
    expect(events[0]!.EventTime).toEqual(DeletionDate);
    const wholeSecond = new Date(Math.floor(DeletionDate!.getTime() / 1000) * 1000);
    expect(record(events[0]!)).toMatchObject({ eventTime: wholeSecond.toISOString().replace('.000Z', 'Z'), eventType: 'AwsServiceEvent' });
    expect(after * 1000 - DeletionDate!.getTime()).toBeGreaterThanOrEqual(23 * 86_400_000);
    // and the server's event log line carries the same instant, to the millisecond
    const line = local.server
      .output()
      .stdout.split('\n')
      .find((l) => l.includes('"DeleteKey"') && l.includes(keyArn));
    expect(JSON.parse(line!)).toMatchObject({ event: 'DeleteKey', keyArn, time: DeletionDate!.toISOString() });
  });

  test('records DeleteExpiredKeyMaterial at the instant the material expired, not when a later timer or call stored it (D151)', async () => {
    // GIVEN a key with a staged material (PENDING_ROTATION: the key stays usable) that expires in an hour
    const now = await local.server.clockNow();
    const key = await createImportedKey(kms());
    const validTo = at(Math.ceil(now) + 3600);
    const staged = await importMaterial(kms(), key.keyId, newMaterial(), { importType: 'NEW_KEY_MATERIAL', validTo });
    // WHEN two hours pass, and then DisableKey is called twice (the second changes nothing)
    await local.server.advanceClock(7200);
    await kms().send(new DisableKeyCommand({ KeyId: key.keyId }));
    await kms().send(new DisableKeyCommand({ KeyId: key.keyId }));
    // THEN the trail has one deletion of that material, dated ValidTo
    const events = await allEvents(cloudTrail(local.server), { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: key.arn }] });
    const expiries = events.filter((e) => e.EventName === 'DeleteExpiredKeyMaterial');
    expect(expiries).toHaveLength(1);
    expect(expiries[0]!.EventTime).toEqual(validTo);
    expect(record(expiries[0]!)).toMatchObject({
      eventTime: validTo.toISOString().replace('.000Z', 'Z'),
      eventType: 'AwsServiceEvent',
      serviceEventDetails: { keyId: key.keyId, keyMaterialId: staged.KeyMaterialId },
    });
    // newest first by event time: the deletion comes after the DisableKey calls made an hour after it
    expect(events.map((e) => e.EventName).slice(0, 3)).toEqual(['DisableKey', 'DisableKey', 'DeleteExpiredKeyMaterial']);
  });

  test('the AWS CLI reads it unmodified: aws cloudtrail lookup-events --endpoint-url', async () => {
    const created = await tool('aws', ['kms', 'create-key', '--description', 'for the cli', '--endpoint-url', local.server.endpoint, '--output', 'json'], { env: awsEnv(ACCOUNT) });
    const { KeyMetadata } = JSON.parse(created.stdout) as { KeyMetadata: { Arn: string } };
    const res = await tool(
      'aws',
      ['cloudtrail', 'lookup-events', '--endpoint-url', local.server.endpoint, '--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${KeyMetadata!.Arn}`, '--output', 'json'],
      { env: awsEnv(ACCOUNT) },
    );
    expect(res.stderr).toBe('');
    const { Events } = JSON.parse(res.stdout) as { Events: Event[] };
    expect(Events).toHaveLength(1);
    expect(Events[0]).toMatchObject({ EventName: 'CreateKey', ReadOnly: 'false', Username: 'root', Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: KeyMetadata!.Arn }] });
    expect((JSON.parse(Events[0]!.CloudTrailEvent!) as { userAgent: string }).userAgent).toMatch(/^aws-cli\//);
  });
});

describe('the audit trail on disk', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-audit-kill-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('every call whose response arrived is in the trail after the server is killed with SIGKILL', async () => {
    // GIVEN a server taking a stream of calls
    const server = await startLocalServer({ dataDir });
    const kms: KMSClient = server.kms({ accessKeyId: ACCOUNT });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const out = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x') }));
          acknowledged.push(out.$metadata.requestId!);
        } catch {
          return; // the server is gone
        }
      }
    });
    while (acknowledged.length < 40) await new Promise((r) => setImmediate(r));
    // WHEN it is killed without warning while calls are in flight
    await server.kill();
    stop = true;
    await Promise.all(writers);

    // THEN a new server on the same directory has the record of every acknowledged call
    const restarted = await startLocalServer({ dataDir });
    try {
      const events = await allEvents(cloudTrail(restarted), { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }] });
      const recorded = new Set(events.map((e) => record(e).requestID as string));
      expect(acknowledged.filter((id) => !recorded.has(id))).toEqual([]);
      expect(events.length).toBeGreaterThanOrEqual(acknowledged.length);
    } finally {
      await restarted.stop();
    }
  });
});

describe('the audit trail in enforce mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-audit-enforce-'));
  let server: LocalServer;
  let role: { AccessKeyId: string; SecretAccessKey: string };
  let user: { AccessKeyId: string; SecretAccessKey: string };
  const issue = async (principal: string) => {
    const res = await tool(process.execPath, ['--import', 'tsx', 'bin/credentials.ts', 'create', '--principal', principal, '--data-dir', dataDir]);
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout) as { AccessKeyId: string; SecretAccessKey: string };
  };
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('records who called: the role session and the IAM user, signed for cloudtrail', async () => {
    // GIVEN credentials of two principals, issued with the CLI, and a server enforcing SigV4
    role = await issue(`arn:aws:iam::${ACCOUNT}:role/app`);
    user = await issue(`arn:aws:iam::${ACCOUNT}:user/Alice`);
    server = await startLocalServer({ dataDir, auth: 'enforce' });
    const asRole = server.kms({ accessKeyId: role.AccessKeyId, secretAccessKey: role.SecretAccessKey });
    const asUser = server.kms({ accessKeyId: user.AccessKeyId, secretAccessKey: user.SecretAccessKey });
    // WHEN each calls KMS
    const { KeyMetadata } = await asRole.send(new CreateKeyCommand({}));
    await asUser.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    // THEN the trail says who did what
    const trail = cloudTrail(server, user.AccessKeyId, 'us-east-1', user.SecretAccessKey);
    const [byRole] = await allEvents(trail, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: role.AccessKeyId }] });
    expect(byRole).toMatchObject({ EventName: 'CreateKey', AccessKeyId: role.AccessKeyId });
    expect(record(byRole!).userIdentity).toEqual({
      type: 'AssumedRole',
      principalId: expect.stringMatching(new RegExp(`^AROA[A-Z2-7]{17}:${role.AccessKeyId}$`)),
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/${role.AccessKeyId}`,
      accountId: ACCOUNT,
      accessKeyId: role.AccessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: expect.stringMatching(/^AROA[A-Z2-7]{17}$/), arn: `arn:aws:iam::${ACCOUNT}:role/app`, accountId: ACCOUNT, userName: 'app' },
        attributes: { creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), mfaAuthenticated: 'false' },
      },
    });
    const [byUser] = await allEvents(trail, { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'Alice' }] });
    expect(record(byUser!).userIdentity).toEqual({
      type: 'IAMUser',
      principalId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
      arn: `arn:aws:iam::${ACCOUNT}:user/Alice`,
      accountId: ACCOUNT,
      accessKeyId: user.AccessKeyId,
      userName: 'Alice',
    });
  });

  test('LookupEvents must be signed, for the cloudtrail signing name', async () => {
    const res = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
    // a CloudTrail call signed for kms does not verify
    const misSigned = new CloudTrailClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: user.AccessKeyId, secretAccessKey: user.SecretAccessKey },
      signingName: 'kms',
      maxAttempts: 1,
    } as CloudTrailClientConfig);
    await expect(misSigned.send(new LookupEventsCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'cloudtrail'. " });
  });
});
