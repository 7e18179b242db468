/** Grant constraints, grantable operations, named grant ids and grant tokens (pure functions). */
import { describe, expect, test } from 'vitest';
import { InvalidGrantTokenException } from '../../../../lambda/core/errors';
import { constraintsAllow, grantableOperations, namedGrantId } from '../../../../lambda/core/model/grant';
import { checkGrantTokens, issueGrantToken, readGrantToken } from '../../../../lambda/core/model/grant-token';
import type { KeySpec, KeyUsage } from '../../../../lambda/core/model/key';

describe('grant constraints', () => {
  test.each([
    ['no constraint, any context', undefined, { any: 'thing' }, true],
    ['no constraint, no context', undefined, undefined, true],
    ['subset: the pairs and more', { encryptionContextSubset: { Dept: 'IT' } }, { Dept: 'IT', Project: 'x' }, true],
    ['subset: exactly the pairs', { encryptionContextSubset: { Dept: 'IT' } }, { Dept: 'IT' }, true],
    ['subset: a missing pair', { encryptionContextSubset: { Dept: 'IT', Project: 'x' } }, { Dept: 'IT' }, false],
    ['subset: another value', { encryptionContextSubset: { Dept: 'IT' } }, { Dept: 'HR' }, false],
    ['subset: the value in another case', { encryptionContextSubset: { Dept: 'IT' } }, { Dept: 'it' }, false],
    ['subset: the key in another case (keys match case-insensitively)', { encryptionContextSubset: { Dept: 'IT' } }, { DEPT: 'IT' }, true],
    ['subset: no context', { encryptionContextSubset: { Dept: 'IT' } }, undefined, false],
    ['equals: exactly the pairs, any order', { encryptionContextEquals: { a: '1', b: '2' } }, { b: '2', a: '1' }, true],
    ['equals: one pair more', { encryptionContextEquals: { a: '1' } }, { a: '1', b: '2' }, false],
    ['equals: one pair less', { encryptionContextEquals: { a: '1', b: '2' } }, { a: '1' }, false],
    ['equals: keys in another case', { encryptionContextEquals: { Purpose: 'backup' } }, { purpose: 'backup' }, true],
    ['both: each must hold', { encryptionContextSubset: { a: '1' }, encryptionContextEquals: { a: '1', b: '2' } }, { a: '1', b: '2' }, true],
    ['both: the subset fails', { encryptionContextSubset: { c: '3' }, encryptionContextEquals: { a: '1' } }, { a: '1' }, false],
  ])('%s', (_, constraints, context, allowed) => {
    expect(constraintsAllow(constraints, context)).toBe(allowed);
  });
});

describe('grantable operations', () => {
  const ops = (keySpec: string, keyUsage: string) => [...grantableOperations({ keySpec: keySpec as KeySpec, keyUsage: keyUsage as KeyUsage })].sort();
  const common = ['CreateGrant', 'DescribeKey', 'RetireGrant'];

  test('symmetric encryption keys: encryption and data keys, never signing or MACs', () => {
    expect(ops('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT')).toEqual(
      [...common, 'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo'].sort(),
    );
  });

  test.each([
    ['RSA_2048', 'ENCRYPT_DECRYPT', ['Decrypt', 'Encrypt', 'GetPublicKey', 'ReEncryptFrom', 'ReEncryptTo']],
    ['ECC_NIST_P256', 'SIGN_VERIFY', ['GetPublicKey', 'Sign', 'Verify']],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', ['GenerateMac', 'VerifyMac']],
    ['ECC_NIST_P384', 'KEY_AGREEMENT', ['DeriveSharedSecret', 'GetPublicKey']],
  ])('%s for %s: its usage only, no data keys', (spec, usage, own) => {
    expect(ops(spec, usage)).toEqual([...common, ...own].sort());
  });
});

describe('named grant ids', () => {
  const base = { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', name: 'n', granteePrincipal: 'arn:aws:iam::111122223333:role/A', operations: ['Encrypt', 'Decrypt'] as const };

  test('are 64 hex, the same for the same parameters (operations as a set, pairs in any order)', () => {
    const id = namedGrantId({ ...base, constraints: { encryptionContextSubset: { a: '1', b: '2' } } });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(namedGrantId({ ...base, operations: ['Decrypt', 'Encrypt', 'Decrypt'], constraints: { encryptionContextSubset: { b: '2', a: '1' } } })).toBe(id);
  });

  test('are the same whatever order the pairs of a constraint arrive in, for any number of pairs', () => {
    const pairs: [string, string][] = [['Department', 'IT'], ['Project', 'x'], ['app', '1'], ['Zone', 'z'], ['a-b', '2'], ['a', '3']];
    const idOf = (order: [string, string][]) =>
      namedGrantId({ ...base, constraints: { encryptionContextSubset: Object.fromEntries(order), encryptionContextEquals: Object.fromEntries([...order].reverse()) } });
    const id = idOf(pairs);
    for (const order of [[...pairs].reverse(), [pairs[3]!, pairs[0]!, pairs[5]!, pairs[1]!, pairs[4]!, pairs[2]!], [pairs[2]!, pairs[4]!, pairs[0]!, pairs[5]!, pairs[3]!, pairs[1]!]]) {
      expect(idOf(order)).toBe(id);
    }
  });

  // A named grant is found again by this id (CreateGrant's retry returns the first grant): a stored grant keeps its
  // id only while the same parameters hash to the same value in every release.
  test('are the value earlier releases gave the same parameters', () => {
    const constraints = { encryptionContextSubset: { Department: 'IT', Project: 'x', app: '1', Zone: 'z' }, encryptionContextEquals: { b: '2', a: '1', c: '3' } };
    expect(namedGrantId({ ...base, retiringPrincipal: 'arn:aws:iam::111122223333:role/R', constraints })).toBe('7d715825f91987c79746d6824cecb89909fae5307fed158ed8f258d01ff04fa9');
  });

  test.each([
    ['another key', { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/other' }],
    ['another name', { name: 'm' }],
    ['another grantee', { granteePrincipal: 'arn:aws:iam::111122223333:role/B' }],
    ['a retiring principal', { retiringPrincipal: 'arn:aws:iam::111122223333:role/A' }],
    ['other operations', { operations: ['Encrypt'] as const }],
    ['a constraint', { constraints: { encryptionContextEquals: { a: '1' } } }],
    ['the constraint moved from subset to equals', { constraints: { encryptionContextEquals: { a: '1', b: '2' } } }],
  ])('differ for %s', (_, change) => {
    const id = namedGrantId({ ...base, constraints: { encryptionContextSubset: { a: '1', b: '2' } } });
    expect(namedGrantId({ ...base, constraints: { encryptionContextSubset: { a: '1', b: '2' } }, ...change })).not.toBe(id);
  });
});

describe('grant tokens', () => {
  const subject = { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', grantId: 'a'.repeat(64) };
  const random = (n: number) => new Uint8Array(n).fill(7);

  test('look like AWS tokens (URL-safe base64 starting AQpA) and name their grant', () => {
    const token = issueGrantToken(subject, random);
    expect(token).toMatch(/^AQpA[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThanOrEqual(8192);
    expect(readGrantToken(token)).toEqual(subject);
  });

  test('differ on every issue, and all name the same grant', () => {
    let n = 0;
    const counting = (length: number) => new Uint8Array(length).fill(n++);
    const [a, b] = [issueGrantToken(subject, counting), issueGrantToken(subject, counting)];
    expect(a).not.toBe(b);
    expect(readGrantToken(a!)).toEqual(readGrantToken(b!));
  });

  test.each([
    ['garbage', 'not a token'],
    ['empty base64url', ''],
    ['an AWS token of another service', 'AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNGY3NiKIAgEBAgB4Pa6VDCWW'],
    ['a token cut short', () => issueGrantToken(subject, random).slice(0, -5)],
    ['a token with a byte added', () => issueGrantToken(subject, random) + 'AA'],
    ['a token with another version', () => `B${issueGrantToken(subject, random).slice(1)}`],
    ['standard base64 padding', () => `${issueGrantToken(subject, random)}=`],
  ])('refuse %s', (_, token) => {
    const value = typeof token === 'function' ? token() : token;
    expect(readGrantToken(value)).toBeUndefined();
    expect(() => checkGrantTokens([issueGrantToken(subject, random), value])).toThrow(new InvalidGrantTokenException('The grant token is not valid.'));
  });

  test('an empty or absent list is fine', () => {
    expect(() => checkGrantTokens(undefined)).not.toThrow();
    expect(() => checkGrantTokens([])).not.toThrow();
  });
});
