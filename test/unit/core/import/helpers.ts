/**
 * Test helpers for the import and rotation operations: key records built directly (CreateKey is not
 * used here), and a client that wraps key material exactly as a KMS client does (node:crypto only).
 */
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { keyMaterialId } from '../../../../lambda/core/crypto/material-id';
import type { WrappingAlgorithm, WrappingKeySpec } from '../../../../lambda/core/crypto/wrapping';
import { materialContext, materialIdKeyContext } from '../../../../lambda/core/key-access';
import { keyArn } from '../../../../lambda/core/model/arn';
import type { KeyMaterial, KeyRecord, Scope } from '../../../../lambda/core/model/key';
import { getParametersForImport, type GetParametersForImportOutput } from '../../../../lambda/core/operations/import/get-parameters-for-import';
import { importKeyMaterial, type ImportKeyMaterialInput, type ImportKeyMaterialOutput } from '../../../../lambda/core/operations/import/import-key-material';
import type { RequestContext } from '../../../../lambda/core/ports';
import { type MemoryDeps, TEST_CTX, TEST_SCOPE } from '../../../support/memory-deps';

export const DAY_S = 86_400;

/** A symmetric EXTERNAL key as CreateKey(Origin=EXTERNAL) leaves it: PendingImport, no material. */
export async function anExternalKey(deps: MemoryDeps, overrides: Partial<KeyRecord> = {}, scope: Scope = TEST_SCOPE): Promise<KeyRecord> {
  const keyId = overrides.keyId ?? randomUUID();
  const materialIdKeyWrapped = await deps.rootKey.wrap(randomBytes(32), materialIdKeyContext({ scope, keyId }));
  const key: KeyRecord = {
    scope,
    keyId,
    arn: keyArn(scope, keyId),
    creationDate: deps.clock.now(),
    description: '',
    origin: 'EXTERNAL',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    state: 'PendingImport',
    materials: [],
    materialIdKeyWrapped,
    tags: [],
    onDemandRotations: 0,
    revision: 0,
    ...overrides,
  };
  await deps.keys.putKey(key, { expectedRevision: null });
  return (await deps.keys.getKey(scope, keyId))!;
}

/** A symmetric AWS_KMS key, Enabled, with one CURRENT material. */
export async function anAwsKmsKey(deps: MemoryDeps, overrides: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const keyId = randomUUID();
  const idKey = randomBytes(32);
  const materialIdKeyWrapped = await deps.rootKey.wrap(idKey, materialIdKeyContext({ scope: TEST_SCOPE, keyId }));
  const base: KeyRecord = {
    scope: TEST_SCOPE,
    keyId,
    arn: keyArn(TEST_SCOPE, keyId),
    creationDate: deps.clock.now(),
    description: '',
    origin: 'AWS_KMS',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    state: 'Enabled',
    materials: [],
    materialIdKeyWrapped,
    tags: [],
    onDemandRotations: 0,
    revision: 0,
  };
  const material = randomBytes(32);
  const materialId = keyMaterialId(idKey, keyId, material);
  const first: KeyMaterial = {
    materialId,
    materialState: 'CURRENT',
    importState: 'IMPORTED',
    wrapped: await deps.rootKey.wrap(material, materialContext(base, materialId)),
  };
  const key = { ...base, materials: [first], currentMaterialId: materialId, ...overrides };
  await deps.keys.putKey(key, { expectedRevision: null });
  return (await deps.keys.getKey(TEST_SCOPE, keyId))!;
}

export async function stored(deps: MemoryDeps, key: Pick<KeyRecord, 'keyId' | 'scope'>): Promise<KeyRecord> {
  const found = await deps.keys.getKey(key.scope, key.keyId);
  if (!found) throw new Error(`key ${key.keyId} is not stored`);
  return found;
}

/** Overwrites the stored record (to put a key in a state without the operations that lead there). */
export async function patchKey(deps: MemoryDeps, key: Pick<KeyRecord, 'keyId' | 'scope'>, patch: Partial<KeyRecord>): Promise<KeyRecord> {
  const current = await stored(deps, key);
  await deps.keys.putKey({ ...current, ...patch }, { expectedRevision: current.revision });
  return stored(deps, key);
}

const KWP_IV = Buffer.from('A65959A6', 'hex');

/** What a KMS client does with the PublicKey of GetParametersForImport (spec §5.2). */
export function clientWrap(publicKeyDer: Uint8Array, algorithm: WrappingAlgorithm, material: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaepHash = algorithm.endsWith('SHA_256') ? 'sha256' : 'sha1';
  const rsa = (data: Uint8Array) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  if (algorithm === 'RSAES_OAEP_SHA_1' || algorithm === 'RSAES_OAEP_SHA_256') return new Uint8Array(rsa(material));
  const aesKey = randomBytes(32);
  const kwp = createCipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
  return new Uint8Array(Buffer.concat([rsa(aesKey), kwp.update(material), kwp.final()]));
}

export function aMaterial(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export type ImportOptions = Omit<ImportKeyMaterialInput, 'KeyId' | 'ImportToken' | 'EncryptedKeyMaterial'>;

/**
 * A client of one key: fetches import parameters once (a token is reusable for 24 h, D13) and imports
 * material with them. Default expiry: KEY_MATERIAL_DOES_NOT_EXPIRE.
 */
export class Importer {
  private params?: GetParametersForImportOutput;

  constructor(
    private readonly deps: MemoryDeps,
    readonly keyId: string,
    readonly algorithm: WrappingAlgorithm = 'RSAES_OAEP_SHA_256',
    readonly spec: WrappingKeySpec = 'RSA_2048',
    private readonly ctx: RequestContext = TEST_CTX,
  ) {}

  async parameters(): Promise<GetParametersForImportOutput> {
    this.params ??= await getParametersForImport(this.deps, this.ctx, { KeyId: this.keyId, WrappingAlgorithm: this.algorithm, WrappingKeySpec: this.spec });
    return this.params;
  }

  async wrap(material: Uint8Array): Promise<{ ImportToken: Uint8Array; EncryptedKeyMaterial: Uint8Array }> {
    const p = await this.parameters();
    return { ImportToken: p.ImportToken, EncryptedKeyMaterial: clientWrap(p.PublicKey, this.algorithm, material) };
  }

  /** For symmetric keys, which get a KeyMaterialId back (see importOther for the other specs). */
  async import(material: Uint8Array, options: ImportOptions = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }): Promise<ImportKeyMaterialOutput & { KeyMaterialId: string }> {
    const out = await this.importOther(material, options);
    if (out.KeyMaterialId === undefined) throw new Error('ImportKeyMaterial returned no KeyMaterialId');
    return { ...out, KeyMaterialId: out.KeyMaterialId };
  }

  async importOther(material: Uint8Array, options: ImportOptions = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }): Promise<ImportKeyMaterialOutput> {
    return importKeyMaterial(this.deps, this.ctx, { KeyId: this.keyId, ...(await this.wrap(material)), ...options });
  }
}

/** Runs `action`, expects it to fail, and returns the error. */
export async function failure(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Asserts that an error message shows the material neither as hex nor as base64 (nor base64url). */
export function expectNoMaterialIn(err: Error, material: Uint8Array): void {
  const b = Buffer.from(material);
  for (const text of [b.toString('hex'), b.toString('base64'), b.toString('base64url'), b.toString('hex').toUpperCase()]) {
    expect(err.message).not.toContain(text);
    expect(String(err.stack)).not.toContain(text);
  }
}
