import { supportsMultipleMaterials } from '../../crypto/key-specs';
import { NotFoundException, ValidationException } from '../../errors';
import { changeKey, resolveKey, saveKey } from '../../key-access';
import { findMaterial, type KeyRecord } from '../../model/key';
import { assertAccepts, removeMaterial } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';
import { assertExternal } from './get-parameters-for-import';

export interface DeleteImportedKeyMaterialInput {
  readonly KeyId: string;
  readonly KeyMaterialId?: string;
}

export interface DeleteImportedKeyMaterialOutput {
  readonly KeyId: string; // the key ARN
  /** The material the request addressed; omitted when there was nothing to delete (D4). */
  readonly KeyMaterialId?: string;
}

/** D10: a KeyMaterialId that names no material of the key. */
export function materialNotFound(key: KeyRecord, materialId: string): NotFoundException {
  return new NotFoundException(`Key material '${materialId}' does not exist for key '${key.arn}'`);
}

/**
 * Deletes one material (the current one unless KeyMaterialId names another). A permanently associated
 * material is kept as PENDING_IMPORT and the key becomes PendingImport (D3) unless it is pending
 * deletion; a PENDING_ROTATION material simply goes. Accepted in every key state; deleting what is
 * already gone changes nothing (D4). saveKey evicts the plaintext from the cache and disarms its timer.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html
 */
export async function deleteImportedKeyMaterial(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'keyWrites'>,
  ctx: RequestContext,
  input: DeleteImportedKeyMaterialInput,
): Promise<DeleteImportedKeyMaterialOutput> {
  return changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const { key } = loaded;
    assertExternal(key);
    assertAccepts(key, 'DeleteMaterial');
    // Asymmetric and HMAC keys have one material and show no ids (D9).
    const multipleMaterials = supportsMultipleMaterials(key.keySpec);
    if (!multipleMaterials && input.KeyMaterialId !== undefined) {
      throw new ValidationException(`KeyMaterialId is only usable with symmetric encryption keys; ${key.arn} has key spec ${key.keySpec}.`);
    }

    const targetId = input.KeyMaterialId ?? key.currentMaterialId;
    // Stryker disable next-line ConditionalExpression: no material has an undefined id, so findMaterial finds none either
    const target = targetId === undefined ? undefined : findMaterial(key, targetId);
    if (input.KeyMaterialId !== undefined && !target) throw materialNotFound(key, input.KeyMaterialId);

    if (!target || target.importState !== 'IMPORTED') {
      // Nothing to delete. Persist only what asOf erased meanwhile (expired material), if anything.
      if (loaded.expired.length > 0) await saveKey(deps, loaded, key);
      return { KeyId: key.arn, ...(input.KeyMaterialId !== undefined && { KeyMaterialId: input.KeyMaterialId }) };
    }
    await saveKey(deps, loaded, removeMaterial(key, target.materialId));
    return { KeyId: key.arn, ...(multipleMaterials && { KeyMaterialId: target.materialId }) };
  });
}
