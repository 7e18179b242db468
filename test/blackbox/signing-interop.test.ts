/**
 * Real cryptography that outside tools agree with (issue 8 §2), through @aws-sdk/client-kms against the
 * server: what byok-kms signs verifies with openssl and with Python's cryptography, against the key
 * GetPublicKey returns; what openssl and cryptography sign with a private key imported into byok-kms
 * verifies in byok-kms. HMAC, ECDH and RSA-OAEP are checked against openssl the same way.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DecryptCommand,
  DeriveSharedSecretCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  SignCommand,
  VerifyCommand,
  type KMSClient,
  type MessageType,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { WrappingAlgorithm } from '../support/wrap-material';
import { createKey, expectKmsError, rememberSecret, useLocalServer } from './helpers';
import { importWrapped, opensslPrivateKey } from './support/import-material';
import { OpensslDir, pythonCryptography, type OutsideJob } from './support/outside';

const local = useLocalServer();
let openssl: OpensslDir;
beforeAll(() => {
  openssl = new OpensslDir();
});
afterAll(() => openssl?.remove());

const MESSAGE = Buffer.from('byok-kms signs this, the world checks it');
const HASH_OF: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** [KeySpec, SigningAlgorithm]: every algorithm of every signing spec (Ed25519ph is checked against RFC 8032 in the unit tests). */
const SIGNING: readonly [string, SigningAlgorithmSpec][] = [
  ...(['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'] as const).map(
    (a) => ['RSA_2048', a] as [string, SigningAlgorithmSpec],
  ),
  ['RSA_4096', 'RSASSA_PSS_SHA_512'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'],
  ['ML_DSA_44', 'ML_DSA_SHAKE_256'],
  ['ML_DSA_65', 'ML_DSA_SHAKE_256'],
  ['ML_DSA_87', 'ML_DSA_SHAKE_256'],
];

/** The curve OpenSSL names for each ECDSA key spec's public key. */
const OPENSSL_CURVE: Readonly<Record<string, string>> = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1', ECC_SECG_P256K1: 'secp256k1' };

function messageTypes(algorithm: string): MessageType[] {
  return algorithm.startsWith('ED25519') || algorithm.startsWith('ML_DSA') ? ['RAW'] : ['RAW', 'DIGEST'];
}

function digestOf(algorithm: string): Buffer {
  return createHash(HASH_OF[algorithm.slice(-3)]!).update(MESSAGE).digest();
}

/** openssl's options for verifying (or signing) with `algorithm`. */
function opensslSigOptions(algorithm: string): string[] {
  return algorithm.startsWith('RSASSA_PSS') ? ['-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:digest', '-pkeyopt', `rsa_mgf1_md:${HASH_OF[algorithm.slice(-3)]}`] : [];
}

async function opensslVerifies(publicKeyDer: Uint8Array, algorithm: string, messageType: MessageType, signature: Uint8Array, tag: string): Promise<boolean> {
  const pub = openssl.write(`${tag}.pub.der`, publicKeyDer);
  const sig = openssl.write(`${tag}.sig`, signature);
  if (algorithm === 'ED25519_SHA_512') {
    const msg = openssl.write(`${tag}.msg`, MESSAGE);
    return (await openssl.run(['pkeyutl', '-verify', '-pubin', '-keyform', 'DER', '-inkey', pub, '-rawin', '-in', msg, '-sigfile', sig], true)).code === 0;
  }
  const hash = HASH_OF[algorithm.slice(-3)]!;
  if (messageType === 'RAW') {
    // openssl dgst hashes the message itself, as KMS does for RAW
    const msg = openssl.write(`${tag}.msg`, MESSAGE);
    const sigopt = opensslSigOptions(algorithm).map((o) => (o === '-pkeyopt' ? '-sigopt' : o));
    return (await openssl.run(['dgst', `-${hash}`, '-keyform', 'DER', '-verify', pub, ...sigopt, '-signature', sig, msg], true)).code === 0;
  }
  const digest = openssl.write(`${tag}.digest`, digestOf(algorithm));
  return (await openssl.run(['pkeyutl', '-verify', '-pubin', '-keyform', 'DER', '-inkey', pub, '-in', digest, '-sigfile', sig, '-pkeyopt', `digest:${hash}`, ...opensslSigOptions(algorithm)], true)).code === 0;
}

async function sign(kms: KMSClient, keyId: string, algorithm: SigningAlgorithmSpec, messageType: MessageType, message?: Uint8Array): Promise<Uint8Array> {
  const Message = message ?? (messageType === 'DIGEST' ? digestOf(algorithm) : MESSAGE);
  return (await kms.send(new SignCommand({ KeyId: keyId, Message, MessageType: messageType, SigningAlgorithm: algorithm }))).Signature!;
}

describe('what byok-kms signs, openssl and Python cryptography verify', () => {
  test.each(SIGNING)('%s %s', async (spec, algorithm) => {
    // GIVEN a generated signing key and its public key
    const md = await createKey(local.kms, { KeySpec: spec as never, KeyUsage: 'SIGN_VERIFY' });
    const { PublicKey } = await local.kms.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    const curve = OPENSSL_CURVE[spec];
    if (curve) {
      // an ECDSA key is on its spec's curve, as openssl reads the public key
      const text = (await openssl.run(['pkey', '-pubin', '-inform', 'DER', '-in', openssl.write(`${spec}-${algorithm}.spki.der`, PublicKey!), '-noout', '-text'])).stdout;
      expect(text).toContain(`ASN1 OID: ${curve}`);
    }
    const jobs: OutsideJob[] = [];
    for (const messageType of messageTypes(algorithm)) {
      // WHEN byok-kms signs
      const signature = await sign(local.kms, md.KeyId!, algorithm, messageType);
      // THEN openssl (where it knows the algorithm) and cryptography verify; a changed message fails
      if (!algorithm.startsWith('ML_DSA')) expect(await opensslVerifies(PublicKey!, algorithm, messageType, signature, `${spec}-${algorithm}-${messageType}`)).toBe(true);
      const message = messageType === 'DIGEST' ? digestOf(algorithm) : MESSAGE;
      jobs.push({ op: 'verify', publicKey: PublicKey!, algorithm, messageType, message, signature });
      jobs.push({ op: 'verify', publicKey: PublicKey!, algorithm, messageType, message: Buffer.concat([message.subarray(1), Buffer.from('x')]), signature });
    }
    const results = await pythonCryptography(jobs);
    expect(results).toEqual(jobs.map((_, i) => i % 2 === 0));
  });
});

/** openssl genpkey arguments per importable signing spec, with the wrapping the spec allows. */
const IMPORTED: readonly [string, string[], SigningAlgorithmSpec, WrappingAlgorithm][] = [
  ['RSA_2048', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'RSASSA_PSS_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'],
  ['RSA_3072', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'], 'RSASSA_PKCS1_V1_5_SHA_384', 'RSA_AES_KEY_WRAP_SHA_1'],
  ['ECC_NIST_P256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ECDSA_SHA_256', 'RSAES_OAEP_SHA_256'],
  ['ECC_NIST_P384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'ECDSA_SHA_384', 'RSAES_OAEP_SHA_1'],
  ['ECC_NIST_P521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'ECDSA_SHA_512', 'RSA_AES_KEY_WRAP_SHA_256'],
  ['ECC_SECG_P256K1', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], 'ECDSA_SHA_256', 'RSAES_OAEP_SHA_256'],
  ['ECC_NIST_EDWARDS25519', ['-algorithm', 'ED25519'], 'ED25519_SHA_512', 'RSAES_OAEP_SHA_256'],
];

describe('what openssl and Python cryptography sign with an imported private key, byok-kms verifies', () => {
  test.each(IMPORTED)('%s (a key from openssl genpkey, imported; openssl and cryptography sign with it)', async (spec, genpkey, algorithm, wrapping) => {
    // GIVEN an EXTERNAL key holding a private key made by openssl
    const md = await createKey(local.kms, { KeySpec: spec as never, KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    const pkcs8 = await opensslPrivateKey(openssl, `import-${spec}`, genpkey);
    await importWrapped(local.kms, md.KeyId!, pkcs8, wrapping);
    // THEN GetPublicKey is exactly cryptography's SPKI of that private key
    const { PublicKey } = await local.kms.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    const [expectedSpki] = await pythonCryptography([{ op: 'publicKey', privateKey: pkcs8 }]);
    expect(Buffer.from(PublicKey!).toString('hex')).toBe(expectedSpki);

    // WHEN openssl signs the message (RAW) and cryptography signs it (RAW and, where allowed, DIGEST)
    const pem = `import-${spec}.pem`;
    if (algorithm === 'ED25519_SHA_512') {
      openssl.write('to-sign.msg', MESSAGE);
      await openssl.run(['pkeyutl', '-sign', '-inkey', pem, '-rawin', '-in', 'to-sign.msg', '-out', `${spec}.sig`]);
    } else {
      openssl.write('to-sign.msg', MESSAGE);
      const sigopt = opensslSigOptions(algorithm).map((o) => (o === '-pkeyopt' ? '-sigopt' : o));
      await openssl.run(['dgst', `-${HASH_OF[algorithm.slice(-3)]}`, '-sign', pem, ...sigopt, '-out', `${spec}.sig`, 'to-sign.msg']);
    }
    const opensslSignature = readFileSync(`${openssl.dir}/${spec}.sig`);
    const types = messageTypes(algorithm);
    const signed = (await pythonCryptography(
      types.map((messageType) => ({ op: 'sign', privateKey: pkcs8, algorithm, messageType, message: messageType === 'DIGEST' ? digestOf(algorithm) : MESSAGE })),
    )) as string[];

    // THEN byok-kms verifies every one of them, in either message type where the algorithm has both
    const verify = (signature: Uint8Array, messageType: MessageType) =>
      local.kms.send(new VerifyCommand({ KeyId: md.KeyId, Message: messageType === 'DIGEST' ? digestOf(algorithm) : MESSAGE, MessageType: messageType, Signature: signature, SigningAlgorithm: algorithm }));
    for (const messageType of types) {
      await expect(verify(opensslSignature, messageType)).resolves.toMatchObject({ SignatureValid: true, SigningAlgorithm: algorithm });
      for (const signature of signed) await expect(verify(Buffer.from(signature, 'hex'), messageType)).resolves.toMatchObject({ SignatureValid: true });
    }
    // and what it signs itself verifies with openssl against the imported key's public half
    expect(await opensslVerifies(PublicKey!, algorithm, 'RAW', await sign(local.kms, md.KeyId!, algorithm, 'RAW'), `imported-${spec}`)).toBe(true);
  });

  test('a signature from another private key is KMSInvalidSignatureException with an empty message', async () => {
    const md = await createKey(local.kms, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    await importWrapped(local.kms, md.KeyId!, await opensslPrivateKey(openssl, 'one', IMPORTED[2]![1]), 'RSAES_OAEP_SHA_256');
    const other = await opensslPrivateKey(openssl, 'other', IMPORTED[2]![1]);
    const [signature] = (await pythonCryptography([{ op: 'sign', privateKey: other, algorithm: 'ECDSA_SHA_256', messageType: 'RAW', message: MESSAGE }])) as string[];
    await expectKmsError(
      local.kms.send(new VerifyCommand({ KeyId: md.KeyId, Message: MESSAGE, Signature: Buffer.from(signature!, 'hex'), SigningAlgorithm: 'ECDSA_SHA_256' })),
      'KMSInvalidSignatureException',
      '',
    );
  });
});

describe('HMAC, ECDH and RSA-OAEP agree with openssl', () => {
  test('GenerateMac on imported HMAC bytes is openssl dgst -mac HMAC of the same key', async () => {
    for (const [spec, algorithm, hash, length] of [['HMAC_256', 'HMAC_SHA_256', 'sha256', 32], ['HMAC_512', 'HMAC_SHA_512', 'sha512', 100]] as const) {
      const md = await createKey(local.kms, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC', Origin: 'EXTERNAL' });
      const material = randomBytes(length);
      rememberSecret(material);
      await importWrapped(local.kms, md.KeyId!, material, 'RSAES_OAEP_SHA_256');
      const { Mac } = await local.kms.send(new GenerateMacCommand({ KeyId: md.KeyId, Message: MESSAGE, MacAlgorithm: algorithm }));
      openssl.write('mac.msg', MESSAGE);
      const out = await openssl.run(['dgst', `-${hash}`, '-mac', 'HMAC', '-macopt', `hexkey:${material.toString('hex')}`, '-hex', 'mac.msg']);
      expect(out.stdout.trim().split('= ')[1]).toBe(Buffer.from(Mac!).toString('hex'));
    }
  });

  test('DeriveSharedSecret is what openssl pkeyutl -derive and cryptography compute from the other side', async () => {
    const md = await createKey(local.kms, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' });
    const { PublicKey } = await local.kms.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const peerPrivate = peer.privateKey.export({ type: 'pkcs8', format: 'der' });
    const { SharedSecret, KeyOrigin } = await local.kms.send(
      new DeriveSharedSecretCommand({ KeyId: md.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.publicKey.export({ type: 'spki', format: 'der' }) }),
    );
    expect(KeyOrigin).toBe('AWS_KMS');
    openssl.write('peer.der', peerPrivate);
    openssl.write('kms.pub.der', PublicKey!);
    await openssl.run(['pkeyutl', '-derive', '-keyform', 'DER', '-inkey', 'peer.der', '-peerform', 'DER', '-peerkey', 'kms.pub.der', '-out', 'secret.bin']);
    expect(Buffer.from(SharedSecret!).equals(readFileSync(`${openssl.dir}/secret.bin`))).toBe(true);
    const [secret] = await pythonCryptography([{ op: 'derive', privateKey: peerPrivate, publicKey: PublicKey! }]);
    expect(secret).toBe(Buffer.from(SharedSecret!).toString('hex'));
  });

  test('RSA-OAEP: openssl encrypts with the public key and byok-kms decrypts; byok-kms encrypts and openssl decrypts with the imported private key', async () => {
    const md = await createKey(local.kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'EXTERNAL' });
    const pkcs8 = await opensslPrivateKey(openssl, 'oaep', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
    await importWrapped(local.kms, md.KeyId!, pkcs8, 'RSA_AES_KEY_WRAP_SHA_256');
    const { PublicKey } = await local.kms.send(new GetPublicKeyCommand({ KeyId: md.KeyId }));
    openssl.write('oaep.pub.der', PublicKey!);
    openssl.write('plain.txt', 'secret for the server');
    const oaep = ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'];
    await openssl.run(['pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', 'oaep.pub.der', ...oaep, '-in', 'plain.txt', '-out', 'plain.enc']);
    const decrypted = await local.kms.send(new DecryptCommand({ KeyId: md.KeyId, CiphertextBlob: readFileSync(`${openssl.dir}/plain.enc`), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('secret for the server');

    const { CiphertextBlob } = await local.kms.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Buffer.from('secret for openssl'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
    openssl.write('from-kms.enc', CiphertextBlob!);
    await openssl.run(['pkeyutl', '-decrypt', '-inkey', 'oaep.pem', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha1', '-in', 'from-kms.enc', '-out', 'from-kms.txt']);
    expect(readFileSync(`${openssl.dir}/from-kms.txt`, 'utf8')).toBe('secret for openssl');
  });
});
