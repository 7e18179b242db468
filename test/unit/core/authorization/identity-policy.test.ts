/**
 * Identity policies (identity-policy.ts, D108): what `npm run credentials -- create --policy` accepts, the refusal
 * (with its text, which the command prints as a usage error) for each way a document can be wrong, and how an
 * accepted document then decides requests through the evaluator as an identity policy.
 */
import { describe, expect, test } from 'vitest';
import { conditionContext } from '../../../../lambda/core/authorization/conditions';
import {
  InvalidIdentityPolicyError,
  MAX_IDENTITY_POLICY_CHARACTERS,
  parseIdentityPolicy,
} from '../../../../lambda/core/authorization/identity-policy';
import { type Decision, evaluatePolicy } from '../../../../lambda/core/authorization/policy-evaluator';
import { principalOf } from '../../../../lambda/core/model/principal';

const ACCT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;
const ALIAS = `arn:aws:kms:us-east-1:${ACCT}:alias/app`;

const doc = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (extra: object = {}) => ({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', ...extra });

/** The refusal `parseIdentityPolicy(text)` throws: an InvalidIdentityPolicyError, its message. */
function refusal(text: string): string {
  try {
    parseIdentityPolicy(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidIdentityPolicyError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${text}`);
}

function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('is JSON');
}

describe('parseIdentityPolicy accepts the IAM grammar without Principal', () => {
  test.each([
    { name: 'the documented example', text: doc({ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' }) },
    { name: 'Id, Sid, and a Statement that is one object', text: JSON.stringify({ Version: '2012-10-17', Id: 'p', Statement: allow({ Sid: '' }) }) },
    { name: 'Deny, NotAction and NotResource', text: doc({ Effect: 'Deny', NotAction: 'kms:Encrypt', NotResource: [KEY, ALIAS] }) },
    { name: 'actions: *, wildcards, other services, hyphens', text: doc(allow({ Action: ['*', 'kms:*', 'kms:Get?ublicKey', 'kms:Generate*', 'cloudtrail:LookupEvents', 'aws-portal:View'] })) },
    {
      name: 'conditions: strings, numbers, booleans and lists of them',
      text: doc(allow({ Condition: { StringEquals: { 'kms:CallerAccount': ACCT, 'aws:RequestTag/a': ['x', 'y'] }, NumericLessThan: { 'kms:ValidTo': 1 }, Bool: { 'aws:x': [true, 'false'] } } })),
    },
    { name: 'a second statement', text: doc(allow(), allow({ Effect: 'Deny', Action: 'kms:Encrypt' })) },
  ])('$name', ({ text }) => {
    expect(parseIdentityPolicy(text)).toEqual(JSON.parse(text));
  });

  test(`at most ${MAX_IDENTITY_POLICY_CHARACTERS} characters (IAM's inline-policy limit), whitespace included`, () => {
    const text = doc(allow());
    const longest = text + ' '.repeat(MAX_IDENTITY_POLICY_CHARACTERS - text.length);
    expect(MAX_IDENTITY_POLICY_CHARACTERS).toBe(10_240);
    expect(parseIdentityPolicy(longest)).toEqual(JSON.parse(text));
    expect(refusal(`${longest} `)).toBe('invalid identity policy: longer than 10240 characters');
  });
});

describe('parseIdentityPolicy refuses, saying what is wrong', () => {
  test.each([
    { name: 'not JSON', text: '{"Version": "2012-10-17",', message: `not JSON (${jsonParseMessage('{"Version": "2012-10-17",')})` },
    { name: 'a list', text: '[]', message: 'not a JSON object' },
    { name: 'null', text: 'null', message: 'not a JSON object' },
    { name: 'a string', text: '"x"', message: 'not a JSON object' },
    { name: 'an unknown document element', text: JSON.stringify({ Version: '2012-10-17', Statement: allow(), Principal: '*' }), message: 'unknown element Principal' },
    { name: 'no Version', text: JSON.stringify({ Statement: allow() }), message: 'Version must be "2012-10-17"' },
    { name: 'the old Version', text: JSON.stringify({ Version: '2008-10-17', Statement: allow() }), message: 'Version must be "2012-10-17"' },
    { name: 'no Statement', text: JSON.stringify({ Version: '2012-10-17' }), message: 'no Statement' },
    { name: 'an empty Statement list', text: doc(), message: 'no Statement' },
    { name: 'a statement that is a string', text: doc('x'), message: 'Statement 1 is not an object' },
    { name: 'a statement that is null', text: doc(null), message: 'Statement 1 is not an object' },
    { name: 'a statement that is a list', text: doc([allow()]), message: 'Statement 1 is not an object' },
    { name: 'the second statement is counted as such', text: doc(allow(), 5), message: 'Statement 2 is not an object' },
    { name: 'Principal', text: doc(allow({ Principal: '*' })), message: 'Statement 1 names a principal: an identity policy applies to whoever holds it' },
    { name: 'NotPrincipal', text: doc(allow({ NotPrincipal: { AWS: ACCT } })), message: 'Statement 1 names a principal: an identity policy applies to whoever holds it' },
    { name: 'an unknown statement element', text: doc(allow({ Actions: 'kms:*' })), message: 'Statement 1 has an unknown element Actions' },
    { name: 'a Sid that is a number', text: doc(allow({ Sid: 1 })), message: 'Statement 1 has a Sid that is not a string' },
    { name: 'no Effect', text: doc({ Action: 'kms:*', Resource: '*' }), message: 'Statement 1 needs Effect "Allow" or "Deny"' },
    { name: 'an Effect in the wrong case', text: doc(allow({ Effect: 'allow' })), message: 'Statement 1 needs Effect "Allow" or "Deny"' },
    { name: 'Action and NotAction', text: doc(allow({ NotAction: 'kms:Encrypt' })), message: 'Statement 1 needs exactly one of Action and NotAction' },
    { name: 'neither Action nor NotAction', text: doc({ Effect: 'Deny', Resource: '*' }), message: 'Statement 1 needs exactly one of Action and NotAction' },
    { name: 'an empty Action list', text: doc(allow({ Action: [] })), message: 'Statement 1: Action must be a non-empty string or list of strings' },
    { name: 'an empty action', text: doc(allow({ Action: ['kms:Decrypt', ''] })), message: 'Statement 1: Action must be a non-empty string or list of strings' },
    { name: 'an action that is a number', text: doc(allow({ Action: 5 })), message: 'Statement 1: Action must be a non-empty string or list of strings' },
    { name: 'a list inside the Action list', text: doc(allow({ Action: [['kms:Decrypt']] })), message: 'Statement 1: Action must be a non-empty string or list of strings' },
    { name: 'a NotAction that is not a string', text: doc({ Effect: 'Allow', NotAction: [true], Resource: '*' }), message: 'Statement 1: NotAction must be a non-empty string or list of strings' },
    { name: 'Resource and NotResource', text: doc(allow({ NotResource: KEY })), message: 'Statement 1 needs exactly one of Resource and NotResource' },
    { name: 'neither Resource nor NotResource', text: doc({ Effect: 'Allow', Action: 'kms:*' }), message: 'Statement 1 needs exactly one of Resource and NotResource' },
    { name: 'an empty Resource', text: doc(allow({ Resource: '' })), message: 'Statement 1: Resource must be a non-empty string or list of strings' },
    { name: 'a NotResource that is an object', text: doc({ Effect: 'Allow', Action: 'kms:*', NotResource: [{}] }), message: 'Statement 1: NotResource must be a non-empty string or list of strings' },
    { name: 'a Condition that is a list', text: doc(allow({ Condition: [] })), message: 'Statement 1 has a Condition that is not an object' },
    { name: 'a Condition that is null', text: doc(allow({ Condition: null })), message: 'Statement 1 has a Condition that is not an object' },
    { name: 'a Condition that is a string', text: doc(allow({ Condition: 'StringEquals' })), message: 'Statement 1 has a Condition that is not an object' },
    { name: 'an operator with no keys', text: doc(allow({ Condition: { StringEquals: {} } })), message: 'Statement 1: Condition operator StringEquals needs an object of condition keys' },
    { name: 'an operator with a string', text: doc(allow({ Condition: { Bool: 'true' } })), message: 'Statement 1: Condition operator Bool needs an object of condition keys' },
    { name: 'an operator with a list', text: doc(allow({ Condition: { Null: ['kms:ViaService'] } })), message: 'Statement 1: Condition operator Null needs an object of condition keys' },
    {
      name: 'a condition value that is an object',
      text: doc(allow({ Condition: { StringEquals: { 'kms:CallerAccount': ACCT, 'kms:ViaService': { a: 'b' } } } })),
      message: 'Statement 1: the values of StringEquals kms:ViaService must be strings, numbers or booleans',
    },
    {
      name: 'a condition value that is null',
      text: doc(allow({ Condition: { Null: { 'kms:ViaService': null } } })),
      message: 'Statement 1: the values of Null kms:ViaService must be strings, numbers or booleans',
    },
    {
      name: 'a list of condition values with one that is a list',
      text: doc(allow({ Condition: { StringLike: { 'aws:PrincipalArn': ['arn:*', ['x']] } } })),
      message: 'Statement 1: the values of StringLike aws:PrincipalArn must be strings, numbers or booleans',
    },
  ])('$name', ({ text, message }) => {
    expect(refusal(text)).toBe(`invalid identity policy: ${message}`);
  });

  test.each(['kms', 'kms:', ':Decrypt', 'kms::Decrypt', 'kms:Decrypt ', ' kms:Decrypt', 'kms:De/crypt', 'km s:Decrypt', '**', 'kms:Decrypt:x', 'kms_x:Decrypt'])(
    'an action that is not service:Action or *: %j',
    (action) => {
      expect(refusal(doc(allow({ Action: action })))).toBe(`invalid identity policy: Statement 1 has an invalid action ${JSON.stringify(action)} (e.g. "kms:Decrypt", "kms:Get*")`);
    },
  );

  test('NotAction entries are checked as actions too', () => {
    expect(refusal(doc({ Effect: 'Deny', NotAction: ['kms:Encrypt', 'Decrypt'], Resource: '*' }))).toBe(
      'invalid identity policy: Statement 1 has an invalid action "Decrypt" (e.g. "kms:Decrypt", "kms:Get*")',
    );
  });
});

describe('an accepted identity policy decides requests through the evaluator', () => {
  const app = principalOf(`arn:aws:iam::${ACCT}:role/app`, 'BYOKSESSION');
  const context = (input: Record<string, unknown> = {}) =>
    conditionContext({ principal: app, region: 'us-east-1', now: new Date('2026-01-01T00:00:00Z') }, 'Decrypt', input);

  test.each<{ name: string; policy: string; action?: string; resource?: string; input?: Record<string, unknown>; expected: Decision }>([
    { name: 'an Allow for the action on *', policy: doc(allow()), expected: 'Allow' },
    { name: 'another action is not allowed', policy: doc(allow()), action: 'kms:Encrypt', expected: 'ImplicitDeny' },
    { name: 'actions compare case-insensitively', policy: doc(allow({ Action: 'KMS:decrypt' })), expected: 'Allow' },
    { name: 'an action wildcard', policy: doc(allow({ Action: 'kms:De*' })), expected: 'Allow' },
    { name: 'NotAction allows every other action', policy: doc({ Effect: 'Allow', NotAction: 'kms:Encrypt', Resource: '*' }), expected: 'Allow' },
    { name: 'NotAction does not allow the action it names', policy: doc({ Effect: 'Allow', NotAction: 'kms:Decrypt', Resource: '*' }), expected: 'ImplicitDeny' },
    { name: 'Resource naming the key', policy: doc(allow({ Resource: KEY })), expected: 'Allow' },
    { name: 'Resource naming another key', policy: doc(allow({ Resource: OTHER_KEY })), expected: 'ImplicitDeny' },
    { name: 'a key ARN pattern', policy: doc(allow({ Resource: `arn:aws:kms:*:${ACCT}:key/*` })), expected: 'Allow' },
    { name: 'resources compare case-sensitively', policy: doc(allow({ Resource: KEY.toUpperCase() })), expected: 'ImplicitDeny' },
    { name: 'an alias ARN names the alias, not its key', policy: doc(allow({ Resource: ALIAS })), expected: 'ImplicitDeny' },
    { name: 'the alias ARN for the alias half of alias actions', policy: doc(allow({ Action: 'kms:CreateAlias', Resource: ALIAS })), action: 'kms:CreateAlias', resource: ALIAS, expected: 'Allow' },
    { name: 'NotResource allows other keys', policy: doc({ Effect: 'Allow', Action: 'kms:Decrypt', NotResource: OTHER_KEY }), expected: 'Allow' },
    { name: 'NotResource excludes the key it names', policy: doc({ Effect: 'Allow', Action: 'kms:Decrypt', NotResource: KEY }), expected: 'ImplicitDeny' },
    { name: 'a Deny wins over an Allow', policy: doc(allow(), { Effect: 'Deny', Action: 'kms:*', Resource: KEY }), expected: 'ExplicitDeny' },
    {
      name: 'a Deny with a condition that does not hold does not apply',
      policy: doc(allow(), { Effect: 'Deny', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:stage': 'prod' } } }),
      input: { EncryptionContext: { stage: 'test' } },
      expected: 'Allow',
    },
    {
      name: 'a condition on the request holds',
      policy: doc(allow({ Condition: { StringEquals: { 'kms:EncryptionContext:Stage': 'prod' } } })),
      input: { EncryptionContext: { stage: 'prod' } },
      expected: 'Allow',
    },
    {
      name: 'a condition on the caller: aws:PrincipalArn is the role of a session',
      policy: doc(allow({ Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/app` } } })),
      expected: 'Allow',
    },
  ])('$name', ({ policy, action, resource, input, expected }) => {
    const decision = evaluatePolicy(parseIdentityPolicy(policy), { principal: app, action: action ?? 'kms:Decrypt', resource: resource ?? KEY, context: context(input) }, 'identity');
    expect(decision).toEqual({ decision: expected, viaAccount: false });
  });
});
