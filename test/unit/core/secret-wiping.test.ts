/**
 * Secrets the core holds only while it needs them are zeroed (fill(0)) once used, where a test can reach the
 * buffer: a buffer handed to the root key (wrap) or returned by it (unwrap), and random bytes drawn through
 * `deps.random`. A removed fill(0) fails here (issue 13 §1).
 */
import { describe, expect, test } from 'vitest';
import { createKey } from '../../../lambda/core/operations/keys/create-key';
import { decrypt } from '../../../lambda/core/operations/cryptography/decrypt';
import { deleteImportedKeyMaterial } from '../../../lambda/core/operations/import/delete-imported-key-material';
import { encrypt } from '../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKeyWithoutPlaintext } from '../../../lambda/core/operations/cryptography/generate-data-key-without-plaintext';
import { getParametersForImport } from '../../../lambda/core/operations/import/get-parameters-for-import';
import { importKeyMaterial } from '../../../lambda/core/operations/import/import-key-material';
import { rotateKeyOnDemand } from '../../../lambda/core/operations/rotation/rotate-key-on-demand';
import type { WrapContext } from '../../../lambda/core/ports';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../support/memory-deps';
import { aMaterial, clientWrap, Importer } from './import/helpers';

interface Seen {
  readonly purpose: string;
  readonly bytes: Uint8Array;
}

/** Records every plaintext buffer the root key is given to wrap or gives back from unwrap, by purpose. */
function recordRootKeyPlaintexts(deps: MemoryDeps): { wrapped: Seen[]; unwrapped: Seen[] } {
  const wrapped: Seen[] = [];
  const unwrapped: Seen[] = [];
  const { rootKey } = deps;
  const wrap = rootKey.wrap.bind(rootKey);
  const unwrap = rootKey.unwrap.bind(rootKey);
  rootKey.wrap = async (plaintext: Uint8Array, context: WrapContext) => {
    wrapped.push({ purpose: context.purpose!, bytes: plaintext });
    return wrap(plaintext, context);
  };
  rootKey.unwrap = async (blob: Uint8Array, context: WrapContext) => {
    const plaintext = await unwrap(blob, context);
    unwrapped.push({ purpose: context.purpose!, bytes: plaintext });
    return plaintext;
  };
  return { wrapped, unwrapped };
}

const isZeroed = (b: Uint8Array) => b.length > 0 && b.every((x) => x === 0);
const ofPurpose = (seen: Seen[], purpose: string) => seen.filter((s) => s.purpose === purpose).map((s) => s.bytes);

/** The root key saw exactly one buffer of `purpose`, and it is zeroed now. */
function expectOneZeroed(seen: Seen[], purpose: string): void {
  const buffers = ofPurpose(seen, purpose);
  expect(buffers, purpose).toHaveLength(1);
  expect(isZeroed(buffers[0]!), purpose).toBe(true);
}

describe('secrets are zeroed once used', () => {
  test('GetParametersForImport: the wrapping private key, once the root key has wrapped it into the token', async () => {
    const deps = memoryDeps();
    const { KeyMetadata } = await createKey(deps, TEST_CTX, { Origin: 'EXTERNAL' });
    const seen = recordRootKeyPlaintexts(deps);
    await getParametersForImport(deps, TEST_CTX, { KeyId: KeyMetadata.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    expectOneZeroed(seen.wrapped, 'import-token');
  });

  test('ImportKeyMaterial: the token private key, the material-id key and the plaintext material', async () => {
    const deps = memoryDeps();
    const { KeyMetadata } = await createKey(deps, TEST_CTX, { Origin: 'EXTERNAL' });
    const wrapped = await new Importer(deps, KeyMetadata.KeyId).wrap(aMaterial());
    const seen = recordRootKeyPlaintexts(deps);
    await importKeyMaterial(deps, TEST_CTX, { KeyId: KeyMetadata.KeyId, ...wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expectOneZeroed(seen.unwrapped, 'import-token');
    expectOneZeroed(seen.unwrapped, 'material-id-key');
    expectOneZeroed(seen.wrapped, 'key-material');
  });

  test('ImportKeyMaterial that fails (different material): the token private key and the material-id key too', async () => {
    const deps = memoryDeps();
    const { KeyMetadata } = await createKey(deps, TEST_CTX, { Origin: 'EXTERNAL' });
    const importer = new Importer(deps, KeyMetadata.KeyId);
    await importer.import(aMaterial());
    const params = await importer.parameters();
    const seen = recordRootKeyPlaintexts(deps);
    await expect(importKeyMaterial(deps, TEST_CTX, {
      KeyId: KeyMetadata.KeyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: clientWrap(params.PublicKey, 'RSAES_OAEP_SHA_256', aMaterial()),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    })).rejects.toMatchObject({ name: 'IncorrectKeyMaterialException' });
    expect(seen.unwrapped.map((s) => s.purpose).sort()).toEqual(['import-token', 'material-id-key']);
    for (const s of seen.unwrapped) expect(isZeroed(s.bytes), s.purpose).toBe(true);
  });

  test('CreateKey (AWS_KMS): the generated material and the material-id key, once wrapped', async () => {
    const deps = memoryDeps();
    const seen = recordRootKeyPlaintexts(deps);
    await createKey(deps, TEST_CTX, {});
    expect(seen.wrapped.map((s) => s.purpose).sort()).toEqual(['key-material', 'material-id-key']);
    for (const s of seen.wrapped) expect(isZeroed(s.bytes), s.purpose).toBe(true);
  });

  test('CreateKey (ML_DSA_44): the seed it drew, once the material is encoded', async () => {
    const deps = memoryDeps();
    const drawn: Uint8Array[] = [];
    const random = deps.random;
    const recording = { ...deps, random: (n: number) => { const b = random(n); drawn.push(b); return b; } };
    await createKey(recording, TEST_CTX, { KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' });
    const seeds = drawn.filter((b) => b.length === 32);
    expect(seeds.length).toBeGreaterThan(0);
    for (const seed of seeds) expect(isZeroed(seed)).toBe(true);
  });

  test('RotateKeyOnDemand (AWS_KMS): the new material and the material-id key', async () => {
    const deps = memoryDeps();
    const { KeyMetadata } = await createKey(deps, TEST_CTX, {});
    const seen = recordRootKeyPlaintexts(deps);
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: KeyMetadata.KeyId });
    expectOneZeroed(seen.wrapped, 'key-material');
    expectOneZeroed(seen.unwrapped, 'material-id-key');
  });

  test('GenerateDataKeyWithoutPlaintext: the data key it drew, once encrypted', async () => {
    const deps = memoryDeps();
    const { KeyMetadata } = await createKey(deps, TEST_CTX, {});
    const drawn: Uint8Array[] = [];
    const random = deps.random;
    const recording = { ...deps, random: (n: number) => { const b = random(n); drawn.push(b); return b; } };
    const out = await generateDataKeyWithoutPlaintext(recording, TEST_CTX, { KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
    const dataKeys = drawn.filter((b) => b.length === 32);
    expect(dataKeys).toHaveLength(1);
    expect(isZeroed(dataKeys[0]!)).toBe(true);
    expect((await decrypt(deps, TEST_CTX, { CiphertextBlob: out.CiphertextBlob })).Plaintext.every((x) => x === 0)).toBe(false);
  });

  test('Encrypt: the material the root key unwrapped (the cache keeps a copy of its own)', async () => {
    const deps = memoryDeps();
    const { KeyMetadata } = await createKey(deps, TEST_CTX, { Origin: 'EXTERNAL' });
    await new Importer(deps, KeyMetadata.KeyId).import(aMaterial());
    const seen = recordRootKeyPlaintexts(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([7]) });
    expectOneZeroed(seen.unwrapped, 'key-material');
    // and the cached copy still decrypts, until the material is deleted
    expect((await decrypt(deps, TEST_CTX, { CiphertextBlob })).Plaintext).toEqual(new Uint8Array([7]));
    expect(ofPurpose(seen.unwrapped, 'key-material')).toHaveLength(1);
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: KeyMetadata.KeyId });
    await expect(decrypt(deps, TEST_CTX, { CiphertextBlob })).rejects.toMatchObject({ name: 'KMSInvalidStateException' });
  });
});
