/** Key policy documents: the default policy, the grammar and principal checks, the size limit, the lockout check. */
import { describe, expect, test } from 'vitest';
import { LimitExceededException, MalformedPolicyDocumentException } from '../../../../lambda/core/errors';
import { allowsPolicyUpdates } from '../../../../lambda/core/authorization/access';
import { checkPolicyWrite, defaultKeyPolicy, isGrantPrincipal, parseKeyPolicy } from '../../../../lambda/core/policy/key-policy';

const SCOPE = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const ROOT = 'arn:aws:iam::111122223333:root';
// Open mode: the caller is the account's root (enforce-mode callers: test/unit/core/authorization).
const openCtx = { scope: SCOPE };
const clock = { clock: { now: () => new Date('2026-01-01T00:00:00Z') } };
const write = { scope: SCOPE, bypassPolicyLockoutSafetyCheck: false, allowsUpdates: (document: unknown) => allowsPolicyUpdates(clock, openCtx, SCOPE, document, '1234abcd-12ab-34cd-56ef-1234567890ab') };

/** A policy of the given statements; the first one lets the account update the policy unless told otherwise. */
function policy(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}
const ADMIN = { Sid: 'admin', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };

function refusal(text: string, options = write): MalformedPolicyDocumentException {
  try {
    checkPolicyWrite(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedPolicyDocumentException);
    return err as MalformedPolicyDocumentException;
  }
  throw new Error(`accepted: ${text}`);
}

describe('the default key policy', () => {
  test('is the document AWS returns, byte for byte, with the account of the key', () => {
    expect(defaultKeyPolicy(SCOPE)).toBe(
      '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n    "Sid" : "Enable IAM User Permissions",\n' +
        '    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "arn:aws:iam::111122223333:root"\n    },\n    "Action" : "kms:*",\n' +
        '    "Resource" : "*"\n  } ]\n}',
    );
  });

  test('names the partition of the key', () => {
    expect(defaultKeyPolicy({ partition: 'aws-cn', account: '444455556666' })).toContain('"AWS" : "arn:aws-cn:iam::444455556666:root"');
  });

  test('passes its own checks', () => {
    expect(() => checkPolicyWrite(defaultKeyPolicy(SCOPE), write)).not.toThrow();
  });
});

describe('grammar', () => {
  test.each([
    ['not JSON', 'not a real policy statement'],
    ['truncated JSON', '{"Version":"2012-10-17",'],
    ['a JSON array', '[]'],
    ['a JSON string', '"policy"'],
    ['JSON null', 'null'],
  ])('fails with an empty MalformedPolicyDocumentException message for %s (as AWS)', (_, text) => {
    expect(refusal(text).message).toBe('');
  });

  test.each([
    ['an unknown top-level element', { Version: '2012-10-17', Statment: [ADMIN] }, 'Policy contains an unknown element: Statment.'],
    ['an unknown Version', { Version: '2011-01-01', Statement: [ADMIN] }, 'Policy has an invalid Version.'],
    ['no Statement', { Version: '2012-10-17' }, 'Policy contains no statement.'],
    ['an empty Statement list', { Version: '2012-10-17', Statement: [] }, 'Policy contains no statement.'],
    ['a statement that is a string', { Version: '2012-10-17', Statement: ['allow'] }, 'Policy contains a statement that is not an object.'],
    ['an unknown statement element', { Statement: [{ ...ADMIN, Effects: 'Allow' }] }, 'Policy contains a statement with an unknown element: Effects.'],
    ['an Effect other than Allow or Deny', { Statement: [{ ...ADMIN, Effect: 'allow' }] }, 'Policy contains a statement with an invalid Effect.'],
    ['no Action', { Statement: [{ Effect: 'Allow', Principal: '*', Resource: '*' }] }, 'Policy contains a statement without exactly one of Action and NotAction.'],
    ['both Action and NotAction', { Statement: [{ ...ADMIN, NotAction: 'kms:Decrypt' }] }, 'Policy contains a statement without exactly one of Action and NotAction.'],
    ['no Resource', { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*' }] }, 'Policy contains a statement without exactly one of Resource and NotResource.'],
    ['an empty Action list', { Statement: [{ ...ADMIN, Action: [] }] }, 'Policy contains a statement with an invalid Action.'],
    ['an action without a service prefix', { Statement: [{ ...ADMIN, Action: 'Decrypt' }] }, 'Policy contains a statement with an invalid action: Decrypt.'],
    ['a number as Resource', { Statement: [{ ...ADMIN, Resource: 1 }] }, 'Policy contains a statement with an invalid Resource.'],
    ['two statements with one Sid', { Statement: [ADMIN, { ...ADMIN, Action: 'kms:Decrypt' }] }, 'Policy contains more than one statement with Sid admin.'],
    ['a Condition that is not an object of objects', { Statement: [{ ...ADMIN, Condition: { StringEquals: 'x' } }] }, 'Policy contains a statement with an invalid Condition.'],
    ['a Version that is not a string', { Version: 2012, Statement: [ADMIN] }, 'Policy has an invalid Version.'],
    ['an Id that is not a string', { Id: 1, Statement: [ADMIN] }, 'Policy has an invalid Id.'],
    ['a Sid that is not a string', { Statement: [{ ...ADMIN, Sid: 1 }] }, 'Policy contains a statement with an invalid Sid.'],
    ['an empty NotAction list', { Statement: [{ ...ADMIN, Action: undefined, NotAction: [] }] }, 'Policy contains a statement with an invalid NotAction.'],
    ['an empty NotResource list', { Statement: [{ ...ADMIN, Resource: undefined, NotResource: [] }] }, 'Policy contains a statement with an invalid NotResource.'],
    ['a Resource list with one number in it', { Statement: [{ ...ADMIN, Resource: ['*', 1] }] }, 'Policy contains a statement with an invalid Resource.'],
    ['an empty Resource string', { Statement: [{ ...ADMIN, Resource: '' }] }, 'Policy contains a statement with an invalid Resource.'],
    ['a Condition that is a string', { Statement: [{ ...ADMIN, Condition: 'x' }] }, 'Policy contains a statement with an invalid Condition.'],
    ['a Condition that is a list', { Statement: [{ ...ADMIN, Condition: [] }] }, 'Policy contains a statement with an invalid Condition.'],
    ['an empty condition block', { Statement: [{ ...ADMIN, Condition: { StringEquals: {} } }] }, 'Policy contains a statement with an invalid Condition.'],
    ['a condition value that is an object', { Statement: [{ ...ADMIN, Condition: { StringEquals: { 'kms:CallerAccount': { a: 1 } } } }] }, 'Policy contains a statement with an invalid Condition.'],
    ['a condition list with an object in it', { Statement: [{ ...ADMIN, Condition: { StringEquals: { 'kms:CallerAccount': ['111122223333', null] } } }] }, 'Policy contains a statement with an invalid Condition.'],
  ])('fails with MalformedPolicyDocumentException for %s', (_, document, message) => {
    expect(refusal(JSON.stringify(document)).message).toBe(message);
  });

  test('fails with the AWS message for ForAllValues on an encryption context key (whatever its case)', () => {
    const document = policy(ADMIN, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'kms:encryptionContext:Dept': 'IT' } } });
    expect(refusal(document).message).toMatch(/^OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator/);
  });

  test('accepts a single statement object, no Version, NotAction, NotResource, Sids with spaces and conditions of every JSON scalar', () => {
    const text = JSON.stringify({
      Statement: { Sid: 'Allow the account', Effect: 'Allow', Principal: { AWS: '111122223333' }, NotAction: 'kms:ScheduleKeyDeletion', NotResource: 'arn:aws:kms:*:*:alias/*', Condition: { Bool: { 'aws:SecureTransport': true }, NumericLessThan: { 'kms:RotationPeriodInDays': 400 } } },
    });
    const document = parseKeyPolicy(text, 'aws');
    expect(document.statements).toEqual([
      {
        sid: 'Allow the account',
        effect: 'Allow',
        principal: { AWS: ['111122223333'] },
        notActions: ['kms:ScheduleKeyDeletion'],
        notResources: ['arn:aws:kms:*:*:alias/*'],
        condition: { Bool: { 'aws:SecureTransport': ['true'] }, NumericLessThan: { 'kms:RotationPeriodInDays': ['400'] } },
      },
    ]);
  });
});

describe('the parsed document', () => {
  test('holds Version, Id and each statement as given, and no member that was not given', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Id: 'my-policy', Statement: [ADMIN, { Effect: 'Deny', Principal: '*', Action: ['kms:Decrypt', '*'], Resource: ['*'] }] });
    expect(parseKeyPolicy(text, 'aws')).toStrictEqual({
      version: '2012-10-17',
      id: 'my-policy',
      statements: [
        { sid: 'admin', effect: 'Allow', principal: { AWS: [ROOT] }, actions: ['kms:*'], resources: ['*'] },
        { effect: 'Deny', principal: '*', actions: ['kms:Decrypt', '*'], resources: ['*'] },
      ],
    });
    expect(parseKeyPolicy(JSON.stringify({ Statement: [ADMIN] }), 'aws')).toStrictEqual({
      statements: [{ sid: 'admin', effect: 'Allow', principal: { AWS: [ROOT] }, actions: ['kms:*'], resources: ['*'] }],
    });
  });

  test('accepts several statements without Sid; ForAllValues on other keys and other operators on encryption context keys', () => {
    const statement = { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' };
    const text = policy(ADMIN, statement, {
      ...statement,
      Condition: { 'ForAllValues:StringEquals': { 'kms:CallerAccount': '111122223333' }, StringEquals: { 'kms:EncryptionContext:Dept': 'IT' } },
    });
    expect(parseKeyPolicy(text, 'aws').statements).toHaveLength(3);
  });
});

describe('principals', () => {
  test('fails with the AWS message for a statement without Principal', () => {
    expect(refusal(policy(ADMIN, { Effect: 'Allow', Action: 'kms:*', Resource: '*' })).message).toBe('Policy contains a statement with no principal.');
  });

  test('fails for NotPrincipal, which key policies do not support', () => {
    expect(refusal(policy(ADMIN, { Effect: 'Deny', NotPrincipal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' })).message).toMatch(/NotPrincipal/);
  });

  test.each([
    ['an IAM group', { AWS: 'arn:aws:iam::111122223333:group/admins' }],
    ['a wildcard inside an ARN', { AWS: 'arn:aws:iam::111122223333:role/*' }],
    ['an IAM unique id', { AWS: 'AIDACKCEVSQ6C2EXAMPLE' }],
    ['another partition', { AWS: 'arn:aws-cn:iam::111122223333:root' }],
    ['an 11-digit account', { AWS: '11112222333' }],
    ['a KMS key ARN', { AWS: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }],
    ['an unknown principal type', { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' }],
    ['an empty principal object', {}],
    ['an empty principal list', { AWS: [] }],
    ['a service principal without the amazonaws.com suffix', { Service: 'logs' }],
    ['an account id as a JSON number', { AWS: 111122223333 }],
    ['a list with one invalid principal', { AWS: [ROOT, 'arn:aws:iam::111122223333:group/admins'] }],
    ['an unknown principal type holding an account id', { CanonicalUser: '111122223333' }],
    ['an empty federated principal', { Federated: '' }],
    ['a federated principal with a wildcard', { Federated: 'cognito-*.amazonaws.com' }],
    ['an ARN of five parts', { AWS: 'arn:aws:iam::111122223333' }],
    ['a URN', { AWS: 'urn:aws:iam::111122223333:root' }],
    ['an IAM ARN with a Region', { AWS: 'arn:aws:iam:us-east-1:111122223333:root' }],
    ['a user name ending in a colon', { AWS: 'arn:aws:iam::111122223333:user/Alice:' }],
    ['an assumed role of another service', { AWS: 'arn:aws:s3::111122223333:assumed-role/App/session-1' }],
  ])('fails with the AWS message for %s', (_, principal) => {
    expect(refusal(policy(ADMIN, { Effect: 'Allow', Principal: principal, Action: 'kms:Decrypt', Resource: '*' })).message).toBe(
      'Policy contains a statement with one or more invalid principals.',
    );
  });

  test.each([
    ['"*"', '*'],
    ['AWS "*"', { AWS: '*' }],
    ['an account id', { AWS: '444455556666' }],
    ['users and roles with paths', { AWS: ['arn:aws:iam::111122223333:user/Alice', 'arn:aws:iam::111122223333:role/ops/deploy/App'] }],
    ['an assumed-role session and a federated user', { AWS: ['arn:aws:sts::111122223333:assumed-role/App/session-1', 'arn:aws:sts::111122223333:federated-user/Bob'] }],
    ['service principals', { Service: ['logs.us-east-1.amazonaws.com', 'ec2.amazonaws.com.cn'] }],
    ['a federated principal', { Federated: 'cognito-identity.amazonaws.com' }],
  ])('accepts %s', (_, principal) => {
    expect(() => checkPolicyWrite(policy(ADMIN, { Effect: 'Allow', Principal: principal, Action: 'kms:Decrypt', Resource: '*' }), write)).not.toThrow();
  });
});

describe('grant principals', () => {
  test('are accounts, IAM and STS principals and services of the partition, never "*"', () => {
    for (const p of ['111122223333', ROOT, 'arn:aws:sts::111122223333:assumed-role/App/s-1', 'logs.amazonaws.com']) expect(isGrantPrincipal(p, 'aws'), p).toBe(true);
    for (const p of ['*', 'arn:aws-cn:iam::111122223333:root', 'arn:aws:iam::111122223333:group/g', '']) expect(isGrantPrincipal(p, 'aws'), p).toBe(false);
  });
});

describe('size', () => {
  test('fails with LimitExceededException above 32768 bytes of UTF-8, and accepts exactly 32768', () => {
    const base = policy(ADMIN);
    const pad = (bytes: number) => base.replace('"Sid":"admin"', `"Sid":"${'x'.repeat(bytes - Buffer.byteLength(base) + 5)}"`);
    expect(Buffer.byteLength(pad(32_768))).toBe(32_768);
    expect(() => checkPolicyWrite(pad(32_768), write)).not.toThrow();
    expect(() => checkPolicyWrite(pad(32_769), write)).toThrow(LimitExceededException);
    // Latin-1 characters count two bytes each
    const latin = base.replace('"Sid":"admin"', `"Sid":"${'é'.repeat(16_380)}"`);
    expect(latin.length).toBeLessThan(32_768);
    expect(() => checkPolicyWrite(latin, write)).toThrow('Cannot exceed quota for PolicySize: 32768');
  });
});

describe('the lockout safety check', () => {
  test.each([
    ['the account root ARN with kms:*', ADMIN],
    ['the account id with kms:Put*', { ...ADMIN, Principal: { AWS: '111122223333' }, Action: 'kms:Put*' }],
    ['everyone with kms:PutKeyPolicy among other actions', { ...ADMIN, Principal: '*', Action: ['kms:Decrypt', 'kms:putkeypolicy'] }],
    ['a NotAction that leaves PutKeyPolicy', { ...ADMIN, Action: undefined, NotAction: ['kms:ScheduleKeyDeletion'] }],
    ['a condition that holds for the caller', { ...ADMIN, Condition: { StringEquals: { 'kms:CallerAccount': '111122223333' } } }],
    ['a Resource naming the key', { ...ADMIN, Resource: 'arn:aws:kms:us-east-1:111122223333:key/*' }],
  ])('passes for an Allow of %s', (_, statement) => {
    expect(() => checkPolicyWrite(policy(statement), write)).not.toThrow();
  });

  test.each([
    ['another principal only', { ...ADMIN, Principal: { AWS: 'arn:aws:iam::111122223333:role/App' } }],
    ['another account', { ...ADMIN, Principal: { AWS: '444455556666' } }],
    ['actions without PutKeyPolicy', { ...ADMIN, Action: ['kms:Encrypt', 'kms:Decrypt'] }],
    ['a NotAction that excludes it', { ...ADMIN, Action: undefined, NotAction: 'kms:Put*' }],
    ['a Resource naming another key', { ...ADMIN, Resource: 'arn:aws:kms:us-east-1:111122223333:key/other' }],
    ['a condition that does not hold for the caller', { ...ADMIN, Condition: { StringEquals: { 'kms:CallerAccount': '444455556666' } } }],
  ])('fails with the AWS message for %s', (_, statement) => {
    expect(refusal(policy(statement)).message).toBe('The new key policy will not allow you to update the key policy in the future.');
  });

  test('fails when a Deny takes PutKeyPolicy away; a Deny whose condition does not hold does not count', () => {
    const deny = { Sid: 'deny', Effect: 'Deny', Principal: '*', Action: 'kms:PutKeyPolicy', Resource: '*' };
    expect(refusal(policy(ADMIN, deny)).message).toMatch(/will not allow you to update/);
    expect(() => checkPolicyWrite(policy(ADMIN, { ...deny, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), write)).not.toThrow();
  });

  test('is skipped with BypassPolicyLockoutSafetyCheck; the grammar is still checked', () => {
    const lockedOut = policy({ ...ADMIN, Principal: { AWS: 'arn:aws:iam::111122223333:role/App' } });
    expect(() => checkPolicyWrite(lockedOut, { ...write, bypassPolicyLockoutSafetyCheck: true })).not.toThrow();
    expect(() => checkPolicyWrite('{}', { ...write, bypassPolicyLockoutSafetyCheck: true })).toThrow(MalformedPolicyDocumentException);
  });
});
