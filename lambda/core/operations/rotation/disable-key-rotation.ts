import { changeKey, resolveKey } from '../../key-access';
import type { Deps, RequestContext } from '../../ports';
import { assertAutomaticRotationConfigurable, saveRotationSettings } from './automatic-rotation-settings';

export interface DisableKeyRotationInput {
  readonly KeyId: string;
}

export type DisableKeyRotationOutput = Record<string, never>;

/**
 * Turns automatic rotation off (a no-op when it is off): the schedule and the material prepared for the
 * next rotation are dropped, the rotation timer disarmed after the write. Materials already rotated
 * stay. Same refusals as EnableKeyRotation.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKeyRotation.html
 */
export async function disableKeyRotation(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'rootKey' | 'random' | 'keyWrites'>,
  ctx: RequestContext,
  input: DisableKeyRotationInput,
): Promise<DisableKeyRotationOutput> {
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const { key } = loaded;
    assertAutomaticRotationConfigurable(key);
    // Stryker disable next-line ConditionalExpression: `loaded.rotated.length === 0` -> true is equivalent: a key the read rotated has its schedule (rotateAutomatically keeps it), so the first test decides (`false` and the whole test's mutants, killed by the no-op and disable tests, share the name)
    if (!key.automaticRotation && loaded.rotated.length === 0) return;
    const { automaticRotation: _, ...withoutRotation } = key;
    await saveRotationSettings(deps, loaded, withoutRotation);
  });
  return {};
}
