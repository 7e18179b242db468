import { resolveKey } from '../../key-access';
import type { Deps, RequestContext } from '../../ports';
import { refuseAutomaticRotation } from './enable-key-rotation';

export interface DisableKeyRotationInput {
  readonly KeyId: string;
}

export type DisableKeyRotationOutput = Record<string, never>;

/**
 * Always refused, like EnableKeyRotation: there is no automatic rotation to disable.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKeyRotation.html
 */
export async function disableKeyRotation(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  input: DisableKeyRotationInput,
): Promise<DisableKeyRotationOutput> {
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  return refuseAutomaticRotation(key, 'DisableKeyRotation');
}
