import { supportsMultipleMaterials } from '../../crypto/key-specs';
import { ConflictException, KMSInvalidStateException, LimitExceededException, UnsupportedOperationException } from '../../errors';
import { changeKey, resolveKey, saveKey } from '../../key-access';
import { generateMaterial } from '../../key-rotation';
import { nextRotationDate } from '../../model/automatic-rotation';
import type { KeyMaterial, KeyRecord } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';

/** On-demand rotations per key (D6). */
export const ON_DEMAND_ROTATION_LIMIT = 25;
/** An on-demand rotation is refused this close before an automatic one (AWS: 20 minutes). */
const AUTOMATIC_ROTATION_GUARD_MS = 20 * 60_000;

export interface RotateKeyOnDemandInput {
  readonly KeyId: string;
}

export interface RotateKeyOnDemandOutput {
  readonly KeyId: string; // the key ARN
}

/** The material that becomes current: the staged import (EXTERNAL) or fresh random bytes (AWS_KMS). */
async function nextMaterial(deps: Pick<Deps, 'rootKey' | 'random'>, key: KeyRecord): Promise<KeyMaterial> {
  if (key.origin === 'EXTERNAL') {
    // Stryker disable next-line ConditionalExpression: `m.importState === 'IMPORTED'` -> true is equivalent: a staged material is always imported (deleting or expiring one removes it, removeMaterial) (the state test's mutants, killed by the import tests, share the name)
    const pending = key.materials.find((m) => m.materialState === 'PENDING_ROTATION' && m.importState === 'IMPORTED');
    if (!pending) throw new KMSInvalidStateException(`No available key material pending rotation for the key: ${key.arn}.`);
    return pending;
  }
  // Stryker disable next-line StringLiteral: 'PENDING_ROTATION' -> '' is equivalent: the caller makes the material CURRENT ('IMPORTED', killed by the rotation tests, shares the name)
  return { ...(await generateMaterial(deps, key)), materialState: 'PENDING_ROTATION', importState: 'IMPORTED' };
}

/**
 * Makes new material current, synchronously (D7): the staged PENDING_ROTATION material of an EXTERNAL
 * key, or fresh material for an AWS_KMS key. The old current material stays for decryption (NON_CURRENT).
 * Refused with ConflictException within 20 minutes before an automatic rotation (D76); it never moves
 * the automatic schedule.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html
 */
export async function rotateKeyOnDemand(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'rootKey' | 'random' | 'keyWrites'>,
  ctx: RequestContext,
  input: RotateKeyOnDemandInput,
): Promise<RotateKeyOnDemandOutput> {
  return changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const { key } = loaded;
    // Asymmetric and HMAC keys have one material for life; AWS answers with an empty message.
    if (!supportsMultipleMaterials(key.keySpec)) throw new UnsupportedOperationException('');
    assertAccepts(key, 'RotateOnDemand');
    if (key.onDemandRotations >= ON_DEMAND_ROTATION_LIMIT) {
      throw new LimitExceededException(
        `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
      );
    }
    const rotatedAt = deps.clock.now();
    if (key.automaticRotation && nextRotationDate(key.automaticRotation).getTime() - rotatedAt.getTime() < AUTOMATIC_ROTATION_GUARD_MS) {
      throw new ConflictException(`An automatic rotation of ${key.arn} is due within 20 minutes; rotate on demand after it.`);
    }
    const incoming = await nextMaterial(deps, key);
    const current: KeyMaterial = { ...incoming, materialState: 'CURRENT', rotationDate: rotatedAt, rotationType: 'ON_DEMAND' };
    // Stryker disable next-line ConditionalExpression: `true` is equivalent: besides the CURRENT material only NON_CURRENT ones and the staged one that becomes current are there (`false`, killed by the rotation tests, shares the name)
    const demoted = key.materials.map((m): KeyMaterial => (m.materialState === 'CURRENT' ? { ...m, materialState: 'NON_CURRENT' } : m));
    const materials = key.origin === 'EXTERNAL'
      ? demoted.map((m) => (m.materialId === current.materialId ? current : m))
      : [...demoted, current];
    const next: KeyRecord = {
      ...key,
      materials,
      currentMaterialId: current.materialId,
      onDemandRotations: key.onDemandRotations + 1,
    };
    await saveKey(deps, loaded, next);
    // AWS records the completed rotation as a RotateKey service event (CloudTrail); so do we.
    await deps.events.record({
      eventName: 'RotateKey',
      keyArn: key.arn,
      rotationType: 'ON_DEMAND',
      keyOrigin: key.origin,
      // Stryker disable next-line ConditionalExpression: `true` is unreachable: only an Enabled key rotates on demand, and it has its current material (`false`, killed by the event tests, shares the name)
      ...(key.currentMaterialId !== undefined && { previousKeyMaterialId: key.currentMaterialId }),
      currentKeyMaterialId: current.materialId,
      eventTime: rotatedAt,
    });
    return { KeyId: key.arn };
  });
}
