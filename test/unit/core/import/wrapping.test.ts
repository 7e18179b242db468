import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  decodeImportToken,
  encodeImportToken,
  type ImportTokenClaims,
  issueImportToken,
  openImportToken,
} from '../../../../lambda/core/crypto/import-token';
import {
  generateWrappingKeyPair,
  loadPrivateKey,
  unwrapKeyMaterial,
  WRAPPING_ALGORITHMS,
  type WrappingKeyPair,
} from '../../../../lambda/core/crypto/wrapping';
import { ExpiredImportTokenException, InvalidImportTokenException } from '../../../../lambda/core/errors';
import { memoryDeps, TEST_SCOPE } from '../../../support/memory-deps';
import { aMaterial, clientWrap } from './helpers';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
let pair: WrappingKeyPair;

beforeAll(async () => {
  pair = await generateWrappingKeyPair('RSA_2048');
});

function privateKey() {
  return loadPrivateKey(pair.privateKey)!;
}

describe('unwrapKeyMaterial', () => {
  test.each(WRAPPING_ALGORITHMS)('returns the material a client wrapped with %s', (algorithm) => {
    // GIVEN
    const material = aMaterial();
    const encrypted = clientWrap(pair.publicKey, algorithm, material);
    // WHEN
    const unwrapped = unwrapKeyMaterial(privateKey(), algorithm, encrypted);
    // THEN
    expect(Buffer.from(unwrapped!)).toEqual(Buffer.from(material));
  });

  test('the RSA part of RSA_AES_KEY_WRAP is exactly the modulus size', () => {
    // GIVEN / WHEN
    const encrypted = clientWrap(pair.publicKey, 'RSA_AES_KEY_WRAP_SHA_256', aMaterial());
    // THEN: 256 bytes of RSA-OAEP, then 40 bytes of KWP (32 bytes of material + 8)
    expect(encrypted.length).toBe(256 + 40);
  });

  test.each([
    ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
    ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'],
    ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'],
    ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_256'],
  ] as const)('fails (undefined) for material wrapped with %s but opened as %s', (wrappedWith, openedAs) => {
    const encrypted = clientWrap(pair.publicKey, wrappedWith, aMaterial());
    expect(unwrapKeyMaterial(privateKey(), openedAs, encrypted)).toBeUndefined();
  });

  test('fails (undefined) for material wrapped for another key pair', async () => {
    // GIVEN
    const other = await generateWrappingKeyPair('RSA_2048');
    const encrypted = clientWrap(other.publicKey, 'RSAES_OAEP_SHA_256', aMaterial());
    // WHEN / THEN
    expect(unwrapKeyMaterial(privateKey(), 'RSAES_OAEP_SHA_256', encrypted)).toBeUndefined();
  });

  test('fails (undefined) for garbage of any length', () => {
    for (const length of [0, 1, 255, 256, 257, 296, 1000]) {
      for (const algorithm of WRAPPING_ALGORITHMS) {
        expect(unwrapKeyMaterial(privateKey(), algorithm, randomBytes(length))).toBeUndefined();
      }
    }
  });

  test('Precondition: an RSA block followed by at least one KWP block pair (RFC 5649: ≥ 16 bytes, multiple of 8).', () => {
    // GIVEN: a valid RSA block followed by 8 or 12 bytes
    const full = clientWrap(pair.publicKey, 'RSA_AES_KEY_WRAP_SHA_256', aMaterial());
    // WHEN / THEN
    expect(unwrapKeyMaterial(privateKey(), 'RSA_AES_KEY_WRAP_SHA_256', full.subarray(0, 256 + 8))).toBeUndefined();
    expect(unwrapKeyMaterial(privateKey(), 'RSA_AES_KEY_WRAP_SHA_256', full.subarray(0, 256 + 36))).toBeUndefined();
  });

  test('Precondition: the ephemeral key is an AES-256 key.', () => {
    // GIVEN: a client that wraps with AES-128 KWP
    const aesKey = randomBytes(16);
    const publicKey = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
    const rsa = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey);
    const kwp = createCipheriv('id-aes128-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
    const encrypted = Buffer.concat([rsa, kwp.update(aMaterial()), kwp.final()]);
    // WHEN / THEN
    expect(unwrapKeyMaterial(privateKey(), 'RSA_AES_KEY_WRAP_SHA_256', encrypted)).toBeUndefined();
  });

  test('fails (undefined) when the KWP part was tampered with', () => {
    const encrypted = clientWrap(pair.publicKey, 'RSA_AES_KEY_WRAP_SHA_1', aMaterial());
    encrypted[encrypted.length - 1]! ^= 0x01;
    expect(unwrapKeyMaterial(privateKey(), 'RSA_AES_KEY_WRAP_SHA_1', encrypted)).toBeUndefined();
  });
});

describe('import token format', () => {
  const claims: ImportTokenClaims = { keyId: KEY_ID, algorithm: 'RSA_AES_KEY_WRAP_SHA_256', spec: 'RSA_3072', validTo: new Date('2026-01-02T00:00:00.123Z') };

  test('decodes the claims it encoded', () => {
    // GIVEN
    const token = encodeImportToken(claims, Uint8Array.of(1, 2, 3));
    // WHEN
    const decoded = decodeImportToken(token);
    // THEN
    expect(decoded).toMatchObject(claims);
    expect([...decoded!.wrappedPrivateKey]).toEqual([1, 2, 3]);
  });

  test('fails (undefined) for bytes that are not a token', () => {
    const valid = encodeImportToken(claims, Uint8Array.of(1, 2, 3));
    const badAlgorithm = Uint8Array.from(valid);
    badAlgorithm[2 + KEY_ID.length] = 99;
    const badSpec = Uint8Array.from(valid);
    badSpec[3 + KEY_ID.length] = 99;
    const badVersion = Uint8Array.from(valid);
    badVersion[0] = 2;
    for (const token of [new Uint8Array(0), Uint8Array.of(1), Uint8Array.of(1, 0, 0), valid.subarray(0, 12 + KEY_ID.length), badAlgorithm, badSpec, badVersion, randomBytes(64)]) {
      expect(decodeImportToken(token)).toBeUndefined();
    }
  });

  test('Precondition: the token holds a whole header and some wrapped bytes.', () => {
    const valid = encodeImportToken(claims, Uint8Array.of(1));
    expect(decodeImportToken(valid)).toBeDefined();
    expect(decodeImportToken(valid.subarray(0, valid.length - 1))).toBeUndefined();
  });

  test('does not carry the private key in the clear', async () => {
    // GIVEN
    const deps = memoryDeps();
    // WHEN
    const token = await issueImportToken(deps, TEST_SCOPE, claims, pair.privateKey);
    // THEN: not even the modulus (shared with the public key) appears in the token
    const modulus = Buffer.from(pair.publicKey).subarray(pair.publicKey.length - 5 - 256, pair.publicKey.length - 5);
    expect(Buffer.from(token).includes(modulus)).toBe(false);
    expect(Buffer.from(token).includes(Buffer.from(pair.privateKey).subarray(40, 80))).toBe(false);
  });

  test('opens to the private key it was issued with', async () => {
    // GIVEN
    const deps = memoryDeps();
    const token = await issueImportToken(deps, TEST_SCOPE, claims, pair.privateKey);
    // WHEN
    const opened = await openImportToken(deps, { scope: TEST_SCOPE, keyId: KEY_ID }, token);
    // THEN: it unwraps what the public key wrapped
    const material = aMaterial();
    expect(Buffer.from(unwrapKeyMaterial(opened.privateKey, 'RSAES_OAEP_SHA_256', clientWrap(pair.publicKey, 'RSAES_OAEP_SHA_256', material))!)).toEqual(Buffer.from(material));
    expect(opened.algorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
  });

  test('fails with InvalidImportTokenException when a header field was edited', async () => {
    // GIVEN: a token whose validTo was moved one millisecond later, and one whose spec was changed
    const deps = memoryDeps();
    const token = await issueImportToken(deps, TEST_SCOPE, claims, pair.privateKey);
    const later = Uint8Array.from(token);
    later[11 + KEY_ID.length]! += 1;
    const otherSpec = Uint8Array.from(token);
    otherSpec[3 + KEY_ID.length] = 0;
    // WHEN / THEN
    for (const edited of [later, otherSpec]) {
      await expect(openImportToken(deps, { scope: TEST_SCOPE, keyId: KEY_ID }, edited)).rejects.toBeInstanceOf(InvalidImportTokenException);
    }
  });

  test('fails with InvalidImportTokenException in another account with the same key id', async () => {
    // GIVEN
    const deps = memoryDeps();
    const token = await issueImportToken(deps, TEST_SCOPE, claims, pair.privateKey);
    // WHEN / THEN
    await expect(openImportToken(deps, { scope: { ...TEST_SCOPE, account: '444455556666' }, keyId: KEY_ID }, token))
      .rejects.toBeInstanceOf(InvalidImportTokenException);
  });

  test('fails with ExpiredImportTokenException at validTo, not a millisecond before', async () => {
    // GIVEN
    const deps = memoryDeps();
    const token = await issueImportToken(deps, TEST_SCOPE, claims, pair.privateKey);
    // WHEN / THEN
    deps.clock.set(new Date(claims.validTo.getTime() - 1));
    await expect(openImportToken(deps, { scope: TEST_SCOPE, keyId: KEY_ID }, token)).resolves.toBeDefined();
    deps.clock.set(claims.validTo);
    await expect(openImportToken(deps, { scope: TEST_SCOPE, keyId: KEY_ID }, token)).rejects.toBeInstanceOf(ExpiredImportTokenException);
  });
});

describe('wrapping: the shortest key wrap and which private keys load', () => {
  test('RSA_AES_KEY_WRAP unwraps the shortest KWP output (16 bytes: material of 1 to 8 bytes)', () => {
    for (const length of [1, 8]) {
      // GIVEN
      const material = new Uint8Array(randomBytes(length));
      const encrypted = clientWrap(pair.publicKey, 'RSA_AES_KEY_WRAP_SHA_256', material);
      expect(encrypted.length).toBe(256 + 16);
      // WHEN / THEN
      expect(Buffer.from(unwrapKeyMaterial(privateKey(), 'RSA_AES_KEY_WRAP_SHA_256', encrypted)!)).toEqual(Buffer.from(material));
    }
  });

  test('loadPrivateKey reads an RSA PKCS#8 only: undefined for an Ed25519 PKCS#8 or bytes that are not one', () => {
    const ed25519 = Buffer.from(`302e020100300506032b657004220420${'11'.repeat(32)}`, 'hex');
    expect(loadPrivateKey(pair.privateKey)?.asymmetricKeyType).toBe('rsa');
    expect(loadPrivateKey(ed25519)).toBeUndefined();
    expect(loadPrivateKey(new Uint8Array(48))).toBeUndefined();
  });
});
