/**
 * Cryptographic operations on imported keys through the real SDK (spec §2.11): Encrypt, Decrypt,
 * ReEncrypt, GenerateDataKey(+WithoutPlaintext), GenerateRandom, DryRun, and the ciphertext errors.
 * State refusals (Disabled, PendingImport, PendingDeletion) are in state-matrix.test.ts.
 */
import {
  CreateAliasCommand,
  DecryptCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, test } from 'vitest';

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
import { aliasArnOf, createImportedKey, createKey, expectKmsError, kmsError, rememberSecret, uniqueAlias, type ImportedKey, useLocalServer } from './helpers';

const local = useLocalServer();
let key: ImportedKey;
let other: ImportedKey;

beforeAll(async () => {
  key = await createImportedKey(local.kms);
  other = await createImportedKey(local.kms);
});

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes!).toString('utf8');
const secret = (value: string) => {
  const bytes = Buffer.from(value);
  rememberSecret(bytes);
  return bytes;
};
const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';
const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';

describe('Encrypt and Decrypt', () => {
  test('Encrypt answers the ARN and the algorithm but no KeyMaterialId; Decrypt answers the KeyMaterialId', async () => {
    // WHEN
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('plaintext one') }));
    // THEN
    expect(enc.KeyId).toBe(key.arn);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(enc.CiphertextBlob!.length).toBeGreaterThan(0);
    expect(enc).not.toHaveProperty('KeyMaterialId');
    expect(Buffer.from(enc.CiphertextBlob!).includes(Buffer.from('plaintext one'))).toBe(false);
    const dec = await local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(text(dec.Plaintext)).toBe('plaintext one');
    expect(dec.KeyId).toBe(key.arn);
    expect(dec.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(dec.KeyMaterialId).toBe(key.keyMaterialId);
  });

  test('accepts the key ID, key ARN, alias name and alias ARN in Encrypt and in Decrypt', async () => {
    // GIVEN
    const alias = uniqueAlias('crypto');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId }));
    const forms = [key.keyId, key.arn, alias, aliasArnOf(key.arn, alias)];
    // WHEN / THEN
    for (const encryptWith of forms) {
      const enc = await local.kms.send(new EncryptCommand({ KeyId: encryptWith, Plaintext: Buffer.from(`via ${encryptWith}`) }));
      expect(enc.KeyId).toBe(key.arn);
      for (const decryptWith of forms) {
        const dec = await local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: decryptWith }));
        expect(text(dec.Plaintext)).toBe(`via ${encryptWith}`);
      }
    }
  });

  test('two encryptions of the same plaintext differ', async () => {
    const a = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('same plaintext twice') }));
    const b = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('same plaintext twice') }));
    expect(Buffer.from(a.CiphertextBlob!).equals(Buffer.from(b.CiphertextBlob!))).toBe(false);
  });

  test('an encryption context must be given back exactly', async () => {
    // GIVEN
    const context = { purpose: 'volume', tenant: 'a', 'empty value': '' };
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('bound plaintext'), EncryptionContext: context }));
    // THEN the same context decrypts, in any member order
    const reordered = Object.fromEntries(Object.entries(context).reverse());
    expect(text((await local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: reordered }))).Plaintext)).toBe('bound plaintext');
    // and every other context fails with an empty InvalidCiphertextException
    const wrong: Array<Record<string, string> | undefined> = [undefined, {}, { purpose: 'volume', tenant: 'a' }, { ...context, tenant: 'b' }, { ...context, extra: 'x' }, { purpose: 'volumetenant', tenant: '' }];
    for (const EncryptionContext of wrong) {
      await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, ...(EncryptionContext && { EncryptionContext }) })), 'InvalidCiphertextException', '');
    }
    // and a ciphertext made without context does not decrypt with one
    const plain = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('unbound plaintext') }));
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: plain.CiphertextBlob, EncryptionContext: { a: 'b' } })), 'InvalidCiphertextException', '');
  });

  test('fails with IncorrectKeyException when Decrypt names another key', async () => {
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('my own plaintext') }));
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.keyId })), 'IncorrectKeyException', INCORRECT_KEY);
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.arn })), 'IncorrectKeyException', INCORRECT_KEY);
  });

  test('fails with an empty InvalidCiphertextException for every single-byte change, truncation, extension and garbage', async () => {
    // GIVEN
    const blob = Buffer.from((await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('tamper-proof') }))).CiphertextBlob!);
    const keyIdBytes = { from: 2, to: 2 + key.keyId.length };
    const variants: Buffer[] = [];
    const renamedKeys: Buffer[] = [];
    for (let i = 0; i < blob.length; i++) {
      const copy = Buffer.from(blob);
      copy[i] = copy[i]! ^ 0x01;
      const renamed = copy.subarray(keyIdBytes.from, keyIdBytes.to).toString('latin1');
      // a key id changed into another well-formed id names a key that does not exist
      (i >= keyIdBytes.from && i < keyIdBytes.to && KEY_ID.test(renamed) ? renamedKeys : variants).push(copy);
    }
    variants.push(blob.subarray(0, blob.length - 1), blob.subarray(0, 20), blob.subarray(1), Buffer.concat([blob, Buffer.of(0)]));
    variants.push(Buffer.alloc(blob.length), Buffer.from('definitely not a ciphertext blob'), Buffer.of(1));
    // WHEN / THEN
    for (const [i, variant] of variants.entries()) {
      await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: variant })), 'InvalidCiphertextException', '').catch((err: Error) => {
        throw new Error(`variant ${i} (${variant.toString('hex')}): ${err.message}`);
      });
    }
    expect(renamedKeys.length).toBeGreaterThan(0);
    for (const variant of renamedKeys) {
      const renamed = variant.subarray(keyIdBytes.from, keyIdBytes.to).toString('latin1');
      await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: variant })), 'NotFoundException', `Key '${key.arn.replace(key.keyId, renamed)}' does not exist`);
    }
  });

  test('fails with ValidationException for a plaintext over 4096 bytes, without echoing it', async () => {
    const big = Buffer.alloc(4097, 0x61);
    const e = await expectKmsError(local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: big })), 'ValidationException');
    expect(e.message).toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    // 4096 is fine
    await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.alloc(4096, 0x62) }));
  });

  test('an AWS_KMS key encrypts and decrypts too', async () => {
    const meta = await createKey(local.kms);
    const enc = await local.kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: secret('service material') }));
    const dec = await local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(text(dec.Plaintext)).toBe('service material');
    expect(dec.KeyMaterialId).toBe(meta.CurrentKeyMaterialId);
  });
});

describe('ReEncrypt', () => {
  test('moves a ciphertext to another key, reporting both keys and both materials', async () => {
    // GIVEN
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('moving plaintext') }));
    // WHEN
    const re = await local.kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: other.keyId }));
    // THEN
    expect(re).toMatchObject({
      SourceKeyId: key.arn,
      KeyId: other.arn,
      SourceKeyMaterialId: key.keyMaterialId,
      DestinationKeyMaterialId: other.keyMaterialId,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    const dec = await local.kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
    expect(text(dec.Plaintext)).toBe('moving plaintext');
    expect(dec.KeyId).toBe(other.arn);
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, KeyId: key.keyId })), 'IncorrectKeyException', INCORRECT_KEY);
  });

  test('changes the encryption context (same key)', async () => {
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('recontext plaintext'), EncryptionContext: { v: '1' } }));
    const re = await local.kms.send(new ReEncryptCommand({
      CiphertextBlob: enc.CiphertextBlob,
      SourceEncryptionContext: { v: '1' },
      SourceKeyId: key.keyId,
      DestinationKeyId: key.arn,
      DestinationEncryptionContext: { v: '2' },
    }));
    expect(re.KeyId).toBe(key.arn);
    expect(text((await local.kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { v: '2' } }))).Plaintext)).toBe('recontext plaintext');
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { v: '1' } })), 'InvalidCiphertextException', '');
  });

  test('fails with InvalidCiphertextException for the wrong source context, IncorrectKeyException for the wrong source key', async () => {
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('guarded plaintext'), EncryptionContext: { v: '1' } }));
    await expectKmsError(
      local.kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { v: '9' }, DestinationKeyId: other.keyId })),
      'InvalidCiphertextException',
      '',
    );
    await expectKmsError(
      local.kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { v: '1' }, SourceKeyId: other.keyId, DestinationKeyId: other.keyId })),
      'IncorrectKeyException',
      INCORRECT_KEY,
    );
  });

  test('fails with DisabledException when the destination key is disabled', async () => {
    const disabled = await createImportedKey(local.kms);
    await local.kms.send(new DisableKeyCommand({ KeyId: disabled.keyId }));
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('nowhere plaintext') }));
    await expectKmsError(local.kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: disabled.keyId })), 'DisabledException', `${disabled.arn} is disabled.`);
  });
});

describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext', () => {
  test.each([
    [{ KeySpec: 'AES_256' as const }, 32],
    [{ KeySpec: 'AES_128' as const }, 16],
    [{ NumberOfBytes: 1 }, 1],
    [{ NumberOfBytes: 64 }, 64],
    [{ NumberOfBytes: 1024 }, 1024],
  ])('GenerateDataKey %j gives %i bytes whose ciphertext decrypts to them', async (size, length) => {
    const out = await local.kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, ...size, EncryptionContext: { use: 'dek' } }));
    expect(out.Plaintext).toHaveLength(length);
    expect(out.KeyId).toBe(key.arn);
    expect(out.KeyMaterialId).toBe(key.keyMaterialId);
    rememberSecret(out.Plaintext!);
    const dec = await local.kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { use: 'dek' } }));
    expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(out.Plaintext!))).toBe(true);
  });

  test('GenerateDataKeyWithoutPlaintext gives only a ciphertext, which decrypts to a key of the asked size', async () => {
    const out = await local.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.keyId, KeySpec: 'AES_128' }));
    expect(out).not.toHaveProperty('Plaintext');
    expect(out.KeyId).toBe(key.arn);
    expect(out.KeyMaterialId).toBe(key.keyMaterialId);
    expect((await local.kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }))).Plaintext).toHaveLength(16);
    const bytes = await local.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.arn, NumberOfBytes: 48 }));
    expect((await local.kms.send(new DecryptCommand({ CiphertextBlob: bytes.CiphertextBlob }))).Plaintext).toHaveLength(48);
  });

  test('fails with ValidationException when both or neither of KeySpec and NumberOfBytes are given', async () => {
    await expectKmsError(local.kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256', NumberOfBytes: 32 })), 'ValidationException');
    await expectKmsError(local.kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId })), 'ValidationException');
    await expectKmsError(local.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.keyId, KeySpec: 'AES_128', NumberOfBytes: 16 })), 'ValidationException');
    await expectKmsError(local.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.keyId })), 'ValidationException');
  });
});

describe('GenerateRandom', () => {
  test.each([1, 32, 1024])('gives %i random bytes', async (n) => {
    const a = await local.kms.send(new GenerateRandomCommand({ NumberOfBytes: n }));
    expect(a.Plaintext).toHaveLength(n);
    if (n >= 32) {
      const b = await local.kms.send(new GenerateRandomCommand({ NumberOfBytes: n }));
      expect(Buffer.from(a.Plaintext!).equals(Buffer.from(b.Plaintext!))).toBe(false);
    }
  });

  test('fails with ValidationException outside 1..1024 bytes', async () => {
    await expectKmsError(local.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), 'ValidationException');
    await expectKmsError(local.kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), 'ValidationException');
  });
});

describe('DryRun', () => {
  test('every cryptographic operation answers DryRunOperationException (HTTP 400) once its checks pass', async () => {
    const enc = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('dry run plaintext') }));
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['Encrypt', () => local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('dry run plaintext'), DryRun: true }))],
      ['Decrypt', () => local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, DryRun: true }))],
      ['ReEncrypt', () => local.kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: other.keyId, DryRun: true }))],
      ['GenerateDataKey', () => local.kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256', DryRun: true }))],
      ['GenerateDataKeyWithoutPlaintext', () => local.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.keyId, KeySpec: 'AES_256', DryRun: true }))],
    ];
    for (const [operation, call] of calls) {
      const e = await kmsError(call());
      expect({ operation, name: e.name, message: e.message, status: e.$metadata.httpStatusCode }).toEqual({
        operation,
        name: 'DryRunOperationException',
        message: DRY_RUN,
        status: 400,
      });
    }
  });

  test('a DryRun that would fail reports the real error, not DryRunOperationException', async () => {
    const disabled = await createImportedKey(local.kms);
    const enc = await local.kms.send(new EncryptCommand({ KeyId: disabled.keyId, Plaintext: secret('wet run plaintext') }));
    await local.kms.send(new DisableKeyCommand({ KeyId: disabled.keyId }));
    await expectKmsError(local.kms.send(new EncryptCommand({ KeyId: disabled.keyId, Plaintext: secret('wet run plaintext'), DryRun: true })), 'DisabledException', `${disabled.arn} is disabled.`);
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, DryRun: true })), 'DisabledException', `${disabled.arn} is disabled.`);
    const good = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: secret('wet run plaintext'), EncryptionContext: { a: '1' } }));
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: good.CiphertextBlob, DryRun: true })), 'InvalidCiphertextException', '');
  });
});
