/**
 * The envelope-encryption scenario from the AWS documentation on deleting imported key material
 * ("the volume"), step by step, through the real @aws-sdk/client-kms against the running server.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { wrapMaterial } from '../support/wrap-material';
import { useLocalServer } from './helpers';

const local = useLocalServer();

async function importMaterial(keyId: string, material: Uint8Array) {
  const params = await local.kms.send(
    new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
  );
  return local.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapMaterial(params.PublicKey!, 'RSAES_OAEP_SHA_256', material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }),
  );
}

function sealData(dataKey: Uint8Array, data: string) {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', dataKey, iv);
  const body = Buffer.concat([c.update(data, 'utf8'), c.final()]);
  return { iv, body, tag: c.getAuthTag() };
}

function openData(dataKey: Uint8Array, sealed: ReturnType<typeof sealData>): string {
  const d = createDecipheriv('aes-256-gcm', dataKey, sealed.iv);
  d.setAuthTag(sealed.tag);
  return Buffer.concat([d.update(sealed.body), d.final()]).toString('utf8');
}

describe('envelope encryption on a key with imported material (AWS docs: deleting key material)', () => {
  test('data stays readable while attached, is locked after detach, and comes back with the same material only', async () => {
    // GIVEN an EXTERNAL key with imported material
    const { KeyMetadata } = await local.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'volume key' }));
    const keyId = KeyMetadata!.KeyId!;
    const arn = KeyMetadata!.Arn!;
    expect(KeyMetadata!.KeyState).toBe('PendingImport');
    const material = randomBytes(32);
    const imported = await importMaterial(keyId, material);
    expect(imported.KeyId).toBe(arn);
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);

    // "the volume": only the encrypted data key is kept
    const generated = await local.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    const encryptedDataKey = generated.CiphertextBlob!;
    expect(generated.KeyMaterialId).toBe(imported.KeyMaterialId);

    // "attach": decrypt the data key and encrypt data with it
    const attached = await local.kms.send(new DecryptCommand({ CiphertextBlob: encryptedDataKey }));
    expect(Buffer.from(attached.Plaintext!)).toEqual(Buffer.from(generated.Plaintext!));
    expect(attached.KeyId).toBe(arn);
    let dataKey: Uint8Array | undefined = attached.Plaintext!;
    const sealed = sealData(dataKey, 'customer records');

    // WHEN the key material is deleted
    const deleted = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect(deleted.KeyId).toBe(arn);
    expect(deleted.KeyMaterialId).toBe(imported.KeyMaterialId);

    // THEN the key is pending import, yet data is readable with the data key still in memory
    const described = await local.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata!.KeyState).toBe('PendingImport');
    expect(described.KeyMetadata!.Enabled).toBe(false);
    expect(described.KeyMetadata!.ExpirationModel).toBeUndefined();
    expect(described.KeyMetadata!.CurrentKeyMaterialId).toBe(imported.KeyMaterialId);
    expect(openData(dataKey, sealed)).toBe('customer records');

    // "detach": the plaintext data key is dropped; the volume can no longer be unlocked
    dataKey = undefined;
    await expect(local.kms.send(new DecryptCommand({ CiphertextBlob: encryptedDataKey }))).rejects.toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${arn} is pending import.`,
      $metadata: { httpStatusCode: 400 },
    });

    // re-importing the same material brings the key and the data back
    const reimported = await importMaterial(keyId, material);
    expect(reimported.KeyMaterialId).toBe(imported.KeyMaterialId);
    const after = await local.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(after.KeyMetadata!.KeyState).toBe('Enabled');
    const reattached = await local.kms.send(new DecryptCommand({ CiphertextBlob: encryptedDataKey }));
    expect(openData(reattached.Plaintext!, sealed)).toBe('customer records');

    // different material is refused, and the key keeps working
    await expect(importMaterial(keyId, randomBytes(32))).rejects.toMatchObject({ name: 'IncorrectKeyMaterialException' });
    const still = await local.kms.send(new DecryptCommand({ CiphertextBlob: encryptedDataKey }));
    expect(Buffer.from(still.Plaintext!)).toEqual(Buffer.from(reattached.Plaintext!));
  });
});
