import { describe, expect, test } from 'vitest';
import { parseBlob } from '../../../../lambda/core/crypto/ciphertext-blob';
import { isKeyId, keyArn } from '../../../../lambda/core/model/arn';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKey } from '../../../../lambda/core/operations/cryptography/generate-data-key';
import { generateDataKeyWithoutPlaintext } from '../../../../lambda/core/operations/cryptography/generate-data-key-without-plaintext';
import { generateRandom } from '../../../../lambda/core/operations/cryptography/generate-random';
import { reEncrypt } from '../../../../lambda/core/operations/cryptography/re-encrypt';
import { memoryDeps, TEST_CTX, TEST_SCOPE } from '../../../support/memory-deps';
import { addMaterial, bytes, externalKeyWithMaterial, failure, newKey, patchKey, rotateTo, text } from './helpers';

const OTHER_ACCOUNT_CTX = { scope: { ...TEST_CTX.scope, account: '444455556666' } };
const DRY_RUN = { name: 'DryRunOperationException', message: 'The request would have succeeded, but the DryRun option is set.' };
const INVALID_CIPHERTEXT = { name: 'InvalidCiphertextException', message: '' };

describe('Encrypt and Decrypt', () => {
  test('round-trips under an AWS_KMS key; Encrypt returns no KeyMaterialId, Decrypt does', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    // WHEN
    const enc = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('hello') });
    const dec = await decrypt(deps, TEST_CTX, { CiphertextBlob: enc.CiphertextBlob });
    // THEN
    expect(enc).toEqual({ CiphertextBlob: enc.CiphertextBlob, KeyId: md.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(enc).not.toHaveProperty('KeyMaterialId');
    expect(dec).toEqual({ KeyId: md.Arn, Plaintext: bytes('hello'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: md.CurrentKeyMaterialId });
  });

  test('round-trips under an EXTERNAL key with imported material, through an alias', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: new Date('2026-06-01T00:00:00Z') });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/ext', TargetKeyId: k.keyId });
    const enc = await encrypt(deps, TEST_CTX, { KeyId: 'alias/ext', Plaintext: bytes('byok') });
    const dec = await decrypt(deps, TEST_CTX, { CiphertextBlob: enc.CiphertextBlob, KeyId: 'arn:aws:kms:us-east-1:111122223333:alias/ext' });
    expect(text(dec.Plaintext)).toBe('byok');
    expect(dec.KeyMaterialId).toBe(k.materialId);
    expect(dec.KeyId).toBe(k.arn);
  });

  test('takes the IV from the RandomBytes port and names key and material in the blob', async () => {
    // GIVEN a random source we can watch
    const base = memoryDeps();
    const md = await newKey(base);
    const asked: number[] = [];
    const deps = { ...base, random: (n: number) => (asked.push(n), base.random(n)) };
    // WHEN
    const enc = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    // THEN
    expect(asked).toEqual([12]);
    expect(parseBlob(enc.CiphertextBlob)).toMatchObject({ keyId: md.KeyId, materialId: md.CurrentKeyMaterialId });
  });

  test('gives two encryptions of the same plaintext different ciphertexts', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const a = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('same') });
    const b = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('same') });
    expect(Buffer.from(a.CiphertextBlob).equals(Buffer.from(b.CiphertextBlob))).toBe(false);
  });

  test('accepts 1 and 4096 bytes of plaintext', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    for (const n of [1, 4096]) {
      const enc = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: new Uint8Array(n).fill(7) });
      expect((await decrypt(deps, TEST_CTX, { CiphertextBlob: enc.CiphertextBlob })).Plaintext).toHaveLength(n);
    }
  });

  test('fails with ValidationException for 4097 bytes or an empty plaintext', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: new Uint8Array(4097) }))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    });
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: new Uint8Array(0) }))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
  });

  test('fails with NotFoundException for an unknown key', async () => {
    const id = '11111111-1111-4111-8111-111111111111';
    expect(await failure(encrypt(memoryDeps(), TEST_CTX, { KeyId: id, Plaintext: bytes('x') }))).toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist`,
    });
  });
});

describe('encryption context binding', () => {
  test('decrypts only with the same context, in any member order', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('p'), EncryptionContext: { a: '1', b: '2' } });
    // WHEN / THEN
    expect(text((await decrypt(deps, TEST_CTX, { CiphertextBlob, EncryptionContext: { b: '2', a: '1' } })).Plaintext)).toBe('p');
    const wrongContexts: (Record<string, string> | undefined)[] = [undefined, {}, { a: '1' }, { a: '1', b: '3' }, { a: '1', b: '2', c: '3' }];
    for (const wrong of wrongContexts) {
      expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, ...(wrong && { EncryptionContext: wrong }) }))).toMatchObject(INVALID_CIPHERTEXT);
    }
  });

  test('fails with InvalidCiphertextException for {"a":"bc"} when encrypted with {"ab":"c"} (length-prefixed)', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('p'), EncryptionContext: { ab: 'c' } });
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, EncryptionContext: { a: 'bc' } }))).toMatchObject(INVALID_CIPHERTEXT);
    expect(text((await decrypt(deps, TEST_CTX, { CiphertextBlob, EncryptionContext: { ab: 'c' } })).Plaintext)).toBe('p');
  });

  test('a ciphertext made without context needs none', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('p') });
    expect(text((await decrypt(deps, TEST_CTX, { CiphertextBlob, EncryptionContext: {} })).Plaintext)).toBe('p');
  });
});

describe('Decrypt refusals', () => {
  test('fails with InvalidCiphertextException (empty message) when any byte is changed', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('tamper me') });
    const keyIdBytes = { from: 2, to: 2 + md.KeyId.length };
    // WHEN each byte is flipped in turn (version, key id, material id, IV, body and tag)
    for (let i = 0; i < CiphertextBlob.length; i++) {
      const tampered = Uint8Array.from(CiphertextBlob);
      tampered[i] = tampered[i]! ^ 0x01;
      const error = await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: tampered }));
      // THEN it never decrypts; a key id changed into another well-formed id names a key that does not exist
      const renamed = Buffer.from(tampered.subarray(keyIdBytes.from, keyIdBytes.to)).toString('latin1');
      if (i >= keyIdBytes.from && i < keyIdBytes.to && isKeyId(renamed)) {
        expect(error).toMatchObject({ name: 'NotFoundException', message: `Key '${keyArn(TEST_SCOPE, renamed)}' does not exist` });
      } else {
        expect(error).toMatchObject(INVALID_CIPHERTEXT);
      }
    }
  });

  test('fails with InvalidCiphertextException for a truncated blob, garbage, or a foreign version', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    const foreignVersion = Uint8Array.from(CiphertextBlob);
    foreignVersion[0] = 2;
    for (const blob of [CiphertextBlob.subarray(0, CiphertextBlob.length - 1), CiphertextBlob.subarray(0, 20), bytes('not a ciphertext at all, not at all'), new Uint8Array(1), foreignVersion]) {
      expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: blob }))).toMatchObject(INVALID_CIPHERTEXT);
    }
  });

  test('fails with InvalidCiphertextException when the blob names a key id that is not a key id', async () => {
    // GIVEN a well-formed blob whose key id field holds a malformed id of the same length
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    const bad = Uint8Array.from(CiphertextBlob);
    bad.set(bytes('Z'.repeat(36)), 2);
    // WHEN / THEN
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: bad }))).toMatchObject(INVALID_CIPHERTEXT);
  });

  test('fails with InvalidCiphertextException when the blob is re-pointed at another key of the caller', async () => {
    // GIVEN two keys, and a blob of key A edited to name key B
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: a.KeyId, Plaintext: bytes('x') });
    const repointed = Uint8Array.from(CiphertextBlob);
    repointed.set(bytes(b.KeyId), 2);
    // WHEN / THEN (B does not have A's material)
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: repointed }))).toMatchObject(INVALID_CIPHERTEXT);
  });

  test('fails with IncorrectKeyException when KeyId names another key', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: a.KeyId, Plaintext: bytes('x') });
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, KeyId: b.Arn }))).toMatchObject({
      name: 'IncorrectKeyException',
      message: 'The key ID in the request does not identify a CMK that can perform this operation.',
    });
  });

  test('fails with NotFoundException in another account, whether the key comes from the blob or from KeyId', async () => {
    // GIVEN a ciphertext made in account 111122223333
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    // WHEN another account decrypts it / names the key
    const unattributed = await failure(decrypt(deps, OTHER_ACCOUNT_CTX, { CiphertextBlob }));
    const named = await failure(decrypt(deps, OTHER_ACCOUNT_CTX, { CiphertextBlob, KeyId: md.KeyId }));
    // THEN
    expect(unattributed).toMatchObject({ name: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:444455556666:key/${md.KeyId}' does not exist` });
    expect(named).toMatchObject({ name: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:444455556666:key/${md.KeyId}' does not exist` });
  });

  test('fails with NotFoundException naming the key when one byte of the key id is changed into another well-formed id', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    const tampered = Uint8Array.from(CiphertextBlob);
    tampered[2] = tampered[2] === 0x61 ? 0x62 : 0x61; // first hex digit of the key id: 'a' <-> 'b' (or → 'a')
    const renamed = Buffer.from(tampered.subarray(2, 2 + md.KeyId.length)).toString('latin1');
    // the blob now names a key that does not exist; nothing about the real key or plaintext is revealed
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: tampered }))).toMatchObject({ name: 'NotFoundException', message: `Key '${keyArn(TEST_SCOPE, renamed)}' does not exist` });
  });

  test('fails with InvalidKeyUsageException for an asymmetric EncryptionAlgorithm', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    const expected = { name: 'InvalidKeyUsageException', message: 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.' };
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).toMatchObject(expected);
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).toMatchObject(expected);
    await expect(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })).resolves.toBeDefined();
  });

  test('fails with UnsupportedOperationException for a Recipient', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    const recipient = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(8) };
    expect((await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, Recipient: recipient }))).name).toBe('UnsupportedOperationException');
  });
});

describe('several materials in one key', () => {
  test('Encrypt uses the CURRENT material; Decrypt uses the material named in the blob, CURRENT or NON_CURRENT', async () => {
    // GIVEN a ciphertext made under the first material, then a rotation to a second one
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    const old = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('old') });
    const second = await addMaterial(deps, k.keyId, { materialState: 'PENDING_ROTATION' });
    await rotateTo(deps, k.keyId, second);
    // WHEN
    const fresh = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('new') });
    // THEN
    expect(parseBlob(fresh.CiphertextBlob)?.materialId).toBe(second);
    expect(await decrypt(deps, TEST_CTX, { CiphertextBlob: old.CiphertextBlob })).toMatchObject({ Plaintext: bytes('old'), KeyMaterialId: k.materialId });
    expect(await decrypt(deps, TEST_CTX, { CiphertextBlob: fresh.CiphertextBlob })).toMatchObject({ Plaintext: bytes('new'), KeyMaterialId: second });
  });

  test('never encrypts or decrypts with a PENDING_ROTATION material', async () => {
    // GIVEN a key with a staged material, and a blob forged to name it (sealed with that very material)
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    const pending = await addMaterial(deps, k.keyId, { materialState: 'PENDING_ROTATION' });
    const enc = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') });
    expect(parseBlob(enc.CiphertextBlob)?.materialId).toBe(k.materialId);
    await rotateTo(deps, k.keyId, pending);
    const underPending = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('y') });
    await patchKey(deps, k.keyId, (key) => ({
      ...key,
      currentMaterialId: k.materialId,
      materials: key.materials.map((m) => ({ ...m, materialState: m.materialId === pending ? 'PENDING_ROTATION' : 'CURRENT' })),
    }));
    // WHEN / THEN
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: underPending.CiphertextBlob }))).toMatchObject(INVALID_CIPHERTEXT);
  });

  test('fails with InvalidCiphertextException for a blob naming a material the key does not have', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') });
    const dropped = await addMaterial(deps, k.keyId, { materialState: 'PENDING_ROTATION' });
    await rotateTo(deps, k.keyId, dropped);
    // the first material disappears from the record entirely
    await patchKey(deps, k.keyId, (key) => ({ ...key, materials: key.materials.filter((m) => m.materialId !== k.materialId) }));
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob }))).toMatchObject(INVALID_CIPHERTEXT);
  });
});

describe('DryRun', () => {
  test('Encrypt, Decrypt, ReEncrypt and GenerateDataKey* fail with DryRunOperationException after passing every check', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), DryRun: true }))).toMatchObject(DRY_RUN);
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, DryRun: true }))).toMatchObject(DRY_RUN);
    expect(await failure(reEncrypt(deps, TEST_CTX, { CiphertextBlob, DestinationKeyId: md.KeyId, DryRun: true }))).toMatchObject(DRY_RUN);
    expect(await failure(generateDataKey(deps, TEST_CTX, { KeyId: md.KeyId, KeySpec: 'AES_128', DryRun: true }))).toMatchObject(DRY_RUN);
    expect(await failure(generateDataKeyWithoutPlaintext(deps, TEST_CTX, { KeyId: md.KeyId, KeySpec: 'AES_128', DryRun: true }))).toMatchObject(DRY_RUN);
  });

  test('reports a failing check rather than DryRunOperationException', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Origin: 'EXTERNAL' });
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), DryRun: true }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${md.Arn} is pending import.`,
    });
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: bytes('garbage-garbage-garbage'), DryRun: true }))).toMatchObject(INVALID_CIPHERTEXT);
  });

  test('Decrypt with IGNORE_CIPHERTEXT checks only the key', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const junk = bytes('junk');
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: junk, KeyId: md.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }))).toMatchObject(DRY_RUN);
    expect((await failure(decrypt(deps, TEST_CTX, { CiphertextBlob: junk, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }))).name).toBe('ValidationException');
    expect(
      (await failure(reEncrypt(deps, TEST_CTX, { CiphertextBlob: junk, SourceKeyId: md.KeyId, DestinationKeyId: md.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })))
        .name,
    ).toBe('DryRunOperationException');
  });

  test('ReEncrypt with IGNORE_CIPHERTEXT: SourceKeyId is required; without DryRun the modifier changes nothing', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(reEncrypt(deps, TEST_CTX, { CiphertextBlob: bytes('junk'), DestinationKeyId: md.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }))).toMatchObject({
      name: 'ValidationException',
      message: 'SourceKeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.',
    });
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('moved') });
    const moved = await reEncrypt(deps, TEST_CTX, { CiphertextBlob, DestinationKeyId: md.KeyId, DryRunModifiers: ['IGNORE_CIPHERTEXT'] });
    expect(text((await decrypt(deps, TEST_CTX, { CiphertextBlob: moved.CiphertextBlob })).Plaintext)).toBe('moved');
  });
});

describe('ReEncrypt', () => {
  test('moves a ciphertext to another key and context, reporting both materials', async () => {
    // GIVEN
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await externalKeyWithMaterial(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: a.KeyId, Plaintext: bytes('move me'), EncryptionContext: { from: 'a' } });
    // WHEN
    const out = await reEncrypt(deps, TEST_CTX, {
      CiphertextBlob,
      SourceEncryptionContext: { from: 'a' },
      DestinationKeyId: b.arn,
      DestinationEncryptionContext: { to: 'b' },
    });
    // THEN
    expect(out).toEqual({
      CiphertextBlob: out.CiphertextBlob,
      SourceKeyId: a.Arn,
      KeyId: b.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: a.CurrentKeyMaterialId,
      DestinationKeyMaterialId: b.materialId,
    });
    expect(text((await decrypt(deps, TEST_CTX, { CiphertextBlob: out.CiphertextBlob, EncryptionContext: { to: 'b' } })).Plaintext)).toBe('move me');
  });

  test('fails with InvalidCiphertextException for the wrong source context and IncorrectKeyException for the wrong SourceKeyId', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: a.KeyId, Plaintext: bytes('x'), EncryptionContext: { k: 'v' } });
    expect(await failure(reEncrypt(deps, TEST_CTX, { CiphertextBlob, DestinationKeyId: b.KeyId }))).toMatchObject(INVALID_CIPHERTEXT);
    expect((await failure(reEncrypt(deps, TEST_CTX, { CiphertextBlob, SourceKeyId: b.KeyId, SourceEncryptionContext: { k: 'v' }, DestinationKeyId: b.KeyId }))).name).toBe(
      'IncorrectKeyException',
    );
  });

  test('fails with DisabledException when the destination key is disabled', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: a.KeyId, Plaintext: bytes('x') });
    const { disableKey } = await import('../../../../lambda/core/operations/keys/disable-key');
    await disableKey(deps, TEST_CTX, { KeyId: b.KeyId });
    expect(await failure(reEncrypt(deps, TEST_CTX, { CiphertextBlob, DestinationKeyId: b.KeyId }))).toMatchObject({ name: 'DisabledException', message: `${b.Arn} is disabled.` });
  });
});

describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext', () => {
  test('return a data key of KeySpec or NumberOfBytes length that Decrypt recovers', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    // WHEN
    const aes256 = await generateDataKey(deps, TEST_CTX, { KeyId: k.keyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'dek' } });
    const aes128 = await generateDataKey(deps, TEST_CTX, { KeyId: k.keyId, KeySpec: 'AES_128' });
    const seven = await generateDataKey(deps, TEST_CTX, { KeyId: k.keyId, NumberOfBytes: 7 });
    // THEN
    expect([aes256.Plaintext.length, aes128.Plaintext.length, seven.Plaintext.length]).toEqual([32, 16, 7]);
    expect(aes256).toMatchObject({ KeyId: k.arn, KeyMaterialId: k.materialId });
    const back = await decrypt(deps, TEST_CTX, { CiphertextBlob: aes256.CiphertextBlob, EncryptionContext: { purpose: 'dek' } });
    expect(Buffer.from(back.Plaintext).equals(Buffer.from(aes256.Plaintext))).toBe(true);
  });

  test('WithoutPlaintext returns only the encrypted key, KeyId and KeyMaterialId', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const out = await generateDataKeyWithoutPlaintext(deps, TEST_CTX, { KeyId: md.KeyId, NumberOfBytes: 64 });
    expect(Object.keys(out).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId']);
    expect(out).toMatchObject({ KeyId: md.Arn, KeyMaterialId: md.CurrentKeyMaterialId });
    expect((await decrypt(deps, TEST_CTX, { CiphertextBlob: out.CiphertextBlob })).Plaintext).toHaveLength(64);
  });

  test.each<[{ KeySpec?: 'AES_256'; NumberOfBytes?: number }, string]>([
    [{}, 'neither'],
    [{ KeySpec: 'AES_256', NumberOfBytes: 32 }, 'both'],
  ])('fails with ValidationException when %o gives %s of NumberOfBytes and KeySpec', async (members) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    for (const op of [generateDataKey, generateDataKeyWithoutPlaintext]) {
      expect(await failure(op(deps, TEST_CTX, { KeyId: md.KeyId, ...members }))).toMatchObject({
        name: 'ValidationException',
        message: 'Please specify either number of bytes or key spec.',
      });
    }
  });

  test.each([
    [0, 'greater than or equal to 1'],
    [1025, 'less than or equal to 1024'],
  ])('fails with ValidationException for NumberOfBytes %d', async (n, rule) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(generateDataKey(deps, TEST_CTX, { KeyId: md.KeyId, NumberOfBytes: n }))).toMatchObject({
      name: 'ValidationException',
      message: `1 validation error detected: Value '${n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value ${rule}`,
    });
  });

  test('GenerateDataKey fails with UnsupportedOperationException for a Recipient', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect((await failure(generateDataKey(deps, TEST_CTX, { KeyId: md.KeyId, KeySpec: 'AES_256', Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } }))).name).toBe(
      'UnsupportedOperationException',
    );
  });
});

describe('GenerateRandom', () => {
  test('returns NumberOfBytes bytes from the RandomBytes port', async () => {
    const deps = { ...memoryDeps(), random: (n: number) => new Uint8Array(n).fill(9) };
    expect(await generateRandom(deps, TEST_CTX, { NumberOfBytes: 3 })).toEqual({ Plaintext: new Uint8Array([9, 9, 9]) });
    expect((await generateRandom(deps, TEST_CTX, { NumberOfBytes: 1024 })).Plaintext).toHaveLength(1024);
  });

  test.each([0, 1025])('fails with ValidationException for NumberOfBytes %d', async (n) => {
    expect((await failure(generateRandom(memoryDeps(), TEST_CTX, { NumberOfBytes: n }))).name).toBe('ValidationException');
  });

  test('fails with ValidationException without NumberOfBytes', async () => {
    expect(await failure(generateRandom(memoryDeps(), TEST_CTX, {}))).toMatchObject({ name: 'ValidationException', message: 'NumberOfBytes is required.' });
  });

  test('fails with UnsupportedOperationException for a CustomKeyStoreId or a Recipient', async () => {
    expect(await failure(generateRandom(memoryDeps(), TEST_CTX, { NumberOfBytes: 8, CustomKeyStoreId: 'cks-1' }))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: 'Custom key stores are not supported by this service.',
    });
    expect((await failure(generateRandom(memoryDeps(), TEST_CTX, { NumberOfBytes: 8, Recipient: {} }))).name).toBe('UnsupportedOperationException');
  });
});
