import { UnsupportedOperationException } from '../../errors';
import { resolveKey } from '../../key-access';
import type { KeyRecord } from '../../model/key';
import type { Deps, RequestContext } from '../../ports';

export interface EnableKeyRotationInput {
  readonly KeyId: string;
  readonly RotationPeriodInDays?: number;
}

export type EnableKeyRotationOutput = Record<string, never>;

/** Automatic rotation: never for imported material (AWS), and not offered by this service for AWS_KMS keys. */
export function refuseAutomaticRotation(key: KeyRecord, action: 'EnableKeyRotation' | 'DisableKeyRotation'): never {
  if (key.origin === 'EXTERNAL') {
    throw new UnsupportedOperationException(`${key.arn} origin is EXTERNAL which is not valid for this operation.`);
  }
  throw new UnsupportedOperationException(`${action} is not supported by this service.`);
}

/**
 * Always refused, after the key lookup so that an unknown key still answers NotFoundException.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
 */
export async function enableKeyRotation(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  input: EnableKeyRotationInput,
): Promise<EnableKeyRotationOutput> {
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  return refuseAutomaticRotation(key, 'EnableKeyRotation');
}
