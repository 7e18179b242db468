import { changeKey, resolveKey, saveKey } from '../../key-access';
import { cancelDeletion } from '../../model/key-state';
import { deletionTimer } from '../../timers/timer';
import type { Operation } from '../types';

export interface CancelKeyDeletionInput {
  readonly KeyId: string;
}

export interface CancelKeyDeletionOutput {
  /** The key ARN. */
  readonly KeyId: string;
}

/**
 * Takes the key out of PendingDeletion: Disabled, or PendingImport when some permanently associated
 * material is missing (D1). The deletion timer is disarmed after the save; if that fails, the
 * timer finds the key no longer pending deletion and does nothing. Key ID or ARN only.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html
 */
export const cancelKeyDeletion: Operation<CancelKeyDeletionInput, CancelKeyDeletionOutput> = async (deps, ctx, input) => {
  return changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const next = cancelDeletion(loaded.key);
    await saveKey(deps, loaded, next);
    const { deletionDate } = loaded.key;
    // Stryker disable next-line ConditionalExpression: `true` is unreachable: cancelDeletion refuses every key that is not PendingDeletion, and scheduleDeletion sets the state and deletionDate together (`false`, killed by the disarm tests, shares the name)
    if (deletionDate) await deps.timers.disarm(deletionTimer(next.scope, next.keyId, deletionDate).name);
    return { KeyId: next.arn };
  });
};
