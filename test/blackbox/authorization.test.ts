/**
 * Enforce mode decides who may do what, as AWS does (design decision 11, D108–D112): several
 * principals with credentials issued by `npm run credentials` (some with an identity policy), a server
 * started with `--auth enforce`, and the AWS SDK and AWS CLI v1 as the callers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  type KMSClient,
  GenerateRandomCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type LocalServer, startLocalServer } from '../support/local-server';
import { tool } from '../support/tools';
import { expectKmsError } from './helpers';

const ACCT = '111122223333';
const arn = (resource: string) => `arn:aws:iam::${ACCT}:${resource}`;
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const ACCOUNT_STATEMENT = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: arn('root') }, Action: 'kms:*', Resource: '*' };

interface Credential {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly Principal: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-authz-'));
let server: LocalServer;
/** No identity policy: may do whatever the account may (D108). */
let admin: Credential;
let batch: Credential;
/** Identity policy: Encrypt, Decrypt, DescribeKey, GenerateDataKey on keys of the account. */
let app: Credential;
/** Identity policy: read the trail and list keys, nothing else. */
let auditor: Credential;
/** Identity policy: Encrypt and DescribeKey, not Decrypt. */
let reporting: Credential;
/** Identity policy: CreateKey, DescribeKey, ListKeys and GenerateRandom, each only where kms:CallerAccount is its account. */
let inAccount: Credential;

async function issue(principal: string, identityPolicy?: object): Promise<Credential> {
  const args = ['--import', 'tsx', 'bin/credentials.ts', 'create', '--principal', principal, '--data-dir', dataDir];
  if (identityPolicy) {
    const file = join(dataDir, `${principal.replace(/\W/g, '_')}.json`);
    writeFileSync(file, JSON.stringify(identityPolicy));
    args.push('--policy', `file://${file}`);
  }
  const res = await tool(process.execPath, args);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as Credential;
}

const kmsAs = (c: Credential): KMSClient => server.kms({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey });
const sessionArn = (c: Credential, role: string) => `arn:aws:sts::${ACCT}:assumed-role/${role}/${c.AccessKeyId}`;

beforeAll(async () => {
  // GIVEN four principals' credentials, issued while the server is stopped, and a server enforcing SigV4
  admin = await issue(arn('role/admin'));
  batch = await issue(arn('role/batch'));
  app = await issue(arn('role/app'), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*'], Resource: `arn:aws:kms:*:${ACCT}:key/*` }],
  });
  auditor = await issue(arn('user/auditor'), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['cloudtrail:LookupEvents', 'kms:List*', 'kms:Describe*'], Resource: '*' }],
  });
  reporting = await issue(arn('role/reporting'), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:DescribeKey'], Resource: '*' }],
  });
  inAccount = await issue(arn('role/in-account'), {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:DescribeKey', 'kms:ListKeys', 'kms:GenerateRandom'], Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': ACCT } } }],
  });
  server = await startLocalServer({ dataDir, auth: 'enforce' });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the default key policy delegates to the account: identity policies decide', () => {
  test('a role allowed Encrypt and Decrypt uses the key; CreateKey and ListKeys are refused to it', async () => {
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({}));
    const { CiphertextBlob } = await kmsAs(app).send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('hello') }));
    const { Plaintext } = await kmsAs(app).send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe('hello');

    const appArn = sessionArn(app, 'app');
    await expectKmsError(
      kmsAs(app).send(new CreateKeyCommand({})),
      'AccessDeniedException',
      `User: ${appArn} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`,
    );
    await expectKmsError(kmsAs(app).send(new ListKeysCommand({})), 'AccessDeniedException', /kms:ListKeys on resource: \* because no identity-based policy allows/);
    // key management is not in its identity policy either
    await expectKmsError(
      kmsAs(app).send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId })),
      'AccessDeniedException',
      `User: ${appArn} is not authorized to perform: kms:ScheduleKeyDeletion on resource: ${KeyMetadata!.Arn} because no identity-based policy allows the kms:ScheduleKeyDeletion action`,
    );
    expect((await kmsAs(admin).send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata?.KeyState).toBe('Enabled');
  });
});

describe('the key policy decides', () => {
  test('"our app\'s role loses kms:Decrypt and must fail cleanly": an explicit Deny wins over the account statement', async () => {
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({}));
    const keyArn = KeyMetadata!.Arn!;
    const { CiphertextBlob } = await kmsAs(app).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('data') }));
    // WHEN the administrator takes Decrypt away from the role
    const denyApp = { Sid: 'no decrypt for app', Effect: 'Deny', Principal: { AWS: arn('role/app') }, Action: 'kms:Decrypt', Resource: '*' };
    await kmsAs(admin).send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policy(ACCOUNT_STATEMENT, denyApp) }));
    // THEN Decrypt fails with AWS's message, and Encrypt still works
    const err = await expectKmsError(
      kmsAs(app).send(new DecryptCommand({ CiphertextBlob })),
      'AccessDeniedException',
      `User: ${sessionArn(app, 'app')} is not authorized to perform: kms:Decrypt on resource: ${keyArn} with an explicit deny in a resource-based policy`,
    );
    expect(err.$metadata.httpStatusCode).toBe(400);
    await kmsAs(app).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('still') }));
  });

  test('"only from our networks": IpAddress and NotIpAddress on aws:SourceIp (the SDK calls from 127.0.0.1)', async () => {
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({}));
    const keyArn = KeyMetadata!.Arn!;
    const encrypt = (c: Credential) => kmsAs(c).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('data') }));
    // a Deny for requests from outside 10.0.0.0/8 refuses the app's role, which the account statement allows
    const outside = (...networks: string[]) => ({ Effect: 'Deny', Principal: { AWS: arn('role/app') }, Action: 'kms:Encrypt', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': networks } } });
    await kmsAs(admin).send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policy(ACCOUNT_STATEMENT, outside('10.0.0.0/8')) }));
    await expectKmsError(encrypt(app), 'AccessDeniedException', `User: ${sessionArn(app, 'app')} is not authorized to perform: kms:Encrypt on resource: ${keyArn} with an explicit deny in a resource-based policy`);
    // once the loopback network is one of ours, it does not
    await kmsAs(admin).send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policy(ACCOUNT_STATEMENT, outside('10.0.0.0/8', '127.0.0.0/8')) }));
    await encrypt(app);

    // an Allow from one network: the batch role (named nowhere else) from 127.0.0.1, not from 10.0.0.0/8
    const admins = { Effect: 'Allow', Principal: { AWS: arn('role/admin') }, Action: 'kms:*', Resource: '*' };
    const batchFrom = (network: string) => ({ Effect: 'Allow', Principal: { AWS: arn('role/batch') }, Action: 'kms:Encrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': network } } });
    await kmsAs(admin).send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policy(admins, batchFrom('127.0.0.1/32')) }));
    await encrypt(batch);
    await kmsAs(admin).send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policy(admins, batchFrom('10.0.0.0/8')) }));
    await expectKmsError(encrypt(batch), 'AccessDeniedException', `User: ${sessionArn(batch, 'batch')} is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no resource-based policy allows the kms:Encrypt action`);
  });

  test('"only the admin role may schedule deletion": a refused ScheduleKeyDeletion changes nothing', async () => {
    const onlyAdminDeletes = {
      Sid: 'only admin deletes',
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:ScheduleKeyDeletion',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': arn('role/admin') } },
    };
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({ Policy: policy(ACCOUNT_STATEMENT, onlyAdminDeletes) }));
    await expectKmsError(kmsAs(batch).send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 })), 'AccessDeniedException', /with an explicit deny in a resource-based policy$/);
    expect((await kmsAs(batch).send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata?.KeyState).toBe('Enabled');
    await kmsAs(admin).send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
    expect((await kmsAs(batch).send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata?.KeyState).toBe('PendingDeletion');
  });

  test('a statement naming a principal needs no identity policy; without the account statement identity Allows are ineffective', async () => {
    const adminAll = { Sid: 'admin', Effect: 'Allow', Principal: { AWS: arn('role/admin') }, Action: 'kms:*', Resource: '*' };
    const batchUse = {
      Sid: 'batch decrypts its tenant',
      Effect: 'Allow',
      Principal: { AWS: arn('role/batch') },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } },
    };
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({ Policy: policy(adminAll, batchUse) }));
    const keyId = KeyMetadata!.KeyId!;
    // batch, named with a condition on the encryption context
    const { CiphertextBlob } = await kmsAs(batch).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'a' } }));
    await kmsAs(batch).send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'a' } }));
    await expectKmsError(
      kmsAs(batch).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'b' } })),
      'AccessDeniedException',
      `User: ${sessionArn(batch, 'batch')} is not authorized to perform: kms:Encrypt on resource: ${KeyMetadata!.Arn} because no resource-based policy allows the kms:Encrypt action`,
    );
    // app's identity policy allows Decrypt, but this key policy does not delegate to the account
    await expectKmsError(kmsAs(app).send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'a' } })), 'AccessDeniedException', /because no resource-based policy allows the kms:Decrypt action$/);
  });

  test('the lockout safety check: a policy that would lock the caller out is refused unless bypassed', async () => {
    const { KeyMetadata } = await kmsAs(batch).send(new CreateKeyCommand({}));
    const keyId = KeyMetadata!.KeyId!;
    const adminOnly = policy({ Sid: 'admin', Effect: 'Allow', Principal: { AWS: arn('role/admin') }, Action: 'kms:*', Resource: '*' });
    await expectKmsError(
      kmsAs(batch).send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: adminOnly })),
      'MalformedPolicyDocumentException',
      'The new key policy will not allow you to update the key policy in the future.',
    );
    // the same policy is fine for the administrator it names
    await expectKmsError(kmsAs(batch).send(new CreateKeyCommand({ Policy: adminOnly })), 'MalformedPolicyDocumentException', /will not allow you to update/);
    await kmsAs(admin).send(new CreateKeyCommand({ Policy: adminOnly }));
    // bypassed, it locks batch out, as AWS warns
    await kmsAs(batch).send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: adminOnly, BypassPolicyLockoutSafetyCheck: true }));
    await expectKmsError(kmsAs(batch).send(new GetKeyPolicyCommand({ KeyId: keyId })), 'AccessDeniedException', /kms:GetKeyPolicy .* because no resource-based policy allows/);
    expect((await kmsAs(admin).send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy).toBe(adminOnly);
  });
});

describe('grants', () => {
  test('a grant allows its operations to its grantee within its constraints, until it is revoked', async () => {
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({ Policy: policy({ Sid: 'admin', Effect: 'Allow', Principal: { AWS: arn('role/admin') }, Action: 'kms:*', Resource: '*' }) }));
    const keyId = KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await kmsAs(admin).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('g'), EncryptionContext: { tenant: 'a', run: '1' } }));
    await expectKmsError(kmsAs(batch).send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'a', run: '1' } })), 'AccessDeniedException');

    // WHEN the administrator grants Decrypt to batch's role, for tenant a
    const { GrantId } = await kmsAs(admin).send(
      new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: arn('role/batch'), Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { tenant: 'a' } } }),
    );
    // THEN batch decrypts within the constraint, and nothing else
    await kmsAs(batch).send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'a', run: '1' } }));
    await expectKmsError(kmsAs(batch).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('g'), EncryptionContext: { tenant: 'a' } })), 'AccessDeniedException', /kms:Encrypt/);
    const other = await kmsAs(admin).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('g'), EncryptionContext: { tenant: 'b' } }));
    await expectKmsError(kmsAs(batch).send(new DecryptCommand({ CiphertextBlob: other.CiphertextBlob, EncryptionContext: { tenant: 'b' } })), 'AccessDeniedException', /kms:Decrypt/);
    // the grantee may not retire a grant without RetireGrant, nor revoke it
    await expectKmsError(kmsAs(batch).send(new RevokeGrantCommand({ KeyId: keyId, GrantId })), 'AccessDeniedException', /kms:RevokeGrant/);
    // AND once revoked, batch is refused again
    await kmsAs(admin).send(new RevokeGrantCommand({ KeyId: keyId, GrantId }));
    await expectKmsError(kmsAs(batch).send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'a', run: '1' } })), 'AccessDeniedException');
  });

  test('the retiring principal retires a grant; a stranger to the grant may not', async () => {
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({ Policy: policy({ Sid: 'admin', Effect: 'Allow', Principal: { AWS: arn('role/admin') }, Action: 'kms:*', Resource: '*' }) }));
    const { GrantToken } = await kmsAs(admin).send(
      new CreateGrantCommand({ KeyId: KeyMetadata!.KeyId, GranteePrincipal: arn('role/batch'), RetiringPrincipal: arn('role/app'), Operations: ['DescribeKey'] }),
    );
    await expectKmsError(kmsAs(auditor).send(new RetireGrantCommand({ GrantToken })), 'AccessDeniedException', /kms:RetireGrant/);
    await kmsAs(app).send(new RetireGrantCommand({ GrantToken }));
  });
});

describe('the audit trail in enforce mode', () => {
  test('reading it needs cloudtrail:LookupEvents; refusals are in it', async () => {
    const trail = (c: Credential) => new CloudTrailClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey }, maxAttempts: 1 });
    await expect(trail(app).send(new LookupEventsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${sessionArn(app, 'app')} is not authorized to perform: cloudtrail:LookupEvents on resource: * because no identity-based policy allows the cloudtrail:LookupEvents action`,
    });
    const { Events } = await trail(auditor).send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }));
    const refusals = (Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!) as Record<string, unknown>).filter((e) => e.errorCode === 'AccessDeniedException');
    expect(refusals).toContainEqual(expect.objectContaining({ eventName: 'CreateKey', userIdentity: expect.objectContaining({ arn: sessionArn(app, 'app') }) }));
  });
});

describe('the AWS CLI sees the same', () => {
  const cli = (c: Credential, args: string[]) =>
    tool('aws', [...args, '--endpoint-url', server.endpoint, '--output', 'json'], {
      env: { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '' },
    });

  test('an allowed call succeeds, a refused one exits with AccessDeniedException and AWS\'s message', async () => {
    const created = await cli(admin, ['kms', 'create-key', '--policy', policy({ Sid: 'admin', Effect: 'Allow', Principal: { AWS: arn('role/admin') }, Action: 'kms:*', Resource: '*' })]);
    expect(created.code, created.stderr).toBe(0);
    const keyArn = (JSON.parse(created.stdout) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn;
    expect((await cli(admin, ['kms', 'describe-key', '--key-id', keyArn])).code).toBe(0);

    const refused = await cli(app, ['kms', 'describe-key', '--key-id', keyArn]);
    expect(refused.code).toBe(255);
    expect(refused.stderr.trim()).toBe(
      `An error occurred (AccessDeniedException) when calling the DescribeKey operation: User: ${sessionArn(app, 'app')} is not authorized to perform: kms:DescribeKey on resource: ${keyArn} because no resource-based policy allows the kms:DescribeKey action`,
    );
    const lookup = await cli(auditor, ['cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${keyArn}`]);
    expect(lookup.code, lookup.stderr).toBe(0);
    const names = (JSON.parse(lookup.stdout) as { Events: { EventName: string }[] }).Events.map((e) => e.EventName);
    expect(names).toEqual(['DescribeKey', 'DescribeKey', 'CreateKey']);
    expect((await cli(app, ['cloudtrail', 'lookup-events'])).stderr).toMatch(/\(AccessDeniedException\) when calling the LookupEvents operation: User: .* is not authorized to perform: cloudtrail:LookupEvents/);
  });
  test('aws kms decrypt: refused to a role lacking kms:Decrypt and by an explicit Deny, allowed by a grant within its constraints; the refusals in aws cloudtrail lookup-events', async () => {
    // GIVEN a key whose policy delegates to the account and denies Decrypt to the app role, and two ciphertexts
    const denyApp = { Sid: 'no decrypt for app', Effect: 'Deny', Principal: { AWS: arn('role/app') }, Action: 'kms:Decrypt', Resource: '*' };
    const created = await cli(admin, ['kms', 'create-key', '--policy', policy(ACCOUNT_STATEMENT, denyApp)]);
    expect(created.code, created.stderr).toBe(0);
    const keyArn = (JSON.parse(created.stdout) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn;
    const blobFile = async (tenant: string) => {
      const { CiphertextBlob } = await kmsAs(admin).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from(`for ${tenant}`), EncryptionContext: { tenant } }));
      const file = join(dataDir, `cli-${tenant}.enc`);
      writeFileSync(file, CiphertextBlob!);
      return `fileb://${file}`;
    };
    const [forA, forB] = [await blobFile('a'), await blobFile('b')];
    const decrypt = (c: Credential, blob: string, tenant: string) => cli(c, ['kms', 'decrypt', '--ciphertext-blob', blob, '--encryption-context', `tenant=${tenant}`]);
    const refusal = (who: string, why: string) =>
      `An error occurred (AccessDeniedException) when calling the Decrypt operation: User: ${who} is not authorized to perform: kms:Decrypt on resource: ${keyArn} ${why}`;

    // WHEN the reporting role, whose identity policy lacks kms:Decrypt, decrypts THEN it is refused
    const lacking = await decrypt(reporting, forA, 'a');
    expect(lacking.code).toBe(255);
    expect(lacking.stderr.trim()).toBe(refusal(sessionArn(reporting, 'reporting'), 'because no identity-based policy allows the kms:Decrypt action'));
    // WHEN the app role, whose identity policy allows kms:Decrypt, decrypts THEN the key policy's Deny wins
    const denied = await decrypt(app, forA, 'a');
    expect(denied.code).toBe(255);
    expect(denied.stderr.trim()).toBe(refusal(sessionArn(app, 'app'), 'with an explicit deny in a resource-based policy'));

    // WHEN the administrator grants Decrypt to the reporting role for tenant a
    const grant = await cli(admin, [
      'kms', 'create-grant', '--key-id', keyArn, '--grantee-principal', arn('role/reporting'), '--operations', 'Decrypt',
      '--constraints', 'EncryptionContextSubset={tenant=a}',
    ]);
    expect(grant.code, grant.stderr).toBe(0);
    // THEN it decrypts tenant a's ciphertext, and still not tenant b's
    const allowed = await decrypt(reporting, forA, 'a');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(Buffer.from((JSON.parse(allowed.stdout) as { Plaintext: string }).Plaintext, 'base64').toString()).toBe('for a');
    const outside = await decrypt(reporting, forB, 'b');
    expect(outside.stderr.trim()).toBe(refusal(sessionArn(reporting, 'reporting'), 'because no identity-based policy allows the kms:Decrypt action'));

    // AND the trail, read with the AWS CLI, has the three refusals and the allowed call, newest first
    const lookup = await cli(auditor, ['cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${keyArn}`]);
    expect(lookup.code, lookup.stderr).toBe(0);
    const decrypts = (JSON.parse(lookup.stdout) as { Events: { EventName: string; Username: string; CloudTrailEvent: string }[] }).Events
      .filter((e) => e.EventName === 'Decrypt')
      .map((e) => JSON.parse(e.CloudTrailEvent) as { userIdentity: { arn: string }; errorCode?: string; errorMessage?: string });
    expect(decrypts.map((e) => [e.userIdentity.arn, e.errorCode ?? 'allowed'])).toEqual([
      [sessionArn(reporting, 'reporting'), 'AccessDeniedException'],
      [sessionArn(reporting, 'reporting'), 'allowed'],
      [sessionArn(app, 'app'), 'AccessDeniedException'],
      [sessionArn(reporting, 'reporting'), 'AccessDeniedException'],
    ]);
    expect(decrypts[2]!.errorMessage).toBe(denied.stderr.trim().replace(/^.*when calling the Decrypt operation: /, ''));
  });
});

describe('kms:CallerAccount is a key of the actions AWS gives it (D150)', () => {
  test('an identity policy allowing only where kms:CallerAccount is the account allows CreateKey and DescribeKey, never ListKeys or GenerateRandom', async () => {
    // GIVEN a role whose every Allow is conditioned on kms:CallerAccount
    const caller = sessionArn(inAccount, 'in-account');
    // THEN the actions on a key, and CreateKey, carry the key: the condition holds
    const { KeyMetadata } = await kmsAs(inAccount).send(new CreateKeyCommand({}));
    expect((await kmsAs(inAccount).send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata?.Arn).toBe(KeyMetadata!.Arn);
    // and the account-wide actions do not carry it, so the condition never holds, as on AWS
    await expectKmsError(
      kmsAs(inAccount).send(new ListKeysCommand({})),
      'AccessDeniedException',
      `User: ${caller} is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action`,
    );
    await expectKmsError(
      kmsAs(inAccount).send(new GenerateRandomCommand({ NumberOfBytes: 16 })),
      'AccessDeniedException',
      `User: ${caller} is not authorized to perform: kms:GenerateRandom on resource: * because no identity-based policy allows the kms:GenerateRandom action`,
    );
  });
});

describe("conditions on what a request leaves to its defaults, as AWS's condition-key examples use them", () => {
  test('"AllowOnlySymmetricAlgorithm": a Deny unless kms:EncryptionAlgorithm is SYMMETRIC_DEFAULT lets requests that name no algorithm through', async () => {
    const onlySymmetric = {
      Sid: 'AllowOnlySymmetricAlgorithm',
      Effect: 'Deny',
      Principal: '*',
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } },
    };
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({ Policy: policy(ACCOUNT_STATEMENT, onlySymmetric) }));
    const keyArn = KeyMetadata!.Arn!;
    // no EncryptionAlgorithm: the default SYMMETRIC_DEFAULT is the algorithm, as it always is for data keys
    const { CiphertextBlob } = await kmsAs(app).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('sym') }));
    const { Plaintext } = await kmsAs(app).send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe('sym');
    const dataKey = await kmsAs(app).send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' }));
    expect(dataKey.KeyId).toBe(keyArn);
    await kmsAs(app).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('sym'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }));
    // another algorithm named: the Deny applies, before the key's usage is looked at
    await expectKmsError(
      kmsAs(app).send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('rsa'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'AccessDeniedException',
      `User: ${sessionArn(app, 'app')} is not authorized to perform: kms:Encrypt on resource: ${keyArn} with an explicit deny in a resource-based policy`,
    );
  });

  test('an Allow of PutKeyPolicy with Null kms:BypassPolicyLockoutSafetyCheck allows exactly the requests without it', async () => {
    const adminElse = { Sid: 'admin', Effect: 'Allow', Principal: { AWS: arn('role/admin') }, NotAction: 'kms:PutKeyPolicy', Resource: '*' };
    const noBypass = {
      Sid: 'policy updates that keep the safety check',
      Effect: 'Allow',
      Principal: { AWS: arn('role/admin') },
      Action: 'kms:PutKeyPolicy',
      Resource: '*',
      Condition: { Null: { 'kms:BypassPolicyLockoutSafetyCheck': true } },
    };
    const keyPolicy = policy(adminElse, noBypass);
    const { KeyMetadata } = await kmsAs(admin).send(new CreateKeyCommand({ Policy: keyPolicy }));
    const keyArn = KeyMetadata!.Arn!;
    await kmsAs(admin).send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: keyPolicy }));
    for (const bypass of [true, false]) {
      await expectKmsError(
        kmsAs(admin).send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: keyPolicy, BypassPolicyLockoutSafetyCheck: bypass })),
        'AccessDeniedException',
        `User: ${sessionArn(admin, 'admin')} is not authorized to perform: kms:PutKeyPolicy on resource: ${keyArn} because no resource-based policy allows the kms:PutKeyPolicy action`,
      );
    }
  });
});
