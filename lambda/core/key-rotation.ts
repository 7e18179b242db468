/**
 * The writes behind rotation of an AWS_KMS key: fresh material (generated, identified and wrapped), and
 * bringing an automatic rotation schedule up to date — every rotation that fell due applied, and the
 * material of the next one prepared — for the rotation timer, EnableKeyRotation and EnableKey.
 */
import { keyMaterialId } from './crypto/material-id';
import { KMSInternalException, UnwrapError } from './errors';
import { materialIdKeyContext, wrapMaterial } from './key-access';
import { type CompletedRotation, nextRotationDate, rotateAutomatically } from './model/automatic-rotation';
import type { KeyRecord } from './model/key';
import type { Deps } from './ports';

const MATERIAL_LENGTH = 32;

export interface GeneratedMaterial {
  readonly materialId: string;
  readonly wrapped: Uint8Array;
}

/** 32 random bytes for `key`, with their KeyMaterialId, wrapped by the root key; the plaintext is wiped. */
export async function generateMaterial(deps: Pick<Deps, 'rootKey' | 'random'>, key: KeyRecord): Promise<GeneratedMaterial> {
  const material = deps.random(MATERIAL_LENGTH);
  let idKey: Uint8Array | undefined;
  try {
    idKey = await deps.rootKey.unwrap(key.materialIdKeyWrapped, materialIdKeyContext(key));
    const materialId = keyMaterialId(idKey, key.keyId, material);
    return { materialId, wrapped: await wrapMaterial(deps, key, materialId, material) };
  } catch (err) {
    if (err instanceof UnwrapError) throw new KMSInternalException(undefined, { cause: err });
    throw err;
  } finally {
    idKey?.fill(0);
    material.fill(0);
  }
}

export interface RotationProgress {
  readonly key: KeyRecord;
  /** The rotations applied here (each due at its instant), oldest first. */
  readonly rotations: readonly CompletedRotation[];
  /** Whether `key` differs from the key given (something to save). */
  readonly changed: boolean;
}

/**
 * Applies every automatic rotation due at `now` (only while the key is Enabled: a Disabled key keeps its
 * overdue date until EnableKey resumes it) and prepares the material of the next one.
 */
export async function advanceAutomaticRotation(deps: Pick<Deps, 'rootKey' | 'random'>, key: KeyRecord, now: Date): Promise<RotationProgress> {
  let current = key;
  const rotations: CompletedRotation[] = [];
  const prepare = async (k: KeyRecord): Promise<KeyRecord> =>
    k.automaticRotation && !k.automaticRotation.nextMaterial
      ? { ...k, automaticRotation: { ...k.automaticRotation, nextMaterial: await generateMaterial(deps, k) } }
      : k;
  while (current.state === 'Enabled' && current.automaticRotation && nextRotationDate(current.automaticRotation).getTime() <= now.getTime()) {
    const rotated = rotateAutomatically(await prepare(current), nextRotationDate(current.automaticRotation));
    current = rotated.key;
    rotations.push(rotated.rotation);
  }
  current = await prepare(current);
  return { key: current, rotations, changed: current !== key };
}
