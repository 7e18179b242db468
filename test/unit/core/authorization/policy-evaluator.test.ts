/** The policy evaluator on a table of policies × requests × expected decisions, and AWS's decision procedure. */
import { describe, expect, test } from 'vitest';
import { allowsPolicyUpdates, newAccess } from '../../../../lambda/core/authorization/access';
import { accessDeniedMessage, authorize, type GrantView } from '../../../../lambda/core/authorization/authorize';
import { type ConditionValue, conditionContext } from '../../../../lambda/core/authorization/conditions';
import { CompiledPolicy, type Decision, evaluatePolicy, globMatch } from '../../../../lambda/core/authorization/policy-evaluator';
import { principalOf, rootPrincipal } from '../../../../lambda/core/model/principal';
import { evaluateDocument } from '../../../support/document-policy-evaluator';

const ACCT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const root = rootPrincipal('aws', ACCT);
const app = principalOf(`arn:aws:iam::${ACCT}:role/app`, 'BYOKSESSION');
const alice = principalOf(`arn:aws:iam::${ACCT}:user/Alice`, '');
const stranger = principalOf('arn:aws:iam::444455556666:user/Mallory', '');

/** The condition keys of an Encrypt call by `principal` with `context`, plus `extra` keys. */
function baseConditionContext(principal: typeof app, extra: Record<string, ConditionValue> = {}, context?: Record<string, string>) {
  const base = conditionContext({ principal, region: 'us-east-1', now: new Date('2026-01-01T00:00:00Z') }, 'Encrypt', context ? { EncryptionContext: context } : {});
  return new Map([...base, ...Object.entries(extra).map(([k, v]): [string, ConditionValue] => [k.toLowerCase(), v])]);
}

const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const allow = (extra: object) => ({ Effect: 'Allow', Resource: '*', ...extra });
const deny = (extra: object) => ({ Effect: 'Deny', Resource: '*', ...extra });

interface Row {
  readonly name: string;
  readonly doc: unknown;
  readonly principal?: typeof app;
  readonly action?: string;
  readonly context?: Record<string, string>;
  readonly expected: Decision;
  readonly viaAccount?: boolean;
}

const DEFAULT_POLICY = policy({ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' });

const rows: Row[] = [
  { name: 'the default policy delegates to the account', doc: DEFAULT_POLICY, expected: 'Allow', viaAccount: true },
  { name: 'the default policy lets the root user in directly', doc: DEFAULT_POLICY, principal: root, expected: 'Allow', viaAccount: false },
  { name: 'a bare account id is the account principal', doc: policy(allow({ Principal: { AWS: ACCT }, Action: 'kms:Encrypt' })), expected: 'Allow', viaAccount: true },
  { name: 'another account is not mine', doc: DEFAULT_POLICY, principal: stranger, expected: 'ImplicitDeny' },
  { name: 'the role ARN names every session of the role', doc: policy(allow({ Principal: { AWS: `arn:aws:iam::${ACCT}:role/app` }, Action: 'kms:Encrypt' })), expected: 'Allow', viaAccount: false },
  { name: 'one session ARN names that session', doc: policy(allow({ Principal: { AWS: `arn:aws:sts::${ACCT}:assumed-role/app/BYOKSESSION` }, Action: 'kms:Encrypt' })), expected: 'Allow' },
  { name: 'another session ARN does not', doc: policy(allow({ Principal: { AWS: `arn:aws:sts::${ACCT}:assumed-role/app/other` }, Action: 'kms:Encrypt' })), expected: 'ImplicitDeny' },
  { name: 'a user ARN names that user only', doc: policy(allow({ Principal: { AWS: [`arn:aws:iam::${ACCT}:user/Alice`] }, Action: 'kms:Encrypt' })), expected: 'ImplicitDeny' },
  { name: 'Principal "*" is everyone', doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt' })), principal: stranger, expected: 'Allow' },
  { name: '{"AWS": "*"} is everyone', doc: policy(allow({ Principal: { AWS: '*' }, Action: 'kms:Encrypt' })), expected: 'Allow' },
  { name: 'a service principal is not a caller', doc: policy(allow({ Principal: { Service: 'logs.amazonaws.com' }, Action: 'kms:Encrypt' })), expected: 'ImplicitDeny' },
  { name: 'NotPrincipal never applies (KMS refuses it)', doc: policy(deny({ NotPrincipal: { AWS: 'arn:aws:iam::1:root' }, Action: 'kms:*' }), allow({ Principal: '*', Action: 'kms:*' })), expected: 'Allow' },
  { name: 'an explicit Deny wins over an Allow', doc: policy(allow({ Principal: '*', Action: 'kms:*' }), deny({ Principal: { AWS: `arn:aws:iam::${ACCT}:role/app` }, Action: 'kms:Encrypt' })), expected: 'ExplicitDeny' },
  { name: 'a Deny for another action does not apply', doc: policy(allow({ Principal: '*', Action: 'kms:*' }), deny({ Principal: '*', Action: 'kms:Decrypt' })), expected: 'Allow' },
  { name: 'kms: wildcards match', doc: policy(allow({ Principal: '*', Action: ['kms:Encrypt*', 'kms:Describe*'] })), expected: 'Allow' },
  { name: 'kms:GenerateDataKey* does not match Encrypt', doc: policy(allow({ Principal: '*', Action: 'kms:GenerateDataKey*' })), expected: 'ImplicitDeny' },
  { name: 'actions compare case-insensitively', doc: policy(allow({ Principal: '*', Action: 'KMS:encrypt' })), expected: 'Allow' },
  { name: 'NotAction allows everything else', doc: policy(allow({ Principal: '*', NotAction: 'kms:Decrypt' })), expected: 'Allow' },
  { name: 'NotAction excludes what it names', doc: policy(allow({ Principal: '*', NotAction: ['kms:Encrypt'] })), expected: 'ImplicitDeny' },
  { name: 'a statement without Action has no effect', doc: policy({ Effect: 'Allow', Principal: '*', Resource: '*' }), expected: 'ImplicitDeny' },
  { name: 'a statement without Resource has no effect', doc: policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*' }), expected: 'ImplicitDeny' },
  { name: 'Resource naming the key ARN', doc: policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: KEY }), expected: 'Allow' },
  { name: 'Resource naming another key', doc: policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: `arn:aws:kms:us-east-1:${ACCT}:key/other` }), expected: 'ImplicitDeny' },
  { name: 'Resource with a wildcard', doc: policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: `arn:aws:kms:*:${ACCT}:key/*` }), expected: 'Allow' },
  { name: 'an unknown Effect never applies', doc: policy({ Effect: 'allow', Principal: '*', Action: 'kms:*', Resource: '*' }), expected: 'ImplicitDeny' },
  { name: 'a document that is not a policy allows nothing', doc: 'garbage', expected: 'ImplicitDeny' },
  // conditions on the encryption context
  {
    name: 'StringEquals on kms:EncryptionContext:<k> holds',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringEquals: { 'kms:EncryptionContext:Department': 'IT' } } })),
    context: { Department: 'IT' },
    expected: 'Allow',
  },
  {
    name: 'the context key in the condition key is case-insensitive, its value is not',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringEquals: { 'kms:EncryptionContext:department': 'it' } } })),
    context: { Department: 'IT' },
    expected: 'ImplicitDeny',
  },
  {
    name: 'StringEqualsIgnoreCase ignores the value\'s case',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringEqualsIgnoreCase: { 'kms:EncryptionContext:department': 'it' } } })),
    context: { Department: 'IT' },
    expected: 'Allow',
  },
  {
    name: 'StringEquals on a missing context key fails',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringEquals: { 'kms:EncryptionContext:Department': 'IT' } } })),
    expected: 'ImplicitDeny',
  },
  {
    name: 'StringNotEquals on a missing key holds',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringNotEquals: { 'kms:EncryptionContext:Department': 'IT' } } })),
    expected: 'Allow',
  },
  {
    name: 'StringLike with wildcards',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bucket/*' } } })),
    context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/path/obj' },
    expected: 'Allow',
  },
  {
    name: 'several values of one key are alternatives',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringEquals: { 'kms:EncryptionContext:Department': ['HR', 'IT'] } } })),
    context: { Department: 'IT' },
    expected: 'Allow',
  },
  {
    name: 'several keys must all hold',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { StringEquals: { 'kms:EncryptionContext:Department': 'IT', 'kms:EncryptionContext:Project': 'Alpha' } } })),
    context: { Department: 'IT' },
    expected: 'ImplicitDeny',
  },
  {
    name: 'ForAllValues:StringEquals on kms:EncryptionContextKeys: only the listed keys',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['Department', 'Project'] } } })),
    context: { Department: 'IT', Other: 'x' },
    expected: 'ImplicitDeny',
  },
  {
    name: 'ForAllValues holds for a request without context (as in AWS)',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['Department'] } } })),
    expected: 'Allow',
  },
  {
    name: 'ForAnyValue:StringEquals: one listed key present',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'Project' } } })),
    context: { Department: 'IT', Project: 'Alpha' },
    expected: 'Allow',
  },
  {
    name: 'Null false on kms:EncryptionContextKeys requires a context',
    doc: policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition: { Null: { 'kms:EncryptionContextKeys': 'false' } } })),
    expected: 'ImplicitDeny',
  },
  {
    name: 'a Deny unless a context is given',
    doc: policy(allow({ Principal: '*', Action: 'kms:*' }), deny({ Principal: '*', Action: 'kms:Encrypt', Condition: { Null: { 'kms:EncryptionContextKeys': 'true' } } })),
    expected: 'ExplicitDeny',
  },
  // caller conditions
  { name: 'kms:CallerAccount with Principal "*"', doc: policy(allow({ Principal: '*', Action: 'kms:*', Condition: { StringEquals: { 'kms:CallerAccount': ACCT } } })), principal: stranger, expected: 'ImplicitDeny' },
  { name: 'kms:ViaService is absent for direct calls', doc: policy(allow({ Principal: '*', Action: 'kms:*', Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } } })), expected: 'ImplicitDeny' },
  { name: 'StringEqualsIfExists on an absent kms:ViaService holds', doc: policy(allow({ Principal: '*', Action: 'kms:*', Condition: { StringEqualsIfExists: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } } })), expected: 'Allow' },
  { name: 'ArnLike on aws:PrincipalArn (the role, for a session)', doc: policy(allow({ Principal: '*', Action: 'kms:*', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/a*` } } })), expected: 'Allow' },
  { name: 'ArnNotLike on aws:PrincipalArn', doc: policy(allow({ Principal: '*', Action: 'kms:*', Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/a*` } } })), expected: 'ImplicitDeny' },
  { name: 'an unknown operator never holds', doc: policy(allow({ Principal: '*', Action: 'kms:*', Condition: { StringSomething: { 'kms:CallerAccount': ACCT } } })), expected: 'ImplicitDeny' },
];

describe('evaluatePolicy (key policies)', () => {
  test.each(rows)('$name → $expected', ({ doc, principal = app, action = 'kms:Encrypt', context, expected, viaAccount }) => {
    const request = { principal, action, resource: KEY, context: baseConditionContext(principal, {}, context) };
    // Each path on its own: the document read as written (the reference) and the compiled form the service
    // evaluates (D135), compiled once and read twice, each decide the row's expectation.
    const compiled = CompiledPolicy.of(doc);
    for (const result of [evaluateDocument(doc, request, 'resource'), evaluatePolicy(compiled, request, 'resource'), evaluatePolicy(compiled, request, 'resource')]) {
      expect(result.decision).toBe(expected);
      if (viaAccount !== undefined) expect(result.viaAccount).toBe(viaAccount);
    }
    // and as an identity policy (Principal ignored) the two paths agree too
    expect(evaluatePolicy(compiled, request, 'identity')).toEqual(evaluateDocument(doc, request, 'identity'));
  });

  test('Bool and numeric operators', () => {
    const doc = policy(allow({ Principal: '*', Action: 'kms:*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, NumericLessThanEquals: { 'kms:RotationPeriodInDays': '180' } } }));
    const request = (forAws: boolean, days: number) => ({ principal: app, action: 'kms:CreateGrant', resource: KEY, context: baseConditionContext(app, { 'kms:GrantIsForAWSResource': forAws, 'kms:RotationPeriodInDays': days }) });
    expect(evaluatePolicy(doc, request(true, 90), 'resource').decision).toBe('Allow');
    expect(evaluatePolicy(doc, request(false, 90), 'resource').decision).toBe('ImplicitDeny');
    expect(evaluatePolicy(doc, request(true, 365), 'resource').decision).toBe('ImplicitDeny');
  });

  test('ForAllValues on kms:GrantOperations limits what a grant may allow', () => {
    const doc = policy(allow({ Principal: '*', Action: 'kms:CreateGrant', Condition: { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'Decrypt'] } } }));
    const request = (ops: string[]) => ({ principal: app, action: 'kms:CreateGrant', resource: KEY, context: baseConditionContext(app, { 'kms:GrantOperations': ops }) });
    expect(evaluatePolicy(doc, request(['Decrypt']), 'resource').decision).toBe('Allow');
    expect(evaluatePolicy(doc, request(['Decrypt', 'ReEncryptFrom']), 'resource').decision).toBe('ImplicitDeny');
  });
});

describe('authorize', () => {
  const ctx = (principal = app, context?: Record<string, string>) => baseConditionContext(principal, {}, context);
  const ownPolicy = policy(allow({ Principal: { AWS: `arn:aws:iam::${ACCT}:role/app` }, Action: 'kms:Decrypt' }));
  const grant = (extra: Partial<GrantView> = {}): GrantView => ({ granteePrincipal: `arn:aws:iam::${ACCT}:role/app`, operations: ['Encrypt'], ...extra });

  test.each([
    ['the default policy and no identity policy (an administrator)', { keyPolicy: DEFAULT_POLICY }, { allowed: true, by: 'identity-policy' }],
    ['the default policy and an identity policy that allows', { keyPolicy: DEFAULT_POLICY, identityPolicy: policy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: KEY }) }, { allowed: true, by: 'identity-policy' }],
    ['the default policy and an identity policy for other actions', { keyPolicy: DEFAULT_POLICY, identityPolicy: policy({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }) }, { allowed: false, reason: 'no-identity-policy' }],
    ['a Deny in the identity policy', { keyPolicy: DEFAULT_POLICY, identityPolicy: policy({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }) }, { allowed: false, reason: 'explicit-deny-identity' }],
    ['a key policy naming the caller needs no identity policy', { keyPolicy: policy(allow({ Principal: { AWS: `arn:aws:iam::${ACCT}:role/app` }, Action: 'kms:Encrypt' })), identityPolicy: policy() }, { allowed: true, by: 'key-policy' }],
    ['a key policy without the account: identity Allows are ineffective', { keyPolicy: ownPolicy, identityPolicy: policy({ Effect: 'Allow', Action: '*', Resource: '*' }) }, { allowed: false, reason: 'no-resource-policy' }],
    ['a grant for the operation', { keyPolicy: ownPolicy, grants: [grant()] }, { allowed: true, by: 'grant' }],
    ['a grant for another principal', { keyPolicy: ownPolicy, grants: [grant({ granteePrincipal: `arn:aws:iam::${ACCT}:user/Alice` })] }, { allowed: false, reason: 'no-resource-policy' }],
    ['a grant for another operation', { keyPolicy: ownPolicy, grants: [grant({ operations: ['Decrypt'] })] }, { allowed: false, reason: 'no-resource-policy' }],
    ['a grant with EncryptionContextSubset met', { keyPolicy: ownPolicy, grants: [grant({ constraints: { encryptionContextSubset: { Department: 'IT' } } })], encryptionContext: { Department: 'IT', Project: 'A' } }, { allowed: true, by: 'grant' }],
    ['a grant with EncryptionContextSubset not met', { keyPolicy: ownPolicy, grants: [grant({ constraints: { encryptionContextSubset: { Department: 'IT' } } })], encryptionContext: { Department: 'HR' } }, { allowed: false, reason: 'no-resource-policy' }],
    ['a grant with EncryptionContextEquals and an extra pair', { keyPolicy: ownPolicy, grants: [grant({ constraints: { encryptionContextEquals: { Department: 'IT' } } })], encryptionContext: { Department: 'IT', Project: 'A' } }, { allowed: false, reason: 'no-resource-policy' }],
    ['an explicit Deny in the key policy beats a grant', { keyPolicy: policy(deny({ Principal: '*', Action: 'kms:Encrypt' })), grants: [grant()] }, { allowed: false, reason: 'explicit-deny-resource' }],
  ] as const)('%s', (_name, given, expected) => {
    expect(authorize({ principal: app, operation: 'Encrypt', keyArn: KEY, context: ctx(app, (given as { encryptionContext?: Record<string, string> }).encryptionContext), ...given })).toEqual(expected);
  });

  test('actions on no key (CreateKey, ListKeys, cloudtrail:LookupEvents) are the identity policy\'s alone', () => {
    const identityPolicy = policy({ Effect: 'Allow', Action: ['kms:ListKeys', 'cloudtrail:LookupEvents'], Resource: '*' });
    const decide = (operation: string, service?: string) => authorize({ principal: app, operation, ...(service && { service }), identityPolicy, context: ctx() });
    expect(decide('ListKeys')).toEqual({ allowed: true, by: 'identity-policy' });
    expect(decide('LookupEvents', 'cloudtrail')).toEqual({ allowed: true, by: 'identity-policy' });
    expect(decide('CreateKey')).toEqual({ allowed: false, reason: 'no-identity-policy' });
    // the root user has every permission
    expect(authorize({ principal: root, operation: 'CreateKey', identityPolicy, context: ctx(root) })).toEqual({ allowed: true, by: 'identity-policy' });
  });

  test('grants never allow key management, whatever their operations say', () => {
    expect(authorize({ principal: app, operation: 'ScheduleKeyDeletion', keyArn: KEY, keyPolicy: ownPolicy, grants: [grant({ operations: ['ScheduleKeyDeletion'] as unknown as GrantView['operations'] })], context: ctx() })).toEqual({
      allowed: false,
      reason: 'no-resource-policy',
    });
  });

  test('refusals read as AWS writes them, naming the caller, the action and the key', () => {
    const request = { principal: app, operation: 'Decrypt', keyArn: KEY };
    expect(accessDeniedMessage(request, 'no-resource-policy')).toBe(
      `User: arn:aws:sts::${ACCT}:assumed-role/app/BYOKSESSION is not authorized to perform: kms:Decrypt on resource: ${KEY} because no resource-based policy allows the kms:Decrypt action`,
    );
    expect(accessDeniedMessage({ ...request, principal: alice }, 'explicit-deny-resource')).toBe(
      `User: arn:aws:iam::${ACCT}:user/Alice is not authorized to perform: kms:Decrypt on resource: ${KEY} with an explicit deny in a resource-based policy`,
    );
    expect(accessDeniedMessage(request, 'no-identity-policy')).toMatch(/because no identity-based policy allows the kms:Decrypt action$/);
    expect(accessDeniedMessage(request, 'explicit-deny-identity')).toMatch(/with an explicit deny in an identity-based policy$/);
  });
});

describe('globMatch', () => {
  test.each([
    ['kms:*', 'kms:Encrypt', true],
    ['kms:Generate*', 'kms:GenerateDataKeyWithoutPlaintext', true],
    ['kms:?ncrypt', 'kms:Encrypt', true],
    ['kms:*Key', 'kms:DescribeKey', true],
    ['kms:*Key', 'kms:DescribeKeys', false],
    ['*', '', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    // without a wildcard, and a wildcard after a repeated character
    ['kms:Encrypt', 'kms:Decrypt', false],
    ['Encrypt', 'ReEncrypt', false],
    ['a*b', 'aab', true],
    ['ab', 'a', false],
  ])('%s ~ %s = %s', (pattern, value, expected) => expect(globMatch(pattern, value, false)).toBe(expected));
});

describe('allowsPolicyUpdates: the lockout safety check through the evaluator (D113)', () => {
  const scope = { partition: 'aws', account: ACCT, region: 'us-east-1' };
  const deps = { clock: { now: () => new Date('2026-01-01T00:00:00Z') } };
  const as = (principal: typeof app, identityPolicy?: Record<string, unknown>) => ({
    scope,
    access: newAccess({ principal, ...(identityPolicy && { identityPolicy }), service: 'kms', action: 'PutKeyPolicy', input: {} }),
  });
  const adminOnly = policy(allow({ Principal: { AWS: `arn:aws:iam::${ACCT}:role/admin` }, Action: 'kms:*' }));
  const putOnly = policy({ Effect: 'Allow', Action: 'kms:PutKeyPolicy', Resource: '*' });
  const encryptOnly = policy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' });

  test.each([
    ['open mode: the account\'s root, by the account statement', { scope }, DEFAULT_POLICY, true],
    ['open mode: a policy naming only a role locks the root out', { scope }, adminOnly, false],
    ['a role with no identity policy, by the account statement', as(app), DEFAULT_POLICY, true],
    ['a role whose identity policy allows kms:PutKeyPolicy, by the account statement', as(app, putOnly), DEFAULT_POLICY, true],
    ['a role whose identity policy does not allow it: the account statement does not help', as(app, encryptOnly), DEFAULT_POLICY, false],
    ['a role the policy does not name', as(app), adminOnly, false],
    ['a role the policy names needs no identity policy', as(app, encryptOnly), policy(allow({ Principal: { AWS: `arn:aws:iam::${ACCT}:role/app` }, Action: 'kms:PutKeyPolicy' })), true],
    ['a Deny for the role wins', as(app), policy(DEFAULT_POLICY.Statement[0]!, deny({ Principal: { AWS: `arn:aws:iam::${ACCT}:role/app` }, Action: 'kms:Put*' })), false],
    ['a condition on the caller is evaluated', as(app), policy(allow({ Principal: '*', Action: 'kms:PutKeyPolicy', Condition: { StringEquals: { 'kms:CallerAccount': '444455556666' } } })), false],
  ])('%s', (_name, ctx, document, expected) => {
    expect(allowsPolicyUpdates(deps, ctx, scope, document, 'key-id')).toBe(expected);
    expect(allowsPolicyUpdates(deps, ctx, scope, document)).toBe(expected); // CreateKey: no key id yet
  });
});

describe('evaluatePolicy: statement shapes a key policy or an identity policy may take', () => {
  const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCT}:key/0000aaaa-00aa-00aa-00aa-000000000000`;
  const decide = (doc: unknown, principal = app, kind: 'resource' | 'identity' = 'resource') =>
    evaluatePolicy(doc, { principal, action: 'kms:Encrypt', resource: KEY, context: baseConditionContext(principal) }, kind);
  const decideDocument = (doc: unknown, principal = app, kind: 'resource' | 'identity' = 'resource') =>
    evaluateDocument(doc, { principal, action: 'kms:Encrypt', resource: KEY, context: baseConditionContext(principal) }, kind);

  test.each<[string, unknown, Decision]>([
    ['a single statement object, not in a list, applies', { Version: '2012-10-17', Statement: allow({ Principal: '*', Action: 'kms:Encrypt' }) }, 'Allow'],
    ['a document without Statement allows nothing', { Version: '2012-10-17' }, 'ImplicitDeny'],
    ['a stored policy that did not parse (undefined) allows nothing', undefined, 'ImplicitDeny'],
    ['a null document allows nothing', null, 'ImplicitDeny'],
    ['a statement that is not an object is skipped', policy('Allow' as unknown as object, allow({ Principal: '*', Action: 'kms:Encrypt' })), 'Allow'],
    ['a key-policy statement without Principal never applies', policy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }), 'ImplicitDeny'],
    ['a Principal string other than "*" names nobody', policy(allow({ Principal: `arn:aws:iam::${ACCT}:role/app`, Action: 'kms:Encrypt' })), 'ImplicitDeny'],
    ['a statement with NotPrincipal never applies, even beside Principal', policy(allow({ Principal: '*', Action: 'kms:*' }), deny({ Principal: '*', NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:role/admin` }, Action: 'kms:*' })), 'Allow'],
    ['NotAction excludes every action it lists', policy(allow({ Principal: '*', NotAction: ['kms:Decrypt', 'kms:Encrypt'] })), 'ImplicitDeny'],
    ['NotAction compares actions case-insensitively', policy(allow({ Principal: '*', NotAction: 'KMS:ENCRYPT' })), 'ImplicitDeny'],
    ['an Action list applies when any entry matches; entries that are not strings are ignored', policy(allow({ Principal: '*', Action: [42, 'kms:Decrypt', 'kms:Encrypt'] })), 'Allow'],
    ['a Resource list applies when any entry matches', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: [OTHER_KEY, KEY] }), 'Allow'],
    ['Resource compares ARNs case-sensitively', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: KEY.toUpperCase() }), 'ImplicitDeny'],
    ['NotResource naming another key applies to this one', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', NotResource: OTHER_KEY }), 'Allow'],
    ['NotResource naming this key does not apply', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', NotResource: KEY }), 'ImplicitDeny'],
    ['NotResource excludes every key it lists', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', NotResource: [OTHER_KEY, KEY] }), 'ImplicitDeny'],
    ['NotResource compares ARNs case-sensitively', policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', NotResource: KEY.toUpperCase() }), 'Allow'],
    ['a Condition that is a list never holds', policy(allow({ Principal: '*', Action: 'kms:*', Condition: [] })), 'ImplicitDeny'],
    ['a Condition that is a number never holds', policy(allow({ Principal: '*', Action: 'kms:*', Condition: 5 })), 'ImplicitDeny'],
    ['an operator whose block is a list never holds', policy(allow({ Principal: '*', Action: 'kms:*', Condition: { StringEquals: [] } })), 'ImplicitDeny'],
    ['an operator whose block is a string never holds, even with IfExists', policy(allow({ Principal: '*', Action: 'kms:*', Condition: { StringEqualsIfExists: 'abc' } })), 'ImplicitDeny'],
  ])('%s', (_name, doc, expected) => {
    // The document read as written (the reference) and the compiled form (D135) each decide the expectation
    const compiled = CompiledPolicy.of(doc);
    expect(decideDocument(doc).decision).toBe(expected);
    expect(decide(compiled).decision).toBe(expected);
    expect(decide(compiled)).toEqual(decideDocument(doc));
    // and agree as an identity policy, where Principal is ignored
    expect(decide(compiled, app, 'identity')).toEqual(decideDocument(doc, app, 'identity'));
    // a compiled policy is taken as it is, not compiled again
    expect(CompiledPolicy.of(compiled)).toBe(compiled);
  });

  test.each([['"*"', '*'], ['{"AWS": "*"}', { AWS: '*' }]])('everyone (%s) is named directly, not through the account', (_name, Principal) => {
    expect(decide(policy(allow({ Principal, Action: 'kms:Encrypt' })))).toEqual({ decision: 'Allow', viaAccount: false });
  });

  test('the root user named by its bare account id is named directly, not through its account', () => {
    expect(decide(policy(allow({ Principal: { AWS: ACCT }, Action: 'kms:Encrypt' })), root)).toEqual({ decision: 'Allow', viaAccount: false });
  });

  test('an explicit Deny is never "through the account", even when it names the account', () => {
    expect(decide(policy(DEFAULT_POLICY.Statement[0]!, deny({ Principal: { AWS: ACCT }, Action: 'kms:Encrypt' })))).toEqual({ decision: 'ExplicitDeny', viaAccount: false });
  });

  test('an identity policy ignores Principal and never allows "through the account"', () => {
    const identity = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:user/Alice` }, Action: 'kms:Encrypt', Resource: KEY });
    expect(decide(identity, app, 'identity')).toEqual({ decision: 'Allow', viaAccount: false });
  });
});

describe('evaluatePolicy: condition operators', () => {
  const ARN_APP = `arn:aws:iam::${ACCT}:role/app`;
  /** The decision of an Allow for everyone under `Condition`, for an Encrypt call of `app` with `context` (and `extra` condition keys). */
  const under = (Condition: object, context?: Record<string, string>, extra: Record<string, ConditionValue> = {}) =>
    evaluatePolicy(policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition })), { principal: app, action: 'kms:Encrypt', resource: KEY, context: baseConditionContext(app, extra, context) }, 'resource').decision;
  const IT = { Department: 'IT' };
  const TWO_KEYS = { Department: 'IT', Project: 'Alpha' };
  const S3 = { 'aws:s3:arn': 'arn:aws:s3:::bucket/path/obj' };

  test.each<[string, object, Record<string, string> | undefined, Decision]>([
    ['StringNotEquals holds for another value', { StringNotEquals: { 'kms:EncryptionContext:Department': 'HR' } }, IT, 'Allow'],
    ['StringNotEquals fails for the excluded value', { StringNotEquals: { 'kms:EncryptionContext:Department': 'IT' } }, IT, 'ImplicitDeny'],
    ['StringEqualsIgnoreCase: the values are alternatives', { StringEqualsIgnoreCase: { 'kms:EncryptionContext:Department': ['hr', 'it'] } }, IT, 'Allow'],
    ['StringEqualsIgnoreCase fails for another value', { StringEqualsIgnoreCase: { 'kms:EncryptionContext:Department': 'hr' } }, IT, 'ImplicitDeny'],
    ['StringNotEqualsIgnoreCase fails for the excluded value in another case', { StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:Department': 'it' } }, IT, 'ImplicitDeny'],
    ['StringNotEqualsIgnoreCase holds for another value', { StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:Department': 'hr' } }, IT, 'Allow'],
    ['StringNotEqualsIgnoreCase fails when any listed value matches', { StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:Department': ['hr', 'it'] } }, IT, 'ImplicitDeny'],
    ['StringLike: the patterns are alternatives', { StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['x*', 'arn:aws:s3:::bucket/*'] } }, S3, 'Allow'],
    ['StringLike is case-sensitive', { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'ARN:AWS:S3:::BUCKET/*' } }, S3, 'ImplicitDeny'],
    ['StringNotLike holds when the value matches no pattern', { StringNotLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::other/*' } }, S3, 'Allow'],
    ['StringNotLike fails when any pattern matches', { StringNotLike: { 'kms:EncryptionContext:aws:s3:arn': ['x*', 'arn:aws:s3:::bucket/*'] } }, S3, 'ImplicitDeny'],
    ['StringNotLike is case-sensitive', { StringNotLike: { 'kms:EncryptionContext:aws:s3:arn': 'ARN:AWS:S3:::BUCKET/*' } }, S3, 'Allow'],
    ['StringEqualsIfExists on a present key holds when it matches', { StringEqualsIfExists: { 'kms:EncryptionContext:Department': 'IT' } }, IT, 'Allow'],
    ['StringEqualsIfExists on a present key fails when it differs', { StringEqualsIfExists: { 'kms:EncryptionContext:Department': 'HR' } }, IT, 'ImplicitDeny'],
    ['ArnEquals on aws:PrincipalArn', { ArnEquals: { 'aws:PrincipalArn': ARN_APP } }, undefined, 'Allow'],
    ['ArnEquals on aws:PrincipalArn of another role', { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/other` } }, undefined, 'ImplicitDeny'],
    ['ArnNotEquals fails for the excluded ARN', { ArnNotEquals: { 'aws:PrincipalArn': ARN_APP } }, undefined, 'ImplicitDeny'],
    ['ArnNotEquals holds for another ARN', { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/other` } }, undefined, 'Allow'],
    ['ArnNotEquals fails when any listed ARN matches', { ArnNotEquals: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCT}:role/other`, ARN_APP] } }, undefined, 'ImplicitDeny'],
    ['ArnNotLike holds when no pattern matches', { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:role/x*` } }, undefined, 'Allow'],
    ['ArnNotLike fails when any pattern matches', { ArnNotLike: { 'aws:PrincipalArn': [`arn:aws:iam::${ACCT}:role/x*`, `arn:aws:iam::${ACCT}:role/a*`] } }, undefined, 'ImplicitDeny'],
    ['ArnNotLike is case-sensitive', { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:ROLE/A*` } }, undefined, 'Allow'],
    // a single-valued operator on a multi-valued key (kms:EncryptionContextKeys)
    ['StringEquals on a multi-valued key holds when any value matches', { StringEquals: { 'kms:EncryptionContextKeys': 'Project' } }, TWO_KEYS, 'Allow'],
    ['StringNotEquals on a multi-valued key fails when any value is excluded', { StringNotEquals: { 'kms:EncryptionContextKeys': 'Project' } }, TWO_KEYS, 'ImplicitDeny'],
    ['StringNotEquals on a multi-valued key holds when no value is excluded', { StringNotEquals: { 'kms:EncryptionContextKeys': 'Other' } }, TWO_KEYS, 'Allow'],
    ['ForAnyValue:StringNotEquals holds when one value is not excluded', { 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'Department' } }, TWO_KEYS, 'Allow'],
    ['ForAnyValue:StringNotEquals fails when every value is excluded', { 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'Department' } }, IT, 'ImplicitDeny'],
    // Null
    ['Null false holds when the request has a context', { Null: { 'kms:EncryptionContextKeys': 'false' } }, IT, 'Allow'],
    ['Null true fails when the request has a context', { Null: { 'kms:EncryptionContextKeys': 'true' } }, IT, 'ImplicitDeny'],
    ['Null true holds for an empty encryption context (no keys)', { Null: { 'kms:EncryptionContextKeys': 'true' } }, {}, 'Allow'],
    ['Null false fails for an empty encryption context', { Null: { 'kms:EncryptionContextKeys': 'false' } }, {}, 'ImplicitDeny'],
    ['the values of Null are alternatives', { Null: { 'kms:EncryptionContextKeys': ['true', 'false'] } }, IT, 'Allow'],
  ])('%s', (_name, condition, context, expected) => {
    expect(under(condition, context)).toBe(expected);
  });

  test('the values of Bool are alternatives', () => {
    expect(under({ Bool: { 'kms:GrantIsForAWSResource': ['true', 'false'] } }, undefined, { 'kms:GrantIsForAWSResource': false })).toBe('Allow');
  });

  // Each comparison against a value just below, at and just above the request's: [below, equal, above].
  const COMPARISONS: [string, [Decision, Decision, Decision]][] = [
    ['Equals', ['ImplicitDeny', 'Allow', 'ImplicitDeny']],
    ['NotEquals', ['Allow', 'ImplicitDeny', 'Allow']],
    ['LessThan', ['ImplicitDeny', 'ImplicitDeny', 'Allow']],
    ['LessThanEquals', ['ImplicitDeny', 'Allow', 'Allow']],
    ['GreaterThan', ['Allow', 'ImplicitDeny', 'ImplicitDeny']],
    ['GreaterThanEquals', ['Allow', 'Allow', 'ImplicitDeny']],
  ];

  test.each(COMPARISONS)('Numeric%s compares kms:RotationPeriodInDays 90 with 89, 90, 91', (relation, expected) => {
    const days = { 'kms:RotationPeriodInDays': 90 };
    expect(['89', '90', '91'].map((w) => under({ [`Numeric${relation}`]: { 'kms:RotationPeriodInDays': w } }, undefined, days))).toEqual(expected);
  });

  test.each(COMPARISONS)('Date%s compares aws:CurrentTime with a second before, the instant and a second after', (relation, expected) => {
    const instants = ['2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z'];
    expect(instants.map((w) => under({ [`Date${relation}`]: { 'aws:CurrentTime': w } }))).toEqual(expected);
  });

  test.each<[string, object, Record<string, ConditionValue>, Decision]>([
    ['NumericEquals: the values are alternatives', { NumericEquals: { 'kms:RotationPeriodInDays': ['180', '90'] } }, { 'kms:RotationPeriodInDays': 90 }, 'Allow'],
    ['NumericNotEquals fails when any listed value is the request\'s', { NumericNotEquals: { 'kms:RotationPeriodInDays': ['180', '90'] } }, { 'kms:RotationPeriodInDays': 90 }, 'ImplicitDeny'],
    ['NumericNotEquals on a value that is not a number never holds', { NumericNotEquals: { 'aws:PrincipalArn': '1' } }, {}, 'ImplicitDeny'],
    ['DateEquals with epoch seconds', { DateEquals: { 'aws:CurrentTime': '1767225600' } }, {}, 'Allow'],
    ['DateLessThan with epoch seconds', { DateLessThan: { 'aws:CurrentTime': '1767225601' } }, {}, 'Allow'],
    ['DateEquals with a time zone offset', { DateEquals: { 'aws:CurrentTime': '2026-01-01T01:00:00+01:00' } }, {}, 'Allow'],
  ])('%s', (_name, condition, extra, expected) => {
    expect(under(condition, undefined, extra)).toBe(expected);
  });
});

describe('evaluatePolicy: IpAddress and NotIpAddress on aws:SourceIp (IPv4 and IPv6 CIDR blocks)', () => {
  const from = (sourceIp: string | undefined, Condition: object) =>
    evaluatePolicy(policy(allow({ Principal: '*', Action: 'kms:Encrypt', Condition })), { principal: app, action: 'kms:Encrypt', resource: KEY, context: baseConditionContext(app, sourceIp === undefined ? {} : { 'aws:SourceIp': sourceIp }) }, 'resource').decision;

  test.each<[string, string | string[], boolean]>([
    ['10.1.2.3', '10.0.0.0/8', true],
    ['11.1.2.3', '10.0.0.0/8', false],
    ['10.1.2.3', '10.1.2.0/24', true],
    ['10.1.3.3', '10.1.2.0/24', false],
    ['10.1.2.3', '10.1.2.3/32', true],
    ['10.1.2.3', '10.1.2.3', true],
    ['10.1.2.4', '10.1.2.3', false],
    ['10.1.2.3', '0.0.0.0/0', true],
    ['10.1.2.3', ['192.168.0.0/16', '10.0.0.0/8'], true],
    ['10.1.2.3', '10.1.2.0/33', false],
    ['10.1.2.3', '10.1.2.0/24/1', false],
    ['10.1.2.3', '10.1.2.0/x', false],
    ['10.1.2.3', '10.0.0.0/0x8', false],
    ['10.1.2.3', '10.0.0.0/1e1', false],
    ['192.168.10.200', '192.168.0.0/16', true],
    ['10.1.2.255', '10.1.2.0/24', true],
    ['10.1.2.3x', '0.0.0.0/0', false],
    ['10.1.2.3', '10.1.2.0/', false],
    ['10.1.2.3', '10.1.2.256/24', false],
    ['10.1.2.300', '0.0.0.0/0', false],
    [' 10.1.2.3', '0.0.0.0/0', false],
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db9::1', '2001:db8::/32', false],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1', true],
    ['2001:DB8::1', '2001:db8::1/128', true],
    ['::1', '::1/128', true],
    ['::1', '::', false],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', true],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8', true],
    ['2001:db8::1', '::/0', true],
    ['2001:db8::1', '10.0.0.0/8', false],
    ['10.1.2.3', '::/0', false],
    ['::ffff:10.1.2.3', '10.0.0.0/8', true],
    ['::FFFF:10.1.2.3', '10.1.2.3', true],
    ['1:2:3:4:5:6:7', '::/0', false],
    ['1:2:3:4:5:6:7:8:9', '::/0', false],
    ['1:2:3:4::5:6:7:8', '::/0', false],
    ['1::2::3', '::/0', false],
    ['12345::1', '::/0', false],
    ['::12345', '::1:2345', false],
    ['1:2:3:4::5:6:7:8::9', '::/0', false],
    ['g::1', '::/0', false],
    ['1:2:3:4:5:6:7:8', '::/0', true],
  ])('%s in %j: %s', (address, block, inside) => {
    expect(from(address, { IpAddress: { 'aws:SourceIp': block } })).toBe(inside ? 'Allow' : 'ImplicitDeny');
    expect(from(address, { NotIpAddress: { 'aws:SourceIp': block } })).toBe(inside ? 'ImplicitDeny' : 'Allow');
  });

  test('without aws:SourceIp, IpAddress fails and NotIpAddress holds (a negated operator)', () => {
    expect(from(undefined, { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } })).toBe('ImplicitDeny');
    expect(from(undefined, { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })).toBe('Allow');
  });

  test('NotIpAddress fails when the address is in any listed block', () => {
    expect(from('10.1.2.3', { NotIpAddress: { 'aws:SourceIp': ['192.168.0.0/16', '10.0.0.0/8'] } })).toBe('ImplicitDeny');
  });
});
