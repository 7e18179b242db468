/**
 * Sign, Verify and GetPublicKey for every signing spec, algorithm and message type (spec
 * kms-key-specs.md §5, §6), checked against node:crypto's verifiers here (openssl and Python's
 * cryptography verify them in test/blackbox/signing-interop.test.ts).
 */
import { createHash, createPublicKey, createPrivateKey, verify as nodeVerify, constants, sign as nodeSign } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { ed25519Family } from '../../../../lambda/core/crypto/families/ed25519';
import { keySpecEntry } from '../../../../lambda/core/crypto/key-specs';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { getPublicKey } from '../../../../lambda/core/operations/signing/get-public-key';
import { sign } from '../../../../lambda/core/operations/signing/sign';
import { verify } from '../../../../lambda/core/operations/signing/verify';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { bytes, failure, newKey } from '../keys/helpers';

const MESSAGE = bytes('the quick brown fox');
const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

type Case = [spec: string, algorithm: string, messageType: 'RAW' | 'DIGEST' | 'EXTERNAL_MU'];
const CASES: Case[] = [];
for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096']) {
  for (const alg of ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512']) {
    CASES.push([spec, alg, 'RAW'], [spec, alg, 'DIGEST']);
  }
}
for (const [spec, alg] of [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_P384', 'ECDSA_SHA_384'], ['ECC_NIST_P521', 'ECDSA_SHA_512'], ['ECC_SECG_P256K1', 'ECDSA_SHA_256']]) {
  CASES.push([spec!, alg!, 'RAW'], [spec!, alg!, 'DIGEST']);
}
CASES.push(['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'RAW'], ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST']);
for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87']) CASES.push([spec, 'ML_DSA_SHAKE_256', 'RAW'], [spec, 'ML_DSA_SHAKE_256', 'EXTERNAL_MU']);

/** What node:crypto (or @noble for Ed25519ph and ML-DSA μ) says of a signature over MESSAGE. */
function verifiesOutside(spki: Uint8Array, algorithm: string, signature: Uint8Array, sent: Uint8Array): boolean | 'self' {
  if (algorithm.startsWith('ML_DSA')) return 'self'; // node:crypto has no ML-DSA; Python's cryptography checks it in the black-box interop test
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  if (algorithm === 'ED25519_SHA_512') return nodeVerify(null, MESSAGE, key, signature);
  if (algorithm === 'ED25519_PH_SHA_512') return ed25519ph.verify(signature, sent, Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url'));
  const hash = HASH[algorithm.slice(-3)]!;
  const pss = algorithm.startsWith('RSASSA_PSS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length } : {};
  return nodeVerify(hash, MESSAGE, { key, ...pss }, signature);
}

function messageFor(algorithm: string, messageType: string): Uint8Array {
  if (messageType === 'RAW') return MESSAGE;
  if (messageType === 'EXTERNAL_MU') return new Uint8Array(64).fill(7);
  const hash = algorithm.startsWith('ED25519') ? 'sha512' : HASH[algorithm.slice(-3)]!;
  return createHash(hash).update(MESSAGE).digest();
}

/** One key per spec for the whole file: generating RSA_4096 pairs is what costs time here. */
const shared = { deps: memoryDeps(), keys: new Map<string, ReturnType<typeof newKey>>() };
async function signingKey(deps: MemoryDeps, spec: string) {
  if (deps !== shared.deps) return newKey(deps, { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
  if (!shared.keys.has(spec)) shared.keys.set(spec, newKey(deps, { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }));
  return shared.keys.get(spec)!;
}

describe('Sign and Verify', () => {
  test.each(CASES)('%s %s %s: a standard signature that Verify and an outside verifier accept', async (spec, algorithm, messageType) => {
    // GIVEN
    const deps = shared.deps;
    const md = await signingKey(deps, spec);
    const sent = messageFor(algorithm, messageType);
    // WHEN
    const out = await sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: sent, MessageType: messageType, SigningAlgorithm: algorithm as never });
    // THEN
    expect(out).toEqual({ KeyId: md.Arn, Signature: out.Signature, SigningAlgorithm: algorithm });
    const { PublicKey } = await getPublicKey(deps, TEST_CTX, { KeyId: md.KeyId });
    expect(verifiesOutside(PublicKey, algorithm, out.Signature, sent)).not.toBe(false);
    await expect(verify(deps, TEST_CTX, { KeyId: md.Arn, Message: sent, MessageType: messageType, Signature: out.Signature, SigningAlgorithm: algorithm as never })).resolves.toEqual({
      KeyId: md.Arn,
      SignatureValid: true,
      SigningAlgorithm: algorithm,
    });
    // another message does not verify: KMSInvalidSignatureException with an empty message
    const other = Uint8Array.from(sent);
    other[0]! ^= 1;
    expect(await failure(verify(deps, TEST_CTX, { KeyId: md.KeyId, Message: other, MessageType: messageType, Signature: out.Signature, SigningAlgorithm: algorithm as never }))).toMatchObject({
      name: 'KMSInvalidSignatureException',
      message: '',
    });
  });

  test('a RAW signature verifies as DIGEST of the same message, and the other way round', async () => {
    const deps = memoryDeps();
    const md = await signingKey(deps, 'ECC_NIST_P384');
    const digest = createHash('sha384').update(MESSAGE).digest();
    const raw = await sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_384' });
    await expect(verify(deps, TEST_CTX, { KeyId: md.KeyId, Message: digest, MessageType: 'DIGEST', Signature: raw.Signature, SigningAlgorithm: 'ECDSA_SHA_384' })).resolves.toBeDefined();
    const fromDigest = await sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_384' });
    await expect(verify(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, Signature: fromDigest.Signature, SigningAlgorithm: 'ECDSA_SHA_384' })).resolves.toBeDefined();
  });

  test('an ML-DSA signature made from μ (EXTERNAL_MU) verifies as RAW over the message it stands for', async () => {
    // μ = SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64) for the empty context (FIPS 204 algorithm 2 and 7)
    const deps = memoryDeps();
    const md = await signingKey(deps, 'ML_DSA_44');
    const spki = (await getPublicKey(deps, TEST_CTX, { KeyId: md.KeyId })).PublicKey;
    const tr = createHash('shake256', { outputLength: 64 }).update(spki.subarray(22)).digest();
    const mu = createHash('shake256', { outputLength: 64 }).update(tr).update(Buffer.from([0, 0])).update(MESSAGE).digest();
    const out = await sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: 'ML_DSA_SHAKE_256' });
    expect(out.Signature).toHaveLength(2420);
    await expect(verify(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, Signature: out.Signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' })).resolves.toBeDefined();
  });

  test('signature sizes: RSA the modulus, Ed25519 64 bytes, ML-DSA 2420 / 3309 / 4627 bytes', async () => {
    const deps = memoryDeps();
    for (const [spec, algorithm, size] of [['RSA_3072', 'RSASSA_PSS_SHA_256', 384], ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 64], ['ML_DSA_65', 'ML_DSA_SHAKE_256', 3309], ['ML_DSA_87', 'ML_DSA_SHAKE_256', 4627]] as const) {
      const md = await signingKey(deps, spec);
      expect((await sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, SigningAlgorithm: algorithm })).Signature).toHaveLength(size);
    }
  });

  test('Ed25519ph matches RFC 8032 §7.3 (the "abc" test vector)', () => {
    const seed = Buffer.from('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'hex');
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const entry = keySpecEntry('ECC_NIST_EDWARDS25519');
    const material = ed25519Family.readImported(entry, pkcs8);
    const signature = ed25519Family.sign!(entry, material, 'ED25519_PH_SHA_512', bytes('abc'), 'DIGEST', () => new Uint8Array(32));
    expect(Buffer.from(signature).toString('hex')).toBe(
      '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406',
    );
    // and pure Ed25519 of the same key is node:crypto's
    const pure = ed25519Family.sign!(entry, material, 'ED25519_SHA_512', bytes('abc'), 'RAW', () => new Uint8Array(32));
    expect(Buffer.from(pure).equals(nodeSign(null, bytes('abc'), createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })))).toBe(true);
  });
});

describe('Sign and Verify refusals', () => {
  test('fails with InvalidKeyUsageException for a key of another usage, before the algorithm is looked at', async () => {
    const deps = memoryDeps();
    const mac = await newKey(deps, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const encryption = await newKey(deps);
    expect(await failure(sign(deps, TEST_CTX, { KeyId: mac.KeyId, Message: MESSAGE, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${mac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.`,
    });
    expect(await failure(verify(deps, TEST_CTX, { KeyId: encryption.KeyId, Message: MESSAGE, Signature: new Uint8Array(64), SigningAlgorithm: 'ECDSA_SHA_256' }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${encryption.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Verify.`,
    });
  });

  test.each([
    ['ECC_NIST_P256', 'ECDSA_SHA_384'],
    ['ECC_NIST_P384', 'RSASSA_PSS_SHA_384'],
    ['RSA_2048', 'ECDSA_SHA_256'],
    ['ECC_NIST_EDWARDS25519', 'ECDSA_SHA_512'],
    ['ML_DSA_44', 'ED25519_SHA_512'],
    ['ECC_SECG_P256K1', 'SM2DSA'],
  ])('fails with InvalidKeyUsageException for %s with %s', async (spec, algorithm) => {
    const deps = memoryDeps();
    const md = await signingKey(deps, spec);
    expect(await failure(sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, SigningAlgorithm: algorithm as never }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `Algorithm ${algorithm} is incompatible with key spec ${spec}.`,
    });
  });

  test.each([
    ['RSA_2048', 'RSASSA_PSS_SHA_256', 'DIGEST', 31, 'Digest is invalid length for algorithm RSASSA_PSS_SHA_256.'],
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512', 'DIGEST', 32, 'Digest is invalid length for algorithm RSASSA_PKCS1_V1_5_SHA_512.'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384', 'DIGEST', 64, 'Digest is invalid length for algorithm ECDSA_SHA_384.'],
    ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST', 32, 'Digest is invalid length for algorithm ED25519_PH_SHA_512.'],
    ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'RAW', 64, 'Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.'],
    ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'DIGEST', 64, 'Message type DIGEST is incompatible with algorithm ED25519_SHA_512.'],
    ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'DIGEST', 64, 'Message type DIGEST is incompatible with key spec ML_DSA_44.'],
    ['ML_DSA_65', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', 32, 'Digest is invalid length for algorithm ML_DSA_SHAKE_256.'],
    ['RSA_2048', 'RSASSA_PSS_SHA_256', 'EXTERNAL_MU', 64, 'Message type EXTERNAL_MU is incompatible with key spec RSA_2048.'],
  ] as const)('fails with ValidationException: %s %s %s of %i bytes', async (spec, algorithm, messageType, length, message) => {
    const deps = memoryDeps();
    const md = await signingKey(deps, spec);
    const input = { KeyId: md.KeyId, Message: new Uint8Array(length), MessageType: messageType, SigningAlgorithm: algorithm };
    expect(await failure(sign(deps, TEST_CTX, input))).toMatchObject({ name: 'ValidationException', message });
    expect(await failure(verify(deps, TEST_CTX, { ...input, Signature: new Uint8Array(64) }))).toMatchObject({ name: 'ValidationException', message });
  });

  test('fails with KMSInvalidSignatureException for garbage, a truncated signature, and another key\'s signature', async () => {
    const deps = memoryDeps();
    const a = await signingKey(deps, 'RSA_2048');
    const b = await signingKey(deps, 'RSA_2048');
    const { Signature } = await sign(deps, TEST_CTX, { KeyId: a.KeyId, Message: MESSAGE, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    for (const [keyId, signature] of [[b.KeyId, Signature], [a.KeyId, Signature.subarray(1)], [a.KeyId, new Uint8Array(256).fill(0xff)]] as const) {
      expect(await failure(verify(deps, TEST_CTX, { KeyId: keyId, Message: MESSAGE, Signature: signature, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }))).toMatchObject({
        name: 'KMSInvalidSignatureException',
        message: '',
      });
    }
  });

  test('DryRun: Sign stops before signing; Verify checks the signature first (D51)', async () => {
    const deps = memoryDeps();
    const md = await signingKey(deps, 'ECC_NIST_P256');
    const dryRun = { name: 'DryRunOperationException', message: 'The request would have succeeded, but the DryRun option is set.' };
    expect(await failure(sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }))).toMatchObject(dryRun);
    const { Signature } = await sign(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(await failure(verify(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, Signature, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }))).toMatchObject(dryRun);
    expect(await failure(verify(deps, TEST_CTX, { KeyId: md.KeyId, Message: bytes('other'), Signature, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }))).toMatchObject({
      name: 'KMSInvalidSignatureException',
    });
  });
});

describe('GetPublicKey', () => {
  test.each([
    ['RSA_4096', 'ENCRYPT_DECRYPT', 550, { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['RSA_2048', 'SIGN_VERIFY', 294, { SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'] }],
    ['ECC_NIST_P256', 'KEY_AGREEMENT', 91, { KeyAgreementAlgorithms: ['ECDH'] }],
    ['ECC_NIST_P384', 'SIGN_VERIFY', 120, { SigningAlgorithms: ['ECDSA_SHA_384'] }],
    ['ECC_NIST_P521', 'SIGN_VERIFY', 158, { SigningAlgorithms: ['ECDSA_SHA_512'] }],
    ['ECC_SECG_P256K1', 'SIGN_VERIFY', 88, { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', 44, { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }],
    ['ML_DSA_44', 'SIGN_VERIFY', 1334, { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
    ['ML_DSA_65', 'SIGN_VERIFY', 1974, { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
    ['ML_DSA_87', 'SIGN_VERIFY', 2614, { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
  ])('%s %s: a %i-byte DER SPKI and every field AWS returns', async (spec, usage, size, lists) => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: spec, KeyUsage: usage });
    const out = await getPublicKey(deps, TEST_CTX, { KeyId: md.KeyId });
    expect(out).toEqual({ KeyId: md.Arn, PublicKey: out.PublicKey, CustomerMasterKeySpec: spec, KeySpec: spec, KeyUsage: usage, ...lists });
    expect(out.PublicKey).toHaveLength(size);
  });

  test.each([['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'], ['HMAC_256', 'GENERATE_VERIFY_MAC']])('fails with UnsupportedOperationException for a %s key', async (spec, usage) => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: spec, KeyUsage: usage });
    expect(await failure(getPublicKey(deps, TEST_CTX, { KeyId: md.KeyId }))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: `${md.Arn} key KeySpec is ${spec} which is not valid for GetPublicKey.`,
    });
  });
});

describe('GetPublicKey by alias', () => {
  test('an alias name or alias ARN names the key: the same answer as by key id, KeyId the key ARN', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/signer', TargetKeyId: md.KeyId });
    const byId = await getPublicKey(deps, TEST_CTX, { KeyId: md.KeyId });
    expect(await getPublicKey(deps, TEST_CTX, { KeyId: 'alias/signer' })).toStrictEqual(byId);
    expect(await getPublicKey(deps, TEST_CTX, { KeyId: md.Arn.replace(/key\/.*$/, 'alias/signer') })).toStrictEqual(byId);
    expect(byId.KeyId).toBe(md.Arn);
  });
});
