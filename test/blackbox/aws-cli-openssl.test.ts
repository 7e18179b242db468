/**
 * The import procedure exactly as the AWS documentation shows it: AWS CLI v1 and openssl, files on
 * disk, `fileb://`. Both wrapping families: RSAES_OAEP_SHA_256 and RSA_AES_KEY_WRAP_SHA_256.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { awsEnv, tool } from '../support/tools';
import { useLocalServer } from './helpers';

const local = useLocalServer();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-cli-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function aws(...args: string[]) {
  return tool('aws', ['kms', ...args, '--endpoint-url', local.server.endpoint, '--output', 'json'], { env: awsEnv(), cwd: dir });
}

async function awsJson(...args: string[]) {
  const result = await aws(...args);
  expect(result.stderr, `aws kms ${args.join(' ')}`).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.trim() ? JSON.parse(result.stdout) : {};
}

async function openssl(...args: string[]) {
  const result = await tool('openssl', args, { cwd: dir });
  expect(result.code, `openssl ${args.join(' ')}: ${result.stderr}`).toBe(0);
}

/** aws kms get-parameters-for-import, then the two base64 files the docs decode. */
async function downloadParameters(keyId: string, algorithm: string) {
  const params = await awsJson('get-parameters-for-import', '--key-id', keyId, '--wrapping-algorithm', algorithm, '--wrapping-key-spec', 'RSA_2048');
  writeFileSync(join(dir, 'PublicKey.bin'), Buffer.from(params.PublicKey, 'base64'));
  writeFileSync(join(dir, 'ImportToken.bin'), Buffer.from(params.ImportToken, 'base64'));
  return params;
}

const OAEP_SHA256 = ['-keyform', 'DER', '-pubin', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'];

// Each AWS CLI v1 call starts a Python interpreter (about a second on these machines).
describe('AWS CLI v1 + openssl, as in the AWS documentation', () => {
  test('create, import with RSAES_OAEP_SHA_256, delete material, re-import, and refuse an alias', async () => {
    // GIVEN a key with EXTERNAL origin
    const created = await awsJson('create-key', '--origin', 'EXTERNAL', '--description', 'BYOK from the CLI');
    const keyId: string = created.KeyMetadata.KeyId;
    const arn: string = created.KeyMetadata.Arn;
    expect(created.KeyMetadata.KeyState).toBe('PendingImport');

    // WHEN the material is wrapped with openssl and imported with fileb://
    const params = await downloadParameters(keyId, 'RSAES_OAEP_SHA_256');
    expect(params.KeyId).toBe(arn);
    await openssl('rand', '-out', 'PlaintextKeyMaterial.bin', '32');
    await openssl('pkeyutl', '-encrypt', '-in', 'PlaintextKeyMaterial.bin', '-out', 'EncryptedKeyMaterial.bin', '-inkey', 'PublicKey.bin', ...OAEP_SHA256);
    const imported = await awsJson(
      'import-key-material', '--key-id', keyId,
      '--encrypted-key-material', 'fileb://EncryptedKeyMaterial.bin',
      '--import-token', 'fileb://ImportToken.bin',
      '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    );

    // THEN the key is enabled and encrypts
    expect(imported.KeyId).toBe(arn);
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const described = await awsJson('describe-key', '--key-id', keyId);
    expect(described.KeyMetadata).toMatchObject({ KeyState: 'Enabled', Enabled: true, Origin: 'EXTERNAL', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    writeFileSync(join(dir, 'secret.txt'), 'the launch codes');
    const encrypted = await awsJson('encrypt', '--key-id', keyId, '--plaintext', 'fileb://secret.txt');
    writeFileSync(join(dir, 'secret.enc'), Buffer.from(encrypted.CiphertextBlob, 'base64'));

    // an alias is not accepted where only a key ID or ARN is (D18)
    await awsJson('create-alias', '--alias-name', 'alias/cli-byok', '--target-key-id', keyId);
    const refused = await aws('delete-imported-key-material', '--key-id', 'alias/cli-byok');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('NotFoundException');
    expect(refused.stderr).toContain("Invalid keyId 'alias/cli-byok'");
    expect((await awsJson('describe-key', '--key-id', 'alias/cli-byok')).KeyMetadata.KeyState).toBe('Enabled');

    // delete-imported-key-material exactly as documented
    const deleted = await awsJson('delete-imported-key-material', '--key-id', keyId);
    expect(deleted.KeyMaterialId).toBe(imported.KeyMaterialId);
    expect((await awsJson('describe-key', '--key-id', keyId)).KeyMetadata.KeyState).toBe('PendingImport');
    const locked = await aws('decrypt', '--ciphertext-blob', 'fileb://secret.enc');
    expect(locked.stderr).toContain('KMSInvalidStateException');
    expect(locked.stderr).toContain(`${arn} is pending import.`);

    // re-import the same material with an expiry date, as the docs' --valid-to example
    await downloadParameters(keyId, 'RSAES_OAEP_SHA_256');
    await openssl('pkeyutl', '-encrypt', '-in', 'PlaintextKeyMaterial.bin', '-out', 'EncryptedKeyMaterial.bin', '-inkey', 'PublicKey.bin', ...OAEP_SHA256);
    const validTo = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const again = await awsJson(
      'import-key-material', '--key-id', keyId,
      '--encrypted-key-material', 'fileb://EncryptedKeyMaterial.bin',
      '--import-token', 'fileb://ImportToken.bin',
      '--expiration-model', 'KEY_MATERIAL_EXPIRES', '--valid-to', validTo,
    );
    expect(again.KeyMaterialId).toBe(imported.KeyMaterialId);
    const enabledAgain = await awsJson('describe-key', '--key-id', keyId);
    expect(enabledAgain.KeyMetadata.KeyState).toBe('Enabled');
    expect(new Date(enabledAgain.KeyMetadata.ValidTo * 1000).toISOString().replace(/\.\d+Z$/, 'Z')).toBe(validTo);
    const decrypted = await awsJson('decrypt', '--ciphertext-blob', 'fileb://secret.enc', '--query', '{Plaintext: Plaintext}');
    expect(Buffer.from(decrypted.Plaintext, 'base64').toString()).toBe('the launch codes');
  });

  test('RSA_AES_KEY_WRAP_SHA_256: the hybrid wrapping the docs build with openssl enc -id-aes256-wrap-pad', async () => {
    const created = await awsJson('create-key', '--origin', 'EXTERNAL');
    const keyId: string = created.KeyMetadata.KeyId;
    await downloadParameters(keyId, 'RSA_AES_KEY_WRAP_SHA_256');
    await openssl('rand', '-out', 'PlaintextKeyMaterial.bin', '32');
    await openssl('rand', '-out', 'aes-key.bin', '32');
    const aesKeyHex = readFileSync(join(dir, 'aes-key.bin')).toString('hex');
    await openssl('enc', '-id-aes256-wrap-pad', '-K', aesKeyHex, '-iv', 'A65959A6', '-in', 'PlaintextKeyMaterial.bin', '-out', 'key-material-wrapped.bin');
    await openssl('pkeyutl', '-encrypt', '-in', 'aes-key.bin', '-out', 'aes-key-wrapped.bin', '-inkey', 'PublicKey.bin', ...OAEP_SHA256);
    writeFileSync(join(dir, 'EncryptedKeyMaterial.bin'), Buffer.concat([readFileSync(join(dir, 'aes-key-wrapped.bin')), readFileSync(join(dir, 'key-material-wrapped.bin'))]));

    const imported = await awsJson(
      'import-key-material', '--key-id', keyId,
      '--encrypted-key-material', 'fileb://EncryptedKeyMaterial.bin',
      '--import-token', 'fileb://ImportToken.bin',
      '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    );
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect((await awsJson('describe-key', '--key-id', keyId)).KeyMetadata.KeyState).toBe('Enabled');
  });

  test('fails without ValidTo when the expiration model defaults to KEY_MATERIAL_EXPIRES', async () => {
    const created = await awsJson('create-key', '--origin', 'EXTERNAL');
    const keyId: string = created.KeyMetadata.KeyId;
    await downloadParameters(keyId, 'RSAES_OAEP_SHA_256');
    await openssl('rand', '-out', 'PlaintextKeyMaterial.bin', '32');
    await openssl('pkeyutl', '-encrypt', '-in', 'PlaintextKeyMaterial.bin', '-out', 'EncryptedKeyMaterial.bin', '-inkey', 'PublicKey.bin', ...OAEP_SHA256);
    const result = await aws('import-key-material', '--key-id', keyId, '--encrypted-key-material', 'fileb://EncryptedKeyMaterial.bin', '--import-token', 'fileb://ImportToken.bin');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ValidationException');
    expect(result.stderr).toContain('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    expect((await awsJson('describe-key', '--key-id', keyId)).KeyMetadata.KeyState).toBe('PendingImport');
  });
});
