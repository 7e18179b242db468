/**
 * The condition keys one authorization carries (conditions.ts, D109): per caller, per request member and per key,
 * each as the whole set of keys `conditionContext` returns, so a key that appears where it should not (or with
 * another name, case or value) is as visible as one that is missing. The evaluator reads nothing else.
 */
import { describe, expect, test } from 'vitest';
import { type CallFacts, type ConditionValue, conditionContext } from '../../../../lambda/core/authorization/conditions';
import type { KeyRecord } from '../../../../lambda/core/model/key';
import { principalOf, rootPrincipal } from '../../../../lambda/core/model/principal';

const ACCT = '111122223333';
const NOW = new Date('2026-03-04T05:06:07.890Z');
const EPOCH = 1772600767; // NOW in whole seconds
const root = rootPrincipal('aws', ACCT);
const alice = principalOf(`arn:aws:iam::${ACCT}:user/Alice`, '');
const session = principalOf(`arn:aws:iam::${ACCT}:role/app`, 'BYOKSESSION');
const facts: CallFacts = { principal: alice, region: 'eu-west-1', now: NOW };

/** The keys every call by Alice in eu-west-1 at NOW carries. */
const ALICE = {
  'aws:principalarn': alice.principalArn,
  'aws:principalaccount': ACCT,
  'aws:principaltype': 'User',
  'aws:username': 'Alice',
  'aws:requestedregion': 'eu-west-1',
  'aws:currenttime': NOW,
  'aws:epochtime': EPOCH,
  'kms:calleraccount': ACCT,
};

const asMap = (entries: Record<string, ConditionValue>) => new Map(Object.entries(entries));

describe('conditionContext: the caller and the call', () => {
  test.each([
    {
      name: 'an IAM user: type User, with aws:username',
      facts,
      expected: ALICE,
    },
    {
      name: 'the root user: type Account, no aws:username',
      facts: { ...facts, principal: root },
      expected: { ...ALICE, 'aws:principalarn': root.arn, 'aws:principaltype': 'Account', 'aws:username': undefined },
    },
    {
      name: 'a role session: type AssumedRole, aws:PrincipalArn the role, no aws:username (the role name is not one)',
      facts: { ...facts, principal: session },
      expected: { ...ALICE, 'aws:principalarn': `arn:aws:iam::${ACCT}:role/app`, 'aws:principaltype': 'AssumedRole', 'aws:username': undefined },
    },
    {
      name: 'the address the front door saw is aws:SourceIp',
      facts: { ...facts, sourceIp: '192.0.2.7' },
      expected: { ...ALICE, 'aws:sourceip': '192.0.2.7' },
    },
  ])('$name', ({ facts: call, expected }) => {
    const present = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined)) as Record<string, ConditionValue>;
    expect(conditionContext(call, 'DescribeKey', {})).toStrictEqual(asMap(present));
  });

  test('aws:EpochTime is whole seconds, rounded down', () => {
    const context = conditionContext({ ...facts, now: new Date(999) }, 'ListKeys', {});
    expect(context.get('aws:epochtime')).toBe(0);
    expect(conditionContext({ ...facts, now: new Date(1000) }, 'ListKeys', {}).get('aws:epochtime')).toBe(1);
  });

  // AWS's condition keys per action (Service Authorization Reference, D150): kms:CallerAccount is a key of the
  // actions on a key, of CreateKey and of RetireGrant, and of none of the account-wide listings or GenerateRandom.
  test.each(['ListAliases', 'ListKeys', 'ListRetirableGrants', 'GenerateRandom', 'LookupEvents'])('%s has no kms:CallerAccount, and every other key of the caller', (permission) => {
    const { 'kms:calleraccount': _, ...others } = ALICE;
    expect(conditionContext(facts, permission, {})).toStrictEqual(asMap(others));
  });

  test.each(['CreateKey', 'RetireGrant', 'DescribeKey', 'Decrypt', 'TagResource', 'CreateAlias', 'PutKeyPolicy'])('%s has kms:CallerAccount, the caller\'s account', (permission) => {
    expect(conditionContext(facts, permission, {}).get('kms:calleraccount')).toBe(ACCT);
  });
});

/** The keys the request's members add to ALICE's, for `permission` with `input` (no key); compared with toStrictEqual, so a key present with no value counts. */
function memberKeys(permission: string, input: Record<string, unknown>): Record<string, ConditionValue> {
  const context = conditionContext(facts, permission, input);
  return Object.fromEntries([...context].filter(([k]) => !(k in ALICE)));
}

/** A ReEncrypt request: each half of its authorization sees its own members (and not the unprefixed ones). */
const RE_ENCRYPT = {
  SourceKeyId: 'alias/old',
  SourceEncryptionContext: { from: 'a' },
  SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
  DestinationKeyId: 'alias/new',
  DestinationEncryptionContext: { to: 'b' },
  DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
};

describe('conditionContext: keys the request members set', () => {
  test.each<{ name: string; permission: string; input: Record<string, unknown>; expected: Record<string, ConditionValue> }>([
    {
      name: 'an encryption context: one key per pair (name lower-cased, value as sent) and the list of names as sent',
      permission: 'Encrypt',
      input: { KeyId: 'k', EncryptionContext: { AppName: 'ExampleApp', stage: 'Prod' }, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      expected: {
        'kms:encryptioncontext:appname': 'ExampleApp',
        'kms:encryptioncontext:stage': 'Prod',
        'kms:encryptioncontextkeys': ['AppName', 'stage'],
        'kms:encryptionalgorithm': 'SYMMETRIC_DEFAULT',
      },
    },
    {
      name: 'an empty encryption context: an empty list of names (Null sees it as absent)',
      permission: 'Decrypt',
      input: { EncryptionContext: {} },
      expected: { 'kms:encryptioncontextkeys': [], 'kms:encryptionalgorithm': 'SYMMETRIC_DEFAULT' },
    },
    {
      name: 'an encryption context that is not a map of strings sets nothing',
      permission: 'Decrypt',
      input: { EncryptionContext: { a: 'x', b: 1 } },
      expected: { 'kms:encryptionalgorithm': 'SYMMETRIC_DEFAULT' },
    },
    { name: 'an encryption context of null sets nothing', permission: 'Decrypt', input: { EncryptionContext: null }, expected: { 'kms:encryptionalgorithm': 'SYMMETRIC_DEFAULT' } },
    { name: 'an encryption context that is a list sets nothing', permission: 'Decrypt', input: { EncryptionContext: ['a'] }, expected: { 'kms:encryptionalgorithm': 'SYMMETRIC_DEFAULT' } },
    ...['Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo'].map((permission) => ({
      name: `${permission} naming no algorithm: kms:EncryptionAlgorithm is SYMMETRIC_DEFAULT, the one it uses`,
      permission,
      input: { EncryptionAlgorithm: undefined },
      expected: { 'kms:encryptionalgorithm': 'SYMMETRIC_DEFAULT' },
    })),
    { name: 'other actions have no encryption algorithm', permission: 'Sign', input: {}, expected: {} },
    {
      name: 'ReEncryptFrom sees the source members only',
      permission: 'ReEncryptFrom',
      input: { ...RE_ENCRYPT, KeyId: 'alias/neither' },
      expected: {
        'kms:encryptioncontext:from': 'a',
        'kms:encryptioncontextkeys': ['from'],
        'kms:encryptionalgorithm': 'RSAES_OAEP_SHA_1',
        'kms:requestalias': 'alias/old',
      },
    },
    {
      name: 'ReEncryptTo sees the destination members only',
      permission: 'ReEncryptTo',
      input: { ...RE_ENCRYPT, EncryptionContext: { plain: 'c' } },
      expected: {
        'kms:encryptioncontext:to': 'b',
        'kms:encryptioncontextkeys': ['to'],
        'kms:encryptionalgorithm': 'RSAES_OAEP_SHA_256',
        'kms:requestalias': 'alias/new',
      },
    },
    {
      name: 'CreateGrant: operations, principals, the EncryptionContextEquals constraint and its type; a grant is never for an AWS resource',
      permission: 'CreateGrant',
      input: {
        KeyId: 'k',
        GranteePrincipal: `arn:aws:iam::${ACCT}:role/app`,
        RetiringPrincipal: `arn:aws:iam::${ACCT}:user/Alice`,
        Operations: ['Encrypt', 'Decrypt'],
        Constraints: { EncryptionContextEquals: { Dept: 'IT' } },
        EncryptionContext: { ignored: 'x' },
      },
      expected: {
        'kms:encryptioncontext:dept': 'IT',
        'kms:encryptioncontextkeys': ['Dept'],
        'kms:grantoperations': ['Encrypt', 'Decrypt'],
        'kms:granteeprincipal': `arn:aws:iam::${ACCT}:role/app`,
        'kms:retiringprincipal': `arn:aws:iam::${ACCT}:user/Alice`,
        'kms:grantconstrainttype': 'EncryptionContextEquals',
        'kms:grantisforawsresource': false,
      },
    },
    {
      name: 'CreateGrant with EncryptionContextSubset',
      permission: 'CreateGrant',
      input: { GranteePrincipal: 'g', Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { Dept: 'HR' } } },
      expected: {
        'kms:encryptioncontext:dept': 'HR',
        'kms:encryptioncontextkeys': ['Dept'],
        'kms:grantoperations': ['Decrypt'],
        'kms:granteeprincipal': 'g',
        'kms:grantconstrainttype': 'EncryptionContextSubset',
        'kms:grantisforawsresource': false,
      },
    },
    {
      name: 'CreateGrant without constraints: no constraint type, no encryption context keys',
      permission: 'CreateGrant',
      input: { GranteePrincipal: 'g', Operations: ['Decrypt'], Constraints: {} },
      expected: { 'kms:grantoperations': ['Decrypt'], 'kms:granteeprincipal': 'g', 'kms:grantisforawsresource': false },
    },
    { name: 'ListGrants: kms:GrantIsForAWSResource false', permission: 'ListGrants', input: {}, expected: { 'kms:grantisforawsresource': false } },
    { name: 'RevokeGrant: kms:GrantIsForAWSResource false', permission: 'RevokeGrant', input: {}, expected: { 'kms:grantisforawsresource': false } },
    {
      name: 'Operations or GranteePrincipal of another action are not grant keys',
      permission: 'DescribeKey',
      input: { Operations: ['Decrypt'], GranteePrincipal: 'g', RetiringPrincipal: 'r', Constraints: { EncryptionContextEquals: { a: 'b' } } },
      expected: {},
    },
    {
      name: 'Sign: signing algorithm and message type',
      permission: 'Sign',
      input: { SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'DIGEST' },
      expected: { 'kms:signingalgorithm': 'ECDSA_SHA_256', 'kms:messagetype': 'DIGEST' },
    },
    { name: 'GenerateMac: the MAC algorithm', permission: 'GenerateMac', input: { MacAlgorithm: 'HMAC_SHA_256' }, expected: { 'kms:macalgorithm': 'HMAC_SHA_256' } },
    {
      name: 'DeriveSharedSecret: the key agreement algorithm',
      permission: 'DeriveSharedSecret',
      input: { KeyAgreementAlgorithm: 'ECDH' },
      expected: { 'kms:keyagreementalgorithm': 'ECDH' },
    },
    { name: 'GenerateDataKeyPair: the pair spec', permission: 'GenerateDataKeyPair', input: { KeyPairSpec: 'RSA_2048' }, expected: { 'kms:datakeypairspec': 'RSA_2048', 'kms:encryptionalgorithm': 'SYMMETRIC_DEFAULT' } },
    {
      name: 'GetParametersForImport: wrapping algorithm and key spec',
      permission: 'GetParametersForImport',
      input: { WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_4096' },
      expected: { 'kms:wrappingalgorithm': 'RSA_AES_KEY_WRAP_SHA_256', 'kms:wrappingkeyspec': 'RSA_4096' },
    },
    {
      name: 'ImportKeyMaterial: the expiration model and ValidTo in whole Unix seconds',
      permission: 'ImportKeyMaterial',
      input: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date('2026-06-01T00:00:00.999Z') },
      expected: { 'kms:expirationmodel': 'KEY_MATERIAL_EXPIRES', 'kms:validto': 1780272000 },
    },
    { name: 'a ValidTo that is not a date sets nothing', permission: 'ImportKeyMaterial', input: { ValidTo: '1780272000' }, expected: {} },
    { name: 'EnableKeyRotation: the rotation period', permission: 'EnableKeyRotation', input: { RotationPeriodInDays: 90 }, expected: { 'kms:rotationperiodindays': 90 } },
    {
      name: 'ScheduleKeyDeletion: the pending window as given',
      permission: 'ScheduleKeyDeletion',
      input: { PendingWindowInDays: 7 },
      expected: { 'kms:schedulekeydeletionpendingwindowindays': 7 },
    },
    {
      name: 'ScheduleKeyDeletion without a window: the default 30',
      permission: 'ScheduleKeyDeletion',
      input: {},
      expected: { 'kms:schedulekeydeletionpendingwindowindays': 30 },
    },
    { name: 'PendingWindowInDays of another action is not the deletion window', permission: 'DisableKey', input: { PendingWindowInDays: 7 }, expected: {} },
    { name: 'PutKeyPolicy without BypassPolicyLockoutSafetyCheck: no key (AWS allows exactly these with Null: true)', permission: 'PutKeyPolicy', input: {}, expected: {} },
    {
      name: 'PutKeyPolicy: BypassPolicyLockoutSafetyCheck false, as given',
      permission: 'PutKeyPolicy',
      input: { BypassPolicyLockoutSafetyCheck: false },
      expected: { 'kms:bypasspolicylockoutsafetycheck': false },
    },
    {
      name: 'PutKeyPolicy: BypassPolicyLockoutSafetyCheck as given',
      permission: 'PutKeyPolicy',
      input: { BypassPolicyLockoutSafetyCheck: true },
      expected: { 'kms:bypasspolicylockoutsafetycheck': true },
    },
    {
      name: 'BypassPolicyLockoutSafetyCheck of another action is not a key',
      permission: 'DescribeKey',
      input: { BypassPolicyLockoutSafetyCheck: true },
      expected: {},
    },
    {
      name: 'TagResource: aws:RequestTag/<key> per tag (name lower-cased) and aws:TagKeys as sent',
      permission: 'TagResource',
      input: { KeyId: 'k', Tags: [{ TagKey: 'Env', TagValue: 'Prod' }, { TagKey: 'team', TagValue: 'Ops' }] },
      expected: { 'aws:requesttag/env': 'Prod', 'aws:requesttag/team': 'Ops', 'aws:tagkeys': ['Env', 'team'] },
    },
    { name: 'UntagResource: aws:TagKeys is the TagKeys member', permission: 'UntagResource', input: { TagKeys: ['Env', 'team'] }, expected: { 'aws:tagkeys': ['Env', 'team'] } },
    { name: 'TagKeys of another action are not aws:TagKeys', permission: 'TagResource', input: { TagKeys: ['Env'] }, expected: {} },
    {
      name: 'members of the wrong type set nothing: an object, a list with a non-string, null',
      permission: 'Sign',
      input: { SigningAlgorithm: { a: 1 }, MessageType: null, KeyAgreementAlgorithm: ['ECDH', 1], MacAlgorithm: undefined },
      expected: {},
    },
    { name: 'a boolean member keeps its type', permission: 'Sign', input: { MessageType: false }, expected: { 'kms:messagetype': false } },
  ])('$name', ({ permission, input, expected }) => {
    expect(memberKeys(permission, input)).toStrictEqual(expected);
  });
});

describe('conditionContext: kms:RequestAlias is the alias name the request identified the key by', () => {
  test.each([
    { keyId: 'alias/finance-key', alias: 'alias/finance-key' },
    { keyId: `arn:aws:kms:us-west-2:${ACCT}:alias/finance-key`, alias: 'alias/finance-key' },
    { keyId: `arn:aws-us-gov:kms:us-gov-west-1:${ACCT}:alias/a/b`, alias: 'alias/a/b' },
    { keyId: `arn:aws:kms::${ACCT}:alias/x`, alias: 'alias/x' },
    { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', alias: undefined },
    { keyId: `arn:aws:kms:us-west-2:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, alias: undefined },
    { keyId: 'alias/', alias: undefined },
    { keyId: 'xalias/finance-key', alias: undefined },
    { keyId: `arn:aws:kms:us-west-2:12345:alias/short-account`, alias: undefined },
    { keyId: `arn::kms:us-west-2:${ACCT}:alias/no-partition`, alias: undefined },
    { keyId: `arn:aws:kms:us-west-2:${ACCT}:alias/a\nb`, alias: undefined },
  ])('$keyId → $alias', ({ keyId, alias }) => {
    expect(memberKeys('DescribeKey', { KeyId: keyId })).toStrictEqual(alias === undefined ? {} : { 'kms:requestalias': alias });
  });

  test('a KeyId that is not a string sets nothing', () => {
    expect(memberKeys('DescribeKey', { KeyId: 5 })).toStrictEqual({});
    expect(memberKeys('DescribeKey', { KeyId: ['alias/finance-key'] })).toStrictEqual({});
  });
});

describe('conditionContext: keys of the key', () => {
  const key: Pick<KeyRecord, 'keySpec' | 'keyUsage' | 'origin' | 'tags'> = {
    keySpec: 'RSA_2048',
    keyUsage: 'SIGN_VERIFY',
    origin: 'EXTERNAL',
    tags: [
      { TagKey: 'Project', TagValue: 'Alpha' },
      { TagKey: 'cost', TagValue: 'Low' },
    ],
  };

  test('spec, usage, origin, single-Region, and aws:ResourceTag/<key> per tag (name lower-cased)', () => {
    expect(conditionContext(facts, 'Sign', {}, key)).toStrictEqual(
      asMap({
        ...ALICE,
        'kms:keyspec': 'RSA_2048',
        'kms:keyusage': 'SIGN_VERIFY',
        'kms:keyorigin': 'EXTERNAL',
        'kms:multiregion': false,
        'aws:resourcetag/project': 'Alpha',
        'aws:resourcetag/cost': 'Low',
      }),
    );
  });

  test('a key read by CreateKey is that key, not the one the request would make', () => {
    expect(memberKeys('CreateKey', { KeySpec: 'HMAC_256' })).toMatchObject({ 'kms:keyspec': 'HMAC_256' });
    expect(conditionContext(facts, 'CreateKey', { KeySpec: 'HMAC_256' }, key).get('kms:keyspec')).toBe('RSA_2048');
  });
});

describe('conditionContext: CreateKey sees the key it would make', () => {
  test.each<{ name: string; input: Record<string, unknown>; expected: Record<string, ConditionValue> }>([
    {
      name: 'nothing given: the defaults (symmetric, ENCRYPT_DECRYPT, AWS_KMS, single-Region), and no bypass key',
      input: {},
      expected: { 'kms:keyspec': 'SYMMETRIC_DEFAULT', 'kms:keyusage': 'ENCRYPT_DECRYPT', 'kms:keyorigin': 'AWS_KMS', 'kms:multiregion': false},
    },
    {
      name: 'everything given',
      input: { KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL', MultiRegion: true, BypassPolicyLockoutSafetyCheck: true },
      expected: { 'kms:keyspec': 'RSA_3072', 'kms:keyusage': 'SIGN_VERIFY', 'kms:keyorigin': 'EXTERNAL', 'kms:multiregion': true, 'kms:bypasspolicylockoutsafetycheck': true },
    },
    {
      name: 'the deprecated CustomerMasterKeySpec names the spec',
      input: { CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      expected: { 'kms:keyspec': 'ECC_NIST_P256', 'kms:keyusage': 'SIGN_VERIFY', 'kms:keyorigin': 'AWS_KMS', 'kms:multiregion': false},
    },
    {
      name: 'KeySpec wins over CustomerMasterKeySpec',
      input: { KeySpec: 'HMAC_512', CustomerMasterKeySpec: 'RSA_2048', KeyUsage: 'GENERATE_VERIFY_MAC' },
      expected: { 'kms:keyspec': 'HMAC_512', 'kms:keyusage': 'GENERATE_VERIFY_MAC', 'kms:keyorigin': 'AWS_KMS', 'kms:multiregion': false},
    },
    {
      name: 'an asymmetric spec without KeyUsage has no usage (the request is refused: there is no default)',
      input: { KeySpec: 'RSA_2048' },
      expected: { 'kms:keyspec': 'RSA_2048', 'kms:keyorigin': 'AWS_KMS', 'kms:multiregion': false},
    },
    {
      name: 'MultiRegion other than true is single-Region',
      input: { MultiRegion: 'true' },
      expected: { 'kms:keyspec': 'SYMMETRIC_DEFAULT', 'kms:keyusage': 'ENCRYPT_DECRYPT', 'kms:keyorigin': 'AWS_KMS', 'kms:multiregion': false},
    },
  ])('$name', ({ input, expected }) => {
    expect(memberKeys('CreateKey', input)).toStrictEqual(expected);
  });

  test('actions on no key other than CreateKey have no key keys', () => {
    expect(memberKeys('ListAliases', { KeySpec: 'RSA_2048' })).toStrictEqual({});
    expect(memberKeys('GenerateRandom', {})).toStrictEqual({});
  });
});
