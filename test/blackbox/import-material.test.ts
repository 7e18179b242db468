/**
 * GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial through the real SDK
 * (spec §2.4–2.6, §5; D2–D5, D8–D10, D12–D14). Every caught error is checked for leaked material.
 */
import { createPublicKey } from 'node:crypto';
import {
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListKeyRotationsCommand,
  ScheduleKeyDeletionCommand,
  type WrappingKeySpec,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { IMPORT_MESSAGES as MESSAGES } from '../support/import-messages';
import { wrapMaterial, type WrappingAlgorithm } from '../support/wrap-material';
import {
  DAY,
  createExternalKey,
  createImportedKey,
  createKey,
  describeKey,
  expectKmsError,
  expectDuring,
  getParameters,
  importMaterial,
  newMaterial,
  timed,
  useLocalServer,
} from './helpers';

const local = useLocalServer();

const allMaterials = async (keyId: string) =>
  (await local.kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000 + days * DAY) * 1000);

describe('GetParametersForImport', () => {
  const combinations: Array<[WrappingAlgorithm, WrappingKeySpec, number]> = [
    ['RSAES_OAEP_SHA_1', 'RSA_2048', 2048],
    ['RSAES_OAEP_SHA_256', 'RSA_2048', 2048],
    ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048', 2048],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', 2048],
    ['RSAES_OAEP_SHA_256', 'RSA_3072', 3072],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096', 4096],
  ];

  test.each(combinations)('%s with %s: a DER SPKI public key valid 24 h that imports material', async (algorithm, spec, bits) => {
    // GIVEN
    const meta = await createExternalKey(local.kms);
    // WHEN
    const [out, issuing] = await timed(() => local.kms.send(new GetParametersForImportCommand({ KeyId: meta.KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec })));
    // THEN
    expect(out.KeyId).toBe(meta.Arn);
    expect(out.ImportToken!.length).toBeGreaterThan(0);
    const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails!.modulusLength).toBe(bits);
    expectDuring(out.ParametersValidTo, issuing, DAY * 1000);
    // and the pair really imports material wrapped that way
    const imported = await importMaterial(local.kms, meta.KeyId!, newMaterial(), {
      params: { ImportToken: out.ImportToken!, PublicKey: out.PublicKey!, algorithm },
    });
    expect(imported.KeyId).toBe(meta.Arn);
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('Enabled');
  });

  test('accepts the key ARN', async () => {
    const meta = await createExternalKey(local.kms);
    const out = await local.kms.send(new GetParametersForImportCommand({ KeyId: meta.Arn, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }));
    expect(out.KeyId).toBe(meta.Arn);
  });

  test('fails with ValidationException for RSAES_PKCS1_V1_5 (D8)', async () => {
    const meta = await createExternalKey(local.kms);
    await expectKmsError(
      local.kms.send(new GetParametersForImportCommand({ KeyId: meta.KeyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' })),
      'ValidationException',
      'The wrapping algorithm RSAES_PKCS1_V1_5 is not supported.',
    );
  });

  test('fails with NotFoundException for an unknown key', async () => {
    const meta = await createExternalKey(local.kms);
    const unknownId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    await expectKmsError(
      local.kms.send(new GetParametersForImportCommand({ KeyId: unknownId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })),
      'NotFoundException',
      `Key '${meta.Arn!.replace(meta.KeyId!, unknownId)}' does not exist`,
    );
  });

  test('fails with UnsupportedOperationException for an AWS_KMS key, as do the other two import operations', async () => {
    // GIVEN an AWS_KMS key and a valid token of some EXTERNAL key
    const awsKey = await createKey(local.kms);
    const message = `${awsKey.Arn} origin is AWS_KMS which is not valid for this operation.`;
    const other = await createExternalKey(local.kms);
    const params = await getParameters(local.kms, other.KeyId!);
    // WHEN / THEN
    await expectKmsError(
      local.kms.send(new GetParametersForImportCommand({ KeyId: awsKey.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })),
      'UnsupportedOperationException',
      message,
    );
    await expectKmsError(importMaterial(local.kms, awsKey.KeyId!, newMaterial(), { params }), 'UnsupportedOperationException', message);
    await expectKmsError(local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: awsKey.KeyId })), 'UnsupportedOperationException', message);
    expect((await describeKey(local.kms, awsKey.KeyId!)).KeyState).toBe('Enabled');
  });
});

describe('ImportKeyMaterial: the import token', () => {
  test('fails with InvalidImportTokenException for a token issued for another key', async () => {
    // GIVEN
    const a = await createExternalKey(local.kms);
    const b = await createExternalKey(local.kms);
    const paramsOfA = await getParameters(local.kms, a.KeyId!);
    // WHEN / THEN
    await expectKmsError(importMaterial(local.kms, b.KeyId!, newMaterial(), { params: paramsOfA }), 'InvalidImportTokenException', MESSAGES.tokenForAnotherKey);
    expect((await describeKey(local.kms, b.KeyId!)).KeyState).toBe('PendingImport');
    // and the token still works for its own key
    await importMaterial(local.kms, a.KeyId!, newMaterial(), { params: paramsOfA });
  });

  test('fails with InvalidImportTokenException for a garbage token', async () => {
    const meta = await createExternalKey(local.kms);
    const real = await getParameters(local.kms, meta.KeyId!);
    for (const token of [new Uint8Array(1), Buffer.from('not a token at all'), new Uint8Array(real.ImportToken.length).fill(7)]) {
      await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(), { params: { ...real, ImportToken: token } }), 'InvalidImportTokenException', MESSAGES.invalidToken);
    }
    // a single flipped byte makes the real token invalid too
    const flipped = Buffer.from(real.ImportToken);
    const middle = flipped.length >> 1;
    flipped[middle] = flipped[middle]! ^ 0x01;
    await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(), { params: { ...real, ImportToken: flipped } }), 'InvalidImportTokenException', MESSAGES.invalidToken);
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('fails with InvalidCiphertextException when the material is wrapped with another algorithm', async () => {
    const meta = await createExternalKey(local.kms);
    const wrongPairs: Array<[WrappingAlgorithm, WrappingAlgorithm]> = [
      ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'],
      ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
      ['RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_256'],
      ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'],
      ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'],
    ];
    for (const [issued, used] of wrongPairs) {
      const params = await getParameters(local.kms, meta.KeyId!, issued);
      await expectKmsError(
        local.kms.send(new ImportKeyMaterialCommand({
          KeyId: meta.KeyId,
          ImportToken: params.ImportToken,
          EncryptedKeyMaterial: wrapMaterial(params.PublicKey, used, newMaterial()),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        })),
        'InvalidCiphertextException',
        MESSAGES.notUnwrapped,
      );
    }
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('fails with InvalidCiphertextException when the material is wrapped with another key pair, or is garbage', async () => {
    const meta = await createExternalKey(local.kms);
    const first = await getParameters(local.kms, meta.KeyId!);
    const second = await getParameters(local.kms, meta.KeyId!);
    // token of the first pair, material wrapped with the second pair's public key
    await expectKmsError(
      local.kms.send(new ImportKeyMaterialCommand({
        KeyId: meta.KeyId,
        ImportToken: first.ImportToken,
        EncryptedKeyMaterial: wrapMaterial(second.PublicKey, 'RSAES_OAEP_SHA_256', newMaterial()),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      })),
      'InvalidCiphertextException',
      MESSAGES.notUnwrapped,
    );
    await expectKmsError(
      local.kms.send(new ImportKeyMaterialCommand({
        KeyId: meta.KeyId,
        ImportToken: first.ImportToken,
        EncryptedKeyMaterial: new Uint8Array(256).fill(1),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      })),
      'InvalidCiphertextException',
      MESSAGES.notUnwrapped,
    );
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('an unexpired token can be used again (D13)', async () => {
    // GIVEN material imported with a token
    const meta = await createExternalKey(local.kms);
    const material = newMaterial();
    const params = await getParameters(local.kms, meta.KeyId!, 'RSA_AES_KEY_WRAP_SHA_1');
    const first = await importMaterial(local.kms, meta.KeyId!, material, { params });
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: meta.KeyId }));
    // WHEN the same token imports the same material again
    const second = await importMaterial(local.kms, meta.KeyId!, material, { params });
    // THEN
    expect(second.KeyMaterialId).toBe(first.KeyMaterialId);
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('Enabled');
  });
});

describe('ImportKeyMaterial: which material is accepted', () => {
  test('the same material re-imports any number of times with the same KeyMaterialId', async () => {
    // GIVEN
    const key = await createImportedKey(local.kms);
    // WHEN
    const ids: string[] = [];
    for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'RSAES_OAEP_SHA_256'] as const) {
      ids.push((await importMaterial(local.kms, key.keyId, key.material, { algorithm })).KeyMaterialId!);
    }
    // THEN
    expect(ids).toEqual([key.keyMaterialId, key.keyMaterialId, key.keyMaterialId]);
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: key.keyMaterialId });
    expect(await allMaterials(key.keyId)).toHaveLength(1);
  });

  test('KeyMaterialId is 64 hex, and differs for the same material in another key', async () => {
    const material = newMaterial();
    const a = await createImportedKey(local.kms, { material });
    const b = await createImportedKey(local.kms, { material });
    expect(a.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(b.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(a.keyMaterialId).not.toBe(b.keyMaterialId);
  });

  test('fails with IncorrectKeyMaterialException for different material, with or without ImportType EXISTING (D5)', async () => {
    // GIVEN
    const key = await createImportedKey(local.kms);
    const { CiphertextBlob } = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('still here') }));
    // WHEN / THEN
    await expectKmsError(importMaterial(local.kms, key.keyId, newMaterial()), 'IncorrectKeyMaterialException', MESSAGES.notAssociated(key.arn));
    await expectKmsError(importMaterial(local.kms, key.keyId, newMaterial(), { importType: 'EXISTING_KEY_MATERIAL' }), 'IncorrectKeyMaterialException', MESSAGES.notAssociated(key.arn));
    // the key is unchanged
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: key.keyMaterialId });
    expect(Buffer.from((await local.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('still here');
    expect(await allMaterials(key.keyId)).toHaveLength(1);
  });

  test('fails with IncorrectKeyMaterialException when EXISTING_KEY_MATERIAL names nothing the key ever had', async () => {
    const meta = await createExternalKey(local.kms);
    await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(), { importType: 'EXISTING_KEY_MATERIAL' }), 'IncorrectKeyMaterialException', MESSAGES.notAssociated(meta.Arn!));
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('fails with IncorrectKeyMaterialException when NEW_KEY_MATERIAL is a material the key already has', async () => {
    const key = await createImportedKey(local.kms);
    await expectKmsError(importMaterial(local.kms, key.keyId, key.material, { importType: 'NEW_KEY_MATERIAL' }), 'IncorrectKeyMaterialException', MESSAGES.alreadyAssociated(key.keyMaterialId, key.arn));
    expect(await allMaterials(key.keyId)).toHaveLength(1);
  });

  test.each([16, 31, 33, 64])('fails with IncorrectKeyMaterialException for %i-byte material', async (length) => {
    const meta = await createExternalKey(local.kms);
    await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(length)), 'IncorrectKeyMaterialException', MESSAGES.wrongLength);
    const after = await describeKey(local.kms, meta.KeyId!);
    expect(after.KeyState).toBe('PendingImport');
    expect(after.CurrentKeyMaterialId).toBeUndefined();
  });

  test('the response KeyId is the key ARN whether the key ID or the ARN was sent (D14)', async () => {
    const meta = await createExternalKey(local.kms);
    const material = newMaterial();
    expect((await importMaterial(local.kms, meta.KeyId!, material)).KeyId).toBe(meta.Arn);
    expect((await importMaterial(local.kms, meta.Arn!, material)).KeyId).toBe(meta.Arn);
  });

  test('the first import sets CurrentKeyMaterialId and ExpirationModel at once', async () => {
    const meta = await createExternalKey(local.kms);
    const imported = await importMaterial(local.kms, meta.KeyId!, newMaterial());
    const after = await describeKey(local.kms, meta.KeyId!);
    expect(after).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
      CurrentKeyMaterialId: imported.KeyMaterialId,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    expect(after.ValidTo).toBeUndefined();
    const gdk = await local.kms.send(new GenerateDataKeyCommand({ KeyId: meta.KeyId, KeySpec: 'AES_256' }));
    expect(gdk.KeyMaterialId).toBe(imported.KeyMaterialId);
  });
});

describe('ImportKeyMaterial: expiration (D12)', () => {
  test('fails with ValidationException without ValidTo, whether ExpirationModel is omitted or KEY_MATERIAL_EXPIRES', async () => {
    const meta = await createExternalKey(local.kms);
    const message = 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES';
    await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(), { expirationModel: null }), 'ValidationException', message);
    await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(), { expirationModel: 'KEY_MATERIAL_EXPIRES' }), 'ValidationException', message);
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('ValidTo with the default model: KEY_MATERIAL_EXPIRES, shown by DescribeKey', async () => {
    const meta = await createExternalKey(local.kms);
    const validTo = inDays(364);
    await importMaterial(local.kms, meta.KeyId!, newMaterial(), { expirationModel: null, validTo });
    const after = await describeKey(local.kms, meta.KeyId!);
    expect(after).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(after.ValidTo!.getTime()).toBe(validTo.getTime());
  });

  test('ValidTo just under 365 days ahead is accepted', async () => {
    const meta = await createExternalKey(local.kms);
    const validTo = new Date(Math.floor(Date.now() / 1000 + 365 * DAY - 120) * 1000);
    await importMaterial(local.kms, meta.KeyId!, newMaterial(), { validTo });
    expect((await describeKey(local.kms, meta.KeyId!)).ValidTo!.getTime()).toBe(validTo.getTime());
  });

  test.each([
    ['in the past', () => ({ validTo: inDays(-1) })],
    ['now minus a second', () => ({ validTo: new Date(Date.now() - 1000) })],
    ['more than 365 days ahead', () => ({ validTo: inDays(366) })],
    ['with KEY_MATERIAL_DOES_NOT_EXPIRE', () => ({ validTo: inDays(30), expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const })],
  ])('fails with ValidationException for ValidTo %s, naming the rule', async (_label, options) => {
    const meta = await createExternalKey(local.kms);
    const e = await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(), options()), 'ValidationException');
    expect(e.message).toMatch(/valid ?to/i);
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('re-importing the same material changes the expiry (and DOES_NOT_EXPIRE clears ValidTo)', async () => {
    const key = await createImportedKey(local.kms, { validTo: inDays(10) });
    const in20 = inDays(20);
    await importMaterial(local.kms, key.keyId, key.material, { validTo: in20 });
    expect((await describeKey(local.kms, key.keyId)).ValidTo!.getTime()).toBe(in20.getTime());
    await importMaterial(local.kms, key.keyId, key.material, { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const after = await describeKey(local.kms, key.keyId);
    expect(after.ExpirationModel).toBe('KEY_MATERIAL_DOES_NOT_EXPIRE');
    expect(after.ValidTo).toBeUndefined();
  });
});

describe('ImportKeyMaterial: ImportType, KeyMaterialId, KeyMaterialDescription (D5, D9, D10)', () => {
  test('fails with ValidationException for KeyMaterialId together with NEW_KEY_MATERIAL (D9)', async () => {
    const key = await createImportedKey(local.kms);
    await expectKmsError(
      importMaterial(local.kms, key.keyId, newMaterial(), { importType: 'NEW_KEY_MATERIAL', keyMaterialId: key.keyMaterialId }),
      'ValidationException',
    );
    const meta = await createExternalKey(local.kms);
    await expectKmsError(
      importMaterial(local.kms, meta.KeyId!, newMaterial(), { importType: 'NEW_KEY_MATERIAL', keyMaterialId: 'ab'.repeat(32) }),
      'ValidationException',
    );
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('EXISTING_KEY_MATERIAL with the right KeyMaterialId re-imports', async () => {
    const key = await createImportedKey(local.kms);
    const out = await importMaterial(local.kms, key.keyId, key.material, { importType: 'EXISTING_KEY_MATERIAL', keyMaterialId: key.keyMaterialId });
    expect(out.KeyMaterialId).toBe(key.keyMaterialId);
  });

  test('fails with NotFoundException naming the material and the key for an unknown KeyMaterialId (D10)', async () => {
    const key = await createImportedKey(local.kms);
    const unknown = 'cd'.repeat(32);
    const e = await expectKmsError(importMaterial(local.kms, key.keyId, key.material, { keyMaterialId: unknown }), 'NotFoundException');
    expect(e.message).toContain(unknown);
    expect(e.message).toContain(key.arn);
  });

  test('fails with IncorrectKeyMaterialException when the material does not match the KeyMaterialId it names', async () => {
    const key = await createImportedKey(local.kms);
    await expectKmsError(
      importMaterial(local.kms, key.keyId, newMaterial(), { importType: 'EXISTING_KEY_MATERIAL', keyMaterialId: key.keyMaterialId }),
      'IncorrectKeyMaterialException',
      MESSAGES.otherMaterialId(key.keyMaterialId),
    );
  });

  test('KeyMaterialId with NEW_KEY_MATERIAL for a key that does not exist: ValidationException, not NotFoundException (D121)', async () => {
    const meta = await createExternalKey(local.kms);
    const params = await getParameters(local.kms, meta.KeyId!);
    const missing = meta.KeyId!.replace(/^.{8}/, '00000000');
    await expectKmsError(
      importMaterial(local.kms, missing, newMaterial(), { params, importType: 'NEW_KEY_MATERIAL', keyMaterialId: 'ab'.repeat(32) }),
      'ValidationException',
      MESSAGES.keyMaterialIdWithNew,
    );
  });

  test('KeyMaterialDescription is stored, kept when a re-import omits it, and replaced when one gives it', async () => {
    // GIVEN
    const meta = await createExternalKey(local.kms);
    const material = newMaterial();
    await importMaterial(local.kms, meta.KeyId!, material, { description: 'first batch 2026-01' });
    expect((await allMaterials(meta.KeyId!))[0]!.KeyMaterialDescription).toBe('first batch 2026-01');
    // WHEN re-imported without a description
    await importMaterial(local.kms, meta.KeyId!, material);
    // THEN
    expect((await allMaterials(meta.KeyId!))[0]!.KeyMaterialDescription).toBe('first batch 2026-01');
    // WHEN re-imported with another
    await importMaterial(local.kms, meta.KeyId!, material, { description: 'renamed' });
    expect((await allMaterials(meta.KeyId!))[0]!.KeyMaterialDescription).toBe('renamed');
  });

  test('fails with ValidationException for a KeyMaterialDescription outside its pattern', async () => {
    const meta = await createExternalKey(local.kms);
    await expectKmsError(importMaterial(local.kms, meta.KeyId!, newMaterial(), { description: 'no <tags> allowed!' }), 'ValidationException');
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });
});

describe('DeleteImportedKeyMaterial', () => {
  test('deletes the current material by ARN: PendingImport, no ExpirationModel/ValidTo, CurrentKeyMaterialId kept', async () => {
    // GIVEN
    const key = await createImportedKey(local.kms, { validTo: inDays(30) });
    // WHEN
    const out = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.arn }));
    // THEN
    expect(out).toMatchObject({ KeyId: key.arn, KeyMaterialId: key.keyMaterialId });
    const meta = await describeKey(local.kms, key.keyId);
    expect(meta).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: key.keyMaterialId });
    expect(meta.ExpirationModel).toBeUndefined();
    expect(meta.ValidTo).toBeUndefined();
    const [entry] = await allMaterials(key.keyId);
    expect(entry).toMatchObject({ KeyMaterialId: key.keyMaterialId, ImportState: 'PENDING_IMPORT', KeyMaterialState: 'CURRENT' });
    expect(entry!.ExpirationModel).toBeUndefined();
    expect(entry!.ValidTo).toBeUndefined();
  });

  test('deletes the material named by KeyMaterialId', async () => {
    const key = await createImportedKey(local.kms);
    const out = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId, KeyMaterialId: key.keyMaterialId }));
    expect(out.KeyMaterialId).toBe(key.keyMaterialId);
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('PendingImport');
  });

  test('fails with NotFoundException naming the material and the key for an unknown KeyMaterialId, and changes nothing (D10)', async () => {
    const key = await createImportedKey(local.kms);
    const unknown = 'ef'.repeat(32);
    const e = await expectKmsError(local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId, KeyMaterialId: unknown })), 'NotFoundException');
    expect(e.message).toContain(unknown);
    expect(e.message).toContain(key.arn);
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('Enabled');
  });

  test('on a PendingImport key with nothing to delete: success, no KeyMaterialId, state kept (D4)', async () => {
    // never imported
    const meta = await createExternalKey(local.kms);
    const out = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: meta.KeyId }));
    expect(out.KeyId).toBe(meta.Arn);
    expect(out.KeyMaterialId).toBeUndefined();
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
    // already deleted
    const key = await createImportedKey(local.kms);
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    const again = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    expect(again.KeyMaterialId).toBeUndefined();
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('PendingImport');
  });

  test('on a PendingDeletion key: the material goes, the key stays PendingDeletion', async () => {
    const key = await createImportedKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    const out = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    expect(out.KeyMaterialId).toBe(key.keyMaterialId);
    const meta = await describeKey(local.kms, key.keyId);
    expect(meta.KeyState).toBe('PendingDeletion');
    expect(meta.DeletionDate).toBeInstanceOf(Date);
    expect((await allMaterials(key.keyId))[0]!.ImportState).toBe('PENDING_IMPORT');
  });

  test('on a Disabled key: PendingImport, and a re-import makes it Enabled (D3)', async () => {
    // GIVEN
    const key = await createImportedKey(local.kms);
    await local.kms.send(new DisableKeyCommand({ KeyId: key.keyId }));
    // WHEN
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    // THEN
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('PendingImport');
    await importMaterial(local.kms, key.keyId, key.material);
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', Enabled: true });
  });

  test('re-importing into a Disabled key that has its material keeps it Disabled and applies the new expiry (D2)', async () => {
    const key = await createImportedKey(local.kms);
    await local.kms.send(new DisableKeyCommand({ KeyId: key.keyId }));
    const validTo = inDays(90);
    const out = await importMaterial(local.kms, key.keyId, key.material, { validTo });
    expect(out.KeyMaterialId).toBe(key.keyMaterialId);
    const meta = await describeKey(local.kms, key.keyId);
    expect(meta).toMatchObject({ KeyState: 'Disabled', Enabled: false, ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(meta.ValidTo!.getTime()).toBe(validTo.getTime());
  });
});
