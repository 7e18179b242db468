/**
 * AWS's decision procedure (authorize.ts) where grants decide: which grantees a grant names (a session,
 * its role, the account), the child grants a grant allowing CreateGrant permits (spec §3.5), and who may
 * retire a grant (spec §3.6). The decisions are what enforce mode answers; the texts are pinned in
 * policy-evaluator.test.ts and test/unit/core/authorization/access.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { type AccessDecision, authorize, authorizeRetireGrant, type GrantView } from '../../../../lambda/core/authorization/authorize';
import { conditionContext } from '../../../../lambda/core/authorization/conditions';
import type { GrantConstraints, GrantOperation } from '../../../../lambda/core/model/grant';
import { type Principal, principalOf } from '../../../../lambda/core/model/principal';

const ACCT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROLE = `arn:aws:iam::${ACCT}:role/app`;
const app = principalOf(ROLE, 'BYOKSESSION');
const alice = principalOf(`arn:aws:iam::${ACCT}:user/Alice`, '');
const bob = principalOf(`arn:aws:iam::${ACCT}:user/Bob`, '');
const stranger = principalOf('arn:aws:iam::444455556666:user/Mallory', '');

const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
/** A key policy that names nobody these tests call as (and has no account statement). */
const ADMIN_ONLY = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:role/admin` }, Action: 'kms:*', Resource: '*' });
const identity = (Effect: 'Allow' | 'Deny', Action: string, Resource = '*') => policy({ Effect, Action, Resource });

const context = (principal: Principal) => conditionContext({ principal, region: 'us-east-1', now: new Date('2026-01-01T00:00:00Z') }, 'Encrypt', {});
const ALLOWED_BY_GRANT: AccessDecision = { allowed: true, by: 'grant' };
const NOT_ALLOWED: AccessDecision = { allowed: false, reason: 'no-resource-policy' };

describe('authorize: the grantees a grant names', () => {
  const encrypt = (principal: Principal, granteePrincipal: string, identityPolicy?: object) =>
    authorize({
      principal,
      operation: 'Encrypt',
      keyArn: KEY,
      keyPolicy: ADMIN_ONLY,
      ...(identityPolicy && { identityPolicy }),
      grants: [{ granteePrincipal, operations: ['Encrypt'] }],
      context: context(principal),
    });

  test.each<[string, Principal, string, object | undefined, AccessDecision]>([
    ['a grant to one session lets that session in', app, app.arn, undefined, ALLOWED_BY_GRANT],
    ['a grant to the role lets its sessions in', app, ROLE, undefined, ALLOWED_BY_GRANT],
    ['a grant to a user lets that user in', alice, alice.arn, undefined, ALLOWED_BY_GRANT],
    ['a grant to another user does not', alice, bob.arn, undefined, NOT_ALLOWED],
    ['a grant to the account (its id) lets in a principal with no identity policy', alice, ACCT, undefined, ALLOWED_BY_GRANT],
    ['a grant to the account (its root ARN) lets in a principal with no identity policy', alice, `arn:aws:iam::${ACCT}:root`, undefined, ALLOWED_BY_GRANT],
    ['a grant to the account lets in a principal whose identity policy allows the action', alice, ACCT, identity('Allow', 'kms:Encrypt'), ALLOWED_BY_GRANT],
    ['a grant to the account does not let in a principal whose identity policy does not allow it', alice, `arn:aws:iam::${ACCT}:root`, identity('Allow', 'kms:Decrypt'), NOT_ALLOWED],
    ['a grant to another account does not let me in', alice, '444455556666', undefined, NOT_ALLOWED],
    ['a grant to my account does not let in a principal of another account', stranger, ACCT, undefined, NOT_ALLOWED],
  ])('%s', (_name, principal, grantee, identityPolicy, expected) => {
    expect(encrypt(principal, grantee, identityPolicy)).toEqual(expected);
  });
});

describe('authorize: a grant that allows CreateGrant allows only child grants within itself (spec §3.5)', () => {
  const PARENT_OPERATIONS: GrantOperation[] = ['CreateGrant', 'Decrypt', 'Encrypt'];
  const createChild = (parent: GrantConstraints | undefined, operations: GrantOperation[], constraints?: GrantConstraints) =>
    authorize({
      principal: app,
      operation: 'CreateGrant',
      keyArn: KEY,
      keyPolicy: ADMIN_ONLY,
      grants: [{ granteePrincipal: ROLE, operations: PARENT_OPERATIONS, ...(parent && { constraints: parent }) }],
      requestedGrant: { operations, ...(constraints && { constraints }) },
      context: context(app),
    }).allowed;
  const A1 = { a: '1' };

  test.each<[string, GrantConstraints | undefined, GrantOperation[], GrantConstraints | undefined, boolean]>([
    ['an unconstrained parent: any of its operations, unconstrained', undefined, ['Decrypt'], undefined, true],
    ['an unconstrained parent: all of its operations', undefined, ['Decrypt', 'Encrypt', 'CreateGrant'], undefined, true],
    ['an unconstrained parent: not an operation it lacks', undefined, ['Decrypt', 'ReEncryptFrom'], undefined, false],
    ['a Subset parent: not unconstrained', { encryptionContextSubset: A1 }, ['Decrypt'], undefined, false],
    ['a Subset parent: the same Subset', { encryptionContextSubset: A1 }, ['Decrypt'], { encryptionContextSubset: A1 }, true],
    ['a Subset parent: a Subset with more pairs', { encryptionContextSubset: A1 }, ['Decrypt'], { encryptionContextSubset: { a: '1', b: '2' } }, true],
    ['a Subset parent: not another value', { encryptionContextSubset: A1 }, ['Decrypt'], { encryptionContextSubset: { a: '2' } }, false],
    ['a Subset parent: not other pairs', { encryptionContextSubset: A1 }, ['Decrypt'], { encryptionContextSubset: { b: '1' } }, false],
    ['a Subset parent of two pairs: not only one of them', { encryptionContextSubset: { a: '1', b: '2' } }, ['Decrypt'], { encryptionContextSubset: { a: '1', b: '3' } }, false],
    ['a Subset parent: Equals holding its pairs', { encryptionContextSubset: A1 }, ['Decrypt'], { encryptionContextEquals: { a: '1', b: '2' } }, true],
    ['a Subset parent: not Equals without its pairs', { encryptionContextSubset: A1 }, ['Decrypt'], { encryptionContextEquals: { b: '2' } }, false],
    ['an Equals parent: the same Equals', { encryptionContextEquals: { a: '1', b: '2' } }, ['Decrypt'], { encryptionContextEquals: { b: '2', a: '1' } }, true],
    ['an Equals parent: not Equals with another pair', { encryptionContextEquals: A1 }, ['Decrypt'], { encryptionContextEquals: { a: '1', b: '2' } }, false],
    ['an Equals parent: not Equals with fewer pairs', { encryptionContextEquals: { a: '1', b: '2' } }, ['Decrypt'], { encryptionContextEquals: A1 }, false],
    ['an Equals parent: not Equals with another value', { encryptionContextEquals: A1 }, ['Decrypt'], { encryptionContextEquals: { a: '2' } }, false],
    ['an Equals parent of two pairs: not Equals with one of them changed', { encryptionContextEquals: { a: '1', b: '2' } }, ['Decrypt'], { encryptionContextEquals: { a: '1', b: '3' } }, false],
    ['an Equals parent: not Equals with another key', { encryptionContextEquals: A1 }, ['Decrypt'], { encryptionContextEquals: { b: '1' } }, false],
    ['an Equals parent: not a Subset', { encryptionContextEquals: A1 }, ['Decrypt'], { encryptionContextSubset: A1 }, false],
    ['an Equals parent: not Equals loosened by a Subset beside it', { encryptionContextEquals: A1 }, ['Decrypt'], { encryptionContextEquals: A1, encryptionContextSubset: A1 }, false],
    ['an Equals parent: not unconstrained', { encryptionContextEquals: A1 }, ['Decrypt'], undefined, false],
  ])('%s', (_name, parent, operations, constraints, expected) => {
    expect(createChild(parent, operations, constraints)).toBe(expected);
  });

  test('without the requested grant described, a grant allowing CreateGrant allows nothing', () => {
    const request = { principal: app, operation: 'CreateGrant', keyArn: KEY, keyPolicy: ADMIN_ONLY, context: context(app) };
    expect(authorize({ ...request, grants: [{ granteePrincipal: ROLE, operations: PARENT_OPERATIONS }] })).toEqual(NOT_ALLOWED);
  });
});

describe('authorizeRetireGrant: who may retire a grant (spec §3.6)', () => {
  const GRANT: GrantView = { granteePrincipal: ROLE, operations: ['Decrypt'], retiringPrincipal: alice.arn, issuingAccount: `arn:aws:iam::${ACCT}:root` };
  const retire = (principal: Principal, options: { grant?: Partial<GrantView>; identityPolicy?: object; keyPolicy?: object } = {}) =>
    authorizeRetireGrant(
      { principal, keyArn: KEY, keyPolicy: options.keyPolicy ?? ADMIN_ONLY, ...(options.identityPolicy && { identityPolicy: options.identityPolicy }), context: context(principal) },
      { ...GRANT, ...options.grant },
    );
  const withoutRetireGrant = identity('Allow', 'kms:Decrypt'); // an identity policy that does not allow kms:RetireGrant

  test.each<[string, Principal, Parameters<typeof retire>[1], AccessDecision]>([
    ['its retiring principal', alice, { identityPolicy: withoutRetireGrant }, ALLOWED_BY_GRANT],
    ['a session of its retiring role', app, { grant: { retiringPrincipal: ROLE }, identityPolicy: withoutRetireGrant }, ALLOWED_BY_GRANT],
    ['its grantee, when the grant includes RetireGrant', app, { grant: { operations: ['Decrypt', 'RetireGrant'] }, identityPolicy: withoutRetireGrant }, ALLOWED_BY_GRANT],
    ['not its grantee otherwise, without an identity Allow', app, { identityPolicy: withoutRetireGrant }, { allowed: false, reason: 'no-identity-policy' }],
    ['not a principal named by neither, without an identity Allow', bob, { grant: { operations: ['Decrypt', 'RetireGrant'] }, identityPolicy: withoutRetireGrant }, { allowed: false, reason: 'no-identity-policy' }],
    ['a principal of the issuing account whose identity policy allows kms:RetireGrant on the key', bob, { identityPolicy: identity('Allow', 'kms:RetireGrant', KEY) }, { allowed: true, by: 'identity-policy' }],
    ['a principal of the issuing account without an identity policy (an administrator)', bob, {}, { allowed: true, by: 'identity-policy' }],
    ['not a principal of another account', stranger, {}, NOT_ALLOWED],
    ['not its retiring principal under an identity Deny', alice, { identityPolicy: policy({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'kms:RetireGrant', Resource: '*' }) }, { allowed: false, reason: 'explicit-deny-identity' }],
    ['not its retiring principal under a key-policy Deny of kms:RetireGrant', alice, { keyPolicy: policy({ Effect: 'Deny', Principal: { AWS: alice.arn }, Action: 'kms:RetireGrant', Resource: '*' }) }, { allowed: false, reason: 'explicit-deny-resource' }],
    ['its retiring principal, when the key policy denies someone else', alice, { keyPolicy: policy({ Effect: 'Deny', Principal: { AWS: bob.arn }, Action: 'kms:RetireGrant', Resource: '*' }) }, ALLOWED_BY_GRANT],
  ])('%s', (_name, principal, options, expected) => {
    expect(retire(principal, options)).toEqual(expected);
  });

  test('without a key ARN the key policy is not consulted', () => {
    const denyAll = policy({ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' });
    expect(authorizeRetireGrant({ principal: alice, keyPolicy: denyAll, context: context(alice) }, GRANT)).toEqual(ALLOWED_BY_GRANT);
  });
});
