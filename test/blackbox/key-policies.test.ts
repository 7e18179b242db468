/**
 * Key policies through the real SDK (spec kms-policies-grants-rotation.md §1; D60–D65): the default
 * policy byte for byte, documents returned exactly as sent, every refusal AWS makes (and nothing stored
 * after one), every key state, and the policy gone with its key. Policies are stored, not enforced.
 */
import {
  CreateKeyCommand,
  GetKeyPolicyCommand,
  ListKeyPoliciesCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { DAY, createExternalKey, createKey, expectKmsError, useLocalServer } from './helpers';

const local = useLocalServer();

// Open mode: the default credentials act as account 000000000000.
const ROOT = 'arn:aws:iam::000000000000:root';
const DEFAULT_POLICY = `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "${ROOT}"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;

/** What Terraform sends: compact JSON, keys sorted. */
const COMPACT = JSON.stringify({
  Statement: [
    { Action: 'kms:*', Effect: 'Allow', Principal: { AWS: ROOT }, Resource: '*', Sid: 'Enable IAM User Permissions' },
    { Action: ['kms:Decrypt', 'kms:Encrypt'], Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:role/App' }, Resource: '*', Sid: 'App' },
  ],
  Version: '2012-10-17',
});

const policyOf = async (keyId: string) => (await local.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy;

describe('the default key policy', () => {
  test('is what AWS writes, byte for byte, named default, with or without PolicyName', async () => {
    const { KeyId, Arn } = await createKey(local.kms);
    expect(await local.kms.send(new GetKeyPolicyCommand({ KeyId }))).toMatchObject({ Policy: DEFAULT_POLICY, PolicyName: 'default' });
    expect(await policyOf(Arn!)).toBe(DEFAULT_POLICY);
  });

  test('names the account and partition of the key', async () => {
    const cn = local.server.kms({ region: 'cn-north-1', accessKeyId: '444455556666' });
    const { KeyId } = await createKey(cn);
    const { Policy } = await cn.send(new GetKeyPolicyCommand({ KeyId }));
    expect(Policy).toBe(DEFAULT_POLICY.replace(ROOT, 'arn:aws-cn:iam::444455556666:root'));
    cn.destroy();
  });
});

describe('CreateKey with Policy and PutKeyPolicy', () => {
  test('return the document exactly as it was sent, compact or pretty', async () => {
    const { KeyId } = await createKey(local.kms, { Policy: COMPACT });
    expect(await policyOf(KeyId!)).toBe(COMPACT);
    const pretty = `${JSON.stringify(JSON.parse(COMPACT), null, '\t')}\r\n`;
    await local.kms.send(new PutKeyPolicyCommand({ KeyId, Policy: pretty }));
    expect(await policyOf(KeyId!)).toBe(pretty);
  });

  test('ListKeyPolicies lists default, not truncated', async () => {
    const { KeyId } = await createKey(local.kms);
    expect(await local.kms.send(new ListKeyPoliciesCommand({ KeyId, Limit: 1 }))).toMatchObject({ PolicyNames: ['default'], Truncated: false });
  });

  test('succeed in PendingImport and PendingDeletion (every key state)', async () => {
    const { KeyId } = await createExternalKey(local.kms, { Policy: COMPACT });
    await local.kms.send(new PutKeyPolicyCommand({ KeyId, Policy: DEFAULT_POLICY }));
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    await local.kms.send(new PutKeyPolicyCommand({ KeyId, Policy: COMPACT, PolicyName: 'default' }));
    expect(await policyOf(KeyId!)).toBe(COMPACT);
    expect((await local.kms.send(new ListKeyPoliciesCommand({ KeyId }))).PolicyNames).toEqual(['default']);
  });

  test('BypassPolicyLockoutSafetyCheck accepts a policy that does not let the caller update it', async () => {
    const lockedOut = COMPACT.replace(`"Principal":{"AWS":"${ROOT}"}`, '"Principal":{"AWS":"arn:aws:iam::000000000000:role/Admin"}');
    await expectKmsError(local.kms.send(new CreateKeyCommand({ Policy: lockedOut })), 'MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
    const { KeyId } = await createKey(local.kms, { Policy: lockedOut, BypassPolicyLockoutSafetyCheck: true });
    expect(await policyOf(KeyId!)).toBe(lockedOut);
  });
});

describe('refusals leave the stored policy as it was', () => {
  const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] });
  const groupPrincipal = COMPACT.replace('role/App', 'group/Admins');
  const tooLarge = COMPACT.replace('"Sid":"App"', `"Sid":"${'x'.repeat(32_768)}"`);

  test.each([
    ['a document that is not JSON', 'not a real policy statement', 'MalformedPolicyDocumentException', ''],
    ['a statement with no principal', noPrincipal, 'MalformedPolicyDocumentException', 'Policy contains a statement with no principal.'],
    ['an IAM group as principal', groupPrincipal, 'MalformedPolicyDocumentException', 'Policy contains a statement with one or more invalid principals.'],
    ['more than 32768 bytes', tooLarge, 'LimitExceededException', 'Cannot exceed quota for PolicySize: 32768'],
    ['a character above U+00FF', COMPACT.replace('"Sid":"App"', '"Sid":"App ✓"'), 'ValidationException', /^1 validation error detected: Value '.*' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: /],
  ])('PutKeyPolicy and CreateKey refuse %s', async (_, policy, name, message) => {
    const { KeyId } = await createKey(local.kms, { Policy: COMPACT });
    await expectKmsError(local.kms.send(new PutKeyPolicyCommand({ KeyId, Policy: policy })), name, message);
    expect(await policyOf(KeyId!)).toBe(COMPACT);
    await expectKmsError(local.kms.send(new CreateKeyCommand({ Policy: policy, Description: 'refused' })), name, message);
  });

  test('a policy name other than default is NotFoundException (D65)', async () => {
    const { KeyId } = await createKey(local.kms);
    await expectKmsError(local.kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'custom' })), 'NotFoundException', 'No such policy exists');
    await expectKmsError(local.kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'custom', Policy: COMPACT })), 'NotFoundException', 'No such policy exists');
    expect(await policyOf(KeyId!)).toBe(DEFAULT_POLICY);
  });

  test('an alias is refused where only a key ID or ARN is taken (D18)', async () => {
    for (const call of [
      new GetKeyPolicyCommand({ KeyId: 'alias/some' }),
      new PutKeyPolicyCommand({ KeyId: 'alias/some', Policy: COMPACT }),
      new ListKeyPoliciesCommand({ KeyId: 'alias/some' }),
    ]) {
      await expectKmsError(local.kms.send(call as never), 'NotFoundException', "Invalid keyId 'alias/some'");
    }
  });
});

describe('with clock control', () => {
  const clocked = useLocalServer({ inMemory: true, clockControl: true });

  test('the policy is gone with its key once the deletion window has passed', async () => {
    const { KeyId, Arn } = await createKey(clocked.kms, { Policy: COMPACT });
    await clocked.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    expect((await clocked.kms.send(new GetKeyPolicyCommand({ KeyId }))).Policy).toBe(COMPACT);
    await clocked.server.advanceClock(7 * DAY + 1);
    await expectKmsError(clocked.kms.send(new GetKeyPolicyCommand({ KeyId })), 'NotFoundException', `Key '${Arn}' does not exist`);
    await expectKmsError(clocked.kms.send(new PutKeyPolicyCommand({ KeyId, Policy: COMPACT })), 'NotFoundException', `Key '${Arn}' does not exist`);
  });
});
