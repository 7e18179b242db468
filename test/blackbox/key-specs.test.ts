/**
 * Keys of every spec through @aws-sdk/client-kms and boto3 (issue 8 §1): CreateKey's checks in AWS's order
 * with AWS's messages, DescribeKey's algorithm lists, and refusals that create nothing.
 */
import { CreateKeyCommand, GetPublicKeyCommand, ListKeysCommand, type KeySpec, type KeyUsageType } from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { awsEnv, tool } from '../support/tools';
import { allPages, createKey, describeKey, expectKmsError, useLocalServer } from './helpers';

const local = useLocalServer();

const listAllKeys = () => allPages('ListKeys', async (Marker) => {
  const page = await local.kms.send(new ListKeysCommand({ Marker }));
  return { entries: page.Keys ?? [], Truncated: page.Truncated, NextMarker: page.NextMarker };
});

const SPECS: readonly [KeySpec, KeyUsageType, string, string[]][] = [
  ['RSA_3072', 'SIGN_VERIFY', 'SigningAlgorithms', ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512']],
  ['RSA_2048', 'ENCRYPT_DECRYPT', 'EncryptionAlgorithms', ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']],
  ['ECC_NIST_P521', 'KEY_AGREEMENT', 'KeyAgreementAlgorithms', ['ECDH']],
  ['ECC_SECG_P256K1', 'SIGN_VERIFY', 'SigningAlgorithms', ['ECDSA_SHA_256']],
  ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', 'SigningAlgorithms', ['ED25519_SHA_512', 'ED25519_PH_SHA_512']],
  ['ML_DSA_65', 'SIGN_VERIFY', 'SigningAlgorithms', ['ML_DSA_SHAKE_256']],
  ['HMAC_384', 'GENERATE_VERIFY_MAC', 'MacAlgorithms', ['HMAC_SHA_384']],
];

describe('CreateKey and DescribeKey for non-symmetric specs', () => {
  test.each(SPECS)('%s %s: the algorithm list AWS reports, no CurrentKeyMaterialId, DescribeKey equal to CreateKey', async (KeySpec, KeyUsage, list, algorithms) => {
    const meta = await createKey(local.kms, { KeySpec, KeyUsage });
    expect(meta).toMatchObject({ KeySpec, CustomerMasterKeySpec: KeySpec, KeyUsage, KeyState: 'Enabled', Enabled: true, Origin: 'AWS_KMS', [list]: algorithms });
    for (const other of ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms'].filter((l) => l !== list)) {
      expect(meta[other as keyof typeof meta], other).toBeUndefined();
    }
    expect(meta.CurrentKeyMaterialId).toBeUndefined();
    expect(await describeKey(local.kms, meta.KeyId!)).toEqual(meta);
  });

  test('an EXTERNAL ECC_NIST_P256 signing key is PendingImport with its algorithm list and no ExpirationModel', async () => {
    const meta = await createKey(local.kms, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    expect(meta).toMatchObject({ KeyState: 'PendingImport', Enabled: false, SigningAlgorithms: ['ECDSA_SHA_256'] });
    expect(meta.ExpirationModel).toBeUndefined();
    await expectKmsError(local.kms.send(new GetPublicKeyCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException', `${meta.Arn} is pending import.`);
  });
});

describe('CreateKey refusals, in the order AWS checks, creating no key', () => {
  test.each([
    [{ KeySpec: 'RSA_1024' as KeySpec }, 'ValidationException', /^1 validation error detected: Value 'RSA_1024' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[RSA_2048, .*ECC_NIST_EDWARDS25519\]$/],
    [{ KeySpec: 'HMAC_256' as KeySpec, KeyUsage: 'MAC' as KeyUsageType }, 'ValidationException', /^1 validation error detected: Value 'MAC' at 'keyUsage'/],
    [{ KeySpec: 'SM2' as KeySpec }, 'UnsupportedOperationException', 'KeySpec SM2 is not supported in this Region'],
    [{ KeySpec: 'HMAC_256' as KeySpec }, 'ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.'],
    [{ KeySpec: 'ECC_NIST_P256' as KeySpec, KeyUsage: 'ENCRYPT_DECRYPT' as KeyUsageType }, 'ValidationException', 'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256'],
    [{ KeySpec: 'RSA_2048' as KeySpec, KeyUsage: 'KEY_AGREEMENT' as KeyUsageType }, 'ValidationException', 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048'],
    [{ KeySpec: 'ML_DSA_44' as KeySpec, KeyUsage: 'SIGN_VERIFY' as KeyUsageType, Origin: 'EXTERNAL' as const }, 'UnsupportedOperationException', 'KeySpec ML_DSA_44 does not support imported key material: create it with Origin AWS_KMS.'],
  ])('%o: %s', async (input, name, message) => {
    const before = (await listAllKeys()).length;
    await expectKmsError(local.kms.send(new CreateKeyCommand(input)), name, message);
    expect((await listAllKeys()).length).toBe(before);
  });
});

describe('boto3', () => {
  test('creates an Ed25519 signing key and reads its lists and public key, as a Python user would', async () => {
    const script = `
import boto3, json, sys
kms = boto3.client('kms', endpoint_url=sys.argv[1])
meta = kms.create_key(KeySpec='ECC_NIST_EDWARDS25519', KeyUsage='SIGN_VERIFY')['KeyMetadata']
pub = kms.get_public_key(KeyId=meta['KeyId'])
print(json.dumps({'SigningAlgorithms': meta['SigningAlgorithms'], 'PublicKeyLength': len(pub['PublicKey']), 'KeySpec': pub['KeySpec']}))
`;
    const run = await tool('python3', ['-c', script, local.server.endpoint], { env: awsEnv() });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'], PublicKeyLength: 44, KeySpec: 'ECC_NIST_EDWARDS25519' });
  });

  test('signs with RSASSA_PSS_SHA_256 (DIGEST) and ECDSA over secp256k1, and cryptography verifies against get_public_key', async () => {
    const script = `
import boto3, hashlib, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
kms = boto3.client('kms', endpoint_url=sys.argv[1])
digest = hashlib.sha256(b'signed from boto3').digest()
out = {}
for spec, algorithm in [('RSA_2048', 'RSASSA_PSS_SHA_256'), ('ECC_SECG_P256K1', 'ECDSA_SHA_256')]:
    key_id = kms.create_key(KeySpec=spec, KeyUsage='SIGN_VERIFY')['KeyMetadata']['KeyId']
    signature = kms.sign(KeyId=key_id, Message=digest, MessageType='DIGEST', SigningAlgorithm=algorithm)['Signature']
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)['PublicKey'])
    if spec.startswith('RSA'):
        public.verify(signature, digest, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), utils.Prehashed(hashes.SHA256()))
    else:
        public.verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    try:
        kms.verify(KeyId=key_id, Message=b'x' * 32, MessageType='DIGEST', Signature=signature, SigningAlgorithm=algorithm)
        out[spec] = 'verified a wrong digest'
    except kms.exceptions.KMSInvalidSignatureException as e:
        out[spec] = e.response['Error']['Code']
print(json.dumps(out))
`;
    const run = await tool('python3', ['-c', script, local.server.endpoint], { env: awsEnv() });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ RSA_2048: 'KMSInvalidSignatureException', ECC_SECG_P256K1: 'KMSInvalidSignatureException' });
  });
});
