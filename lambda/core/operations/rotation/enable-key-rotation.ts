import { changeKey, resolveKey } from '../../key-access';
import { DEFAULT_ROTATION_PERIOD_DAYS, MAX_ROTATION_PERIOD_DAYS, MIN_ROTATION_PERIOD_DAYS } from '../../model/automatic-rotation';
import type { Deps, RequestContext } from '../../ports';
import { checkRange } from '../validation';
import { assertAutomaticRotationConfigurable, saveRotationSettings } from './automatic-rotation-settings';

export interface EnableKeyRotationInput {
  readonly KeyId: string;
  readonly RotationPeriodInDays?: number;
}

export type EnableKeyRotationOutput = Record<string, never>;

/**
 * Turns on automatic rotation of a symmetric AWS_KMS key: the first rotation one period (default 365
 * days) after now; the timer for it is armed before the write. On a key already rotating, a new period
 * counts from the start of the current one (the enable date or the last automatic rotation), and a
 * rotation that is thereby overdue happens now (D74). Key ID or ARN only; Enabled keys only.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
 */
export async function enableKeyRotation(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'rootKey' | 'random' | 'keyWrites'>,
  ctx: RequestContext,
  input: EnableKeyRotationInput,
): Promise<EnableKeyRotationOutput> {
  const periodInDays = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  checkRange(periodInDays, 'rotationPeriodInDays', MIN_ROTATION_PERIOD_DAYS, MAX_ROTATION_PERIOD_DAYS);
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const { key } = loaded;
    assertAutomaticRotationConfigurable(key);
    const current = key.automaticRotation;
    // Stryker disable next-line ConditionalExpression: `loaded.rotated.length === 0` and `loaded.expired.length === 0` -> true are equivalent: a key the read rotated has no next material yet (rotateAutomatically drops it), and an AWS_KMS key (the only kind that rotates automatically) has no expiring material (the other conditions, killed by the period tests, share the name)
    if (current?.periodInDays === periodInDays && current.nextMaterial && loaded.rotated.length === 0 && loaded.expired.length === 0) return;
    const periodStart = current?.periodStart ?? deps.clock.now();
    await saveRotationSettings(deps, loaded, { ...key, automaticRotation: { ...current, periodInDays, periodStart } });
  });
  return {};
}
