/**
 * Builders for the key-operation tests. EXTERNAL keys get their material here by editing the stored
 * record (wrapped with the root key and materialContext exactly as the import operations do), so
 * these tests do not depend on ImportKeyMaterial.
 */
import { randomBytes } from 'node:crypto';
import { keyMaterialId } from '../../../../lambda/core/crypto/material-id';
import { materialContext, materialIdKeyContext } from '../../../../lambda/core/key-access';
import type { ExpirationModel, KeyMaterial, KeyMaterialState, KeyRecord } from '../../../../lambda/core/model/key';
import { createKey, type CreateKeyInput } from '../../../../lambda/core/operations/keys/create-key';
import type { KeyMetadata } from '../../../../lambda/core/operations/keys/key-metadata';
import { TEST_CTX, TEST_SCOPE, type MemoryDeps } from '../../../support/memory-deps';

export const DAY = 86_400;

export async function newKey(deps: MemoryDeps, input: CreateKeyInput = {}): Promise<KeyMetadata> {
  return (await createKey(deps, TEST_CTX, input)).KeyMetadata;
}

export async function storedKey(deps: MemoryDeps, keyId: string): Promise<KeyRecord> {
  const key = await deps.keys.getKey(TEST_SCOPE, keyId);
  if (!key) throw new Error(`test setup: key ${keyId} is not stored`);
  return key;
}

/** Rewrites the stored record (as another process would), keeping the store's revision rules. */
export async function patchKey(deps: MemoryDeps, keyId: string, change: (key: KeyRecord) => KeyRecord): Promise<KeyRecord> {
  const key = await storedKey(deps, keyId);
  await deps.keys.putKey(change(key), { expectedRevision: key.revision });
  return storedKey(deps, keyId);
}

export interface MaterialOptions {
  readonly material?: Uint8Array;
  readonly materialState?: KeyMaterialState;
  readonly validTo?: Date;
  readonly expirationModel?: ExpirationModel;
}

/** A material record for `key`, wrapped by the deps' root key under materialContext. */
export async function buildMaterial(deps: MemoryDeps, key: KeyRecord, options: MaterialOptions = {}): Promise<KeyMaterial> {
  const material = options.material ?? new Uint8Array(randomBytes(32));
  const secret = await deps.rootKey.unwrap(key.materialIdKeyWrapped, materialIdKeyContext(key));
  const materialId = keyMaterialId(secret, key.keyId, material);
  const expirationModel = options.expirationModel ?? (options.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE');
  return {
    materialId,
    materialState: options.materialState ?? 'CURRENT',
    importState: 'IMPORTED',
    wrapped: await deps.rootKey.wrap(material, materialContext(key, materialId)),
    expirationModel,
    ...(options.validTo && { validTo: options.validTo }),
  };
}

export interface ExternalKey {
  readonly keyId: string;
  readonly arn: string;
  readonly materialId: string;
}

/** An EXTERNAL key whose CURRENT material is imported: Enabled, as after a first ImportKeyMaterial. */
export async function externalKeyWithMaterial(deps: MemoryDeps, options: MaterialOptions = {}): Promise<ExternalKey> {
  const md = await newKey(deps, { Origin: 'EXTERNAL' });
  const key = await storedKey(deps, md.KeyId);
  const material = await buildMaterial(deps, key, options);
  await patchKey(deps, md.KeyId, (k) => ({ ...k, state: 'Enabled', currentMaterialId: material.materialId, materials: [material] }));
  return { keyId: md.KeyId, arn: md.Arn, materialId: material.materialId };
}

/** Adds a material to a stored key (NON_CURRENT or PENDING_ROTATION, typically). */
export async function addMaterial(deps: MemoryDeps, keyId: string, options: MaterialOptions): Promise<string> {
  const key = await storedKey(deps, keyId);
  const material = await buildMaterial(deps, key, options);
  await patchKey(deps, keyId, (k) => ({ ...k, materials: [...k.materials, material] }));
  return material.materialId;
}

/** Makes `materialId` the CURRENT material and the previous CURRENT one NON_CURRENT (a rotation). */
export async function rotateTo(deps: MemoryDeps, keyId: string, materialId: string): Promise<void> {
  await patchKey(deps, keyId, (k) => ({
    ...k,
    currentMaterialId: materialId,
    materials: k.materials.map((m) => ({
      ...m,
      materialState: m.materialId === materialId ? 'CURRENT' : m.materialState === 'CURRENT' ? 'NON_CURRENT' : m.materialState,
    })),
  }));
}

/** The rejection of `promise`, for asserting type and message together. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
