/**
 * The seed's story for a signing key (issue 8 §3), through the SDK and through the AWS CLI v1 + openssl:
 * import a private key, sign; delete the material → Sign and GetPublicKey answer as for a key pending
 * import; re-import the same key (in another encoding) → signatures made before still verify and new ones
 * verify with the same public key; a different private key is refused.
 */
import { constants, createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteImportedKeyMaterialCommand, GetPublicKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { awsEnv, tool } from '../support/tools';
import { createKey, describeKey, expectKmsError, rememberSecret, useLocalServer } from './helpers';
import { OpensslDir } from './support/outside';
import { importWrapped } from './support/import-material';

const local = useLocalServer();
let openssl: OpensslDir;
beforeAll(() => {
  openssl = new OpensslDir();
});
afterAll(() => openssl?.remove());

const MESSAGE = Buffer.from('release 1.4.2, sha256 of the tarball: 9f86d081884c7d65');

describe('the signing key story through @aws-sdk/client-kms (RSA_2048, RSASSA_PSS_SHA_256)', () => {
  test('import, sign, delete the material, re-import the same key, refuse another one', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
    rememberSecret(pkcs8);
    const md = await createKey(local.kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    const keyId = md.KeyId!;
    const signPss = () => local.kms.send(new SignCommand({ KeyId: keyId, Message: MESSAGE, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    const verifiesLocally = (signature: Uint8Array, spki: Uint8Array) =>
      nodeVerify('sha256', MESSAGE, { key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);

    // import, sign
    await importWrapped(local.kms, keyId, pkcs8, 'RSA_AES_KEY_WRAP_SHA_256');
    const before = await signPss();
    const publicKey = (await local.kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!;
    expect(Buffer.from(publicKey).equals(pair.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(verifiesLocally(before.Signature!, publicKey)).toBe(true);

    // delete the material: Sign and GetPublicKey answer as for a key pending import
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect((await describeKey(local.kms, keyId)).KeyState).toBe('PendingImport');
    await expectKmsError(signPss(), 'KMSInvalidStateException', `${md.Arn} is pending import.`);
    await expectKmsError(local.kms.send(new GetPublicKeyCommand({ KeyId: keyId })), 'KMSInvalidStateException', `${md.Arn} is pending import.`);

    // re-import the same key, as a PKCS#8 that node:crypto re-encoded from its JWK
    const reencoded = (await import('node:crypto')).createPrivateKey({ key: pair.privateKey.export({ format: 'jwk' }), format: 'jwk' }).export({ type: 'pkcs8', format: 'der' });
    await importWrapped(local.kms, keyId, reencoded, 'RSA_AES_KEY_WRAP_SHA_1');
    await expect(local.kms.send(new VerifyCommand({ KeyId: keyId, Message: MESSAGE, Signature: before.Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))).resolves.toMatchObject({ SignatureValid: true });
    const after = await signPss();
    expect(Buffer.from((await local.kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!).equals(Buffer.from(publicKey))).toBe(true);
    expect(verifiesLocally(after.Signature!, publicKey)).toBe(true);

    // a different private key is refused, and the key keeps working
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' });
    rememberSecret(other);
    await expectKmsError(importWrapped(local.kms, keyId, other, 'RSA_AES_KEY_WRAP_SHA_256'), 'IncorrectKeyMaterialException');
    expect((await describeKey(local.kms, keyId)).KeyState).toBe('Enabled');
  });
});

describe('the signing key story through the AWS CLI v1 and openssl (ECC_NIST_P256, ECDSA_SHA_256)', { timeout: 240_000 }, () => {
  const aws = async (...args: string[]) => {
    const result = await tool('aws', ['kms', ...args, '--endpoint-url', local.server.endpoint, '--output', 'json'], { env: awsEnv(), cwd: openssl.dir });
    return { ...result, json: () => JSON.parse(result.stdout || '{}') as Record<string, unknown> };
  };
  const ok = async (...args: string[]) => {
    const result = await aws(...args);
    expect(result.stderr, `aws kms ${args.join(' ')}`).toBe('');
    expect(result.code).toBe(0);
    return result.json();
  };
  const cliError = async (...args: string[]) => {
    const result = await aws(...args);
    expect(result.code).not.toBe(0);
    return result.stderr;
  };

  /** The AWS documentation's RSA_AES_KEY_WRAP_SHA_256 procedure, with openssl, for the PKCS#8 file `keyFile`; the import's result. */
  async function importWithCli(keyId: string, keyFile: string) {
    const params = await ok('get-parameters-for-import', '--key-id', keyId, '--wrapping-algorithm', 'RSA_AES_KEY_WRAP_SHA_256', '--wrapping-key-spec', 'RSA_4096');
    openssl.write('WrappingPublicKey.bin', Buffer.from(params.PublicKey as string, 'base64'));
    openssl.write('ImportToken.bin', Buffer.from(params.ImportToken as string, 'base64'));
    await openssl.run(['rand', '-out', 'aes-key.bin', '32']);
    const aesHex = readFileSync(`${openssl.dir}/aes-key.bin`).toString('hex');
    await openssl.run(['enc', '-id-aes256-wrap-pad', '-K', aesHex, '-iv', 'A65959A6', '-in', keyFile, '-out', 'key-wrapped.bin']);
    await openssl.run(['pkeyutl', '-encrypt', '-in', 'aes-key.bin', '-out', 'aes-key-wrapped.bin', '-inkey', 'WrappingPublicKey.bin', '-keyform', 'DER', '-pubin',
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256']);
    openssl.write('EncryptedKeyMaterial.bin', Buffer.concat([readFileSync(`${openssl.dir}/aes-key-wrapped.bin`), readFileSync(`${openssl.dir}/key-wrapped.bin`)]));
    return aws('import-key-material', '--key-id', keyId, '--encrypted-key-material', 'fileb://EncryptedKeyMaterial.bin', '--import-token', 'fileb://ImportToken.bin',
      '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE');
  }
  const imports = async (keyId: string, keyFile: string) => {
    const result = await importWithCli(keyId, keyFile);
    expect(result.stderr).toBe('');
    // asymmetric keys get no KeyMaterialId back
    expect(result.json()).toEqual({ KeyId: expect.stringContaining(keyId) });
  };

  async function signWithCli(keyId: string, out: string): Promise<void> {
    const signed = await ok('sign', '--key-id', keyId, '--message', 'fileb://message.txt', '--message-type', 'RAW', '--signing-algorithm', 'ECDSA_SHA_256');
    openssl.write(out, Buffer.from(signed.Signature as string, 'base64'));
  }

  const opensslVerifies = async (signature: string) =>
    (await openssl.run(['dgst', '-sha256', '-verify', 'public.der', '-keyform', 'DER', '-signature', signature, 'message.txt'], true)).code === 0;

  test('import, sign, delete the material, re-import the same key in another encoding, refuse another one', async () => {
    // GIVEN a P-256 private key from openssl, and the same key again as a PKCS#8 without its public key
    await openssl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'signer.pem']);
    await openssl.run(['pkcs8', '-topk8', '-nocrypt', '-in', 'signer.pem', '-outform', 'DER', '-out', 'signer.p8.der']);
    await openssl.run(['ec', '-in', 'signer.pem', '-no_public', '-conv_form', 'compressed', '-out', 'signer-nopub.pem']);
    await openssl.run(['pkcs8', '-topk8', '-nocrypt', '-in', 'signer-nopub.pem', '-outform', 'DER', '-out', 'signer-nopub.p8.der']);
    rememberSecret(readFileSync(`${openssl.dir}/signer.p8.der`));
    expect(readFileSync(`${openssl.dir}/signer-nopub.p8.der`).equals(readFileSync(`${openssl.dir}/signer.p8.der`))).toBe(false);
    openssl.write('message.txt', MESSAGE);

    const created = await ok('create-key', '--key-spec', 'ECC_NIST_P256', '--key-usage', 'SIGN_VERIFY', '--origin', 'EXTERNAL');
    const { KeyId: keyId, Arn: arn } = created.KeyMetadata as { KeyId: string; Arn: string };

    // import, sign: openssl verifies with the public key GetPublicKey returns, which is openssl's own
    await imports(keyId, 'signer.p8.der');
    const published = await ok('get-public-key', '--key-id', keyId);
    expect(published).toMatchObject({ KeyId: arn, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    openssl.write('public.der', Buffer.from(published.PublicKey as string, 'base64'));
    await openssl.run(['pkey', '-in', 'signer.pem', '-pubout', '-outform', 'DER', '-out', 'openssl-public.der']);
    expect(readFileSync(`${openssl.dir}/public.der`).equals(readFileSync(`${openssl.dir}/openssl-public.der`))).toBe(true);
    await signWithCli(keyId, 'before.sig');
    expect(await opensslVerifies('before.sig')).toBe(true);

    // delete the material: sign and get-public-key answer as for a key pending import
    await ok('delete-imported-key-material', '--key-id', keyId);
    expect(await cliError('sign', '--key-id', keyId, '--message', 'fileb://message.txt', '--signing-algorithm', 'ECDSA_SHA_256')).toContain(
      `(KMSInvalidStateException) when calling the Sign operation: ${arn} is pending import.`,
    );
    expect(await cliError('get-public-key', '--key-id', keyId)).toContain(`(KMSInvalidStateException) when calling the GetPublicKey operation: ${arn} is pending import.`);

    // re-import the same key, encoded without its public point: the old signature verifies, new ones too, same public key
    await imports(keyId, 'signer-nopub.p8.der');
    await expect(ok('verify', '--key-id', keyId, '--message', 'fileb://message.txt', '--signature', 'fileb://before.sig', '--signing-algorithm', 'ECDSA_SHA_256')).resolves.toMatchObject({ SignatureValid: true });
    await signWithCli(keyId, 'after.sig');
    expect(Buffer.from((await ok('get-public-key', '--key-id', keyId)).PublicKey as string, 'base64').equals(readFileSync(`${openssl.dir}/public.der`))).toBe(true);
    expect(await opensslVerifies('after.sig')).toBe(true);

    // a different private key is refused
    await openssl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-outform', 'PEM', '-out', 'other.pem']);
    await openssl.run(['pkcs8', '-topk8', '-nocrypt', '-in', 'other.pem', '-outform', 'DER', '-out', 'other.p8.der']);
    rememberSecret(readFileSync(`${openssl.dir}/other.p8.der`));
    const refused = await importWithCli(keyId, 'other.p8.der');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`(IncorrectKeyMaterialException) when calling the ImportKeyMaterial operation: The key material is not the key material previously imported into ${arn}`);
    expect((await ok('describe-key', '--key-id', keyId)).KeyMetadata).toMatchObject({ KeyState: 'Enabled' });
  });
});
