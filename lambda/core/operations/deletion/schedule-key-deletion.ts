import { ValidationException } from '../../errors';
import { changeKey, resolveKey, saveKey } from '../../key-access';
import { scheduleDeletion } from '../../model/key-state';
import { deletionTimer } from '../../timers/timer';
import type { Operation } from '../types';

const DAY_MS = 86_400_000;

export interface ScheduleKeyDeletionInput {
  readonly KeyId: string;
  readonly PendingWindowInDays?: number;
}

export interface ScheduleKeyDeletionOutput {
  /** The key ARN, as KMS returns it. */
  readonly KeyId: string;
  readonly DeletionDate: Date;
  readonly KeyState: 'PendingDeletion';
  readonly PendingWindowInDays: number;
}

/**
 * Moves the key to PendingDeletion (from Enabled, Disabled or PendingImport) and arms a one-shot
 * timer for the end of the window. Key ID or ARN only.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
 */
export const scheduleKeyDeletion: Operation<ScheduleKeyDeletionInput, ScheduleKeyDeletionOutput> = async (deps, ctx, input) => {
  const days = input.PendingWindowInDays ?? 30;
  if (!Number.isInteger(days) || days < 7 || days > 30) {
    // D11: the model allows 1..365; the service takes 7..30.
    throw new ValidationException(
      `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have minimum value of 7 and maximum value of 30.`,
    );
  }
  const deletionDate = new Date(deps.clock.now().getTime() + days * DAY_MS);
  return changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const next = scheduleDeletion(loaded.key, deletionDate);
    // Arm before saving: a timer without a saved state change is stale when it fires (on-timer-due.ts);
    // a saved state without a timer would never be reclaimed from storage.
    await deps.timers.arm(deletionTimer(next.scope, next.keyId, deletionDate));
    await saveKey(deps, loaded, next);
    return { KeyId: next.arn, DeletionDate: deletionDate, KeyState: 'PendingDeletion', PendingWindowInDays: days };
  });
};
