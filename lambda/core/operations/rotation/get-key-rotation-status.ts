import { resolveKey } from '../../key-access';
import { nextRotationDate } from '../../model/automatic-rotation';
import { assertAccepts } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';

export interface GetKeyRotationStatusInput {
  readonly KeyId: string;
}

export interface GetKeyRotationStatusOutput {
  readonly KeyId: string; // the key ARN
  readonly KeyRotationEnabled: boolean;
  /** Only while automatic rotation is enabled. */
  readonly RotationPeriodInDays?: number;
  readonly NextRotationDate?: Date;
}

/**
 * Whether the key rotates automatically, its period and next date, as of now: a rotation that fell due
 * has happened and NextRotationDate is the one after (D73). A key pending deletion reports false and
 * gets its setting back on CancelKeyDeletion; imported keys never rotate automatically. On-demand
 * rotation completes before its call returns (D7), so OnDemandRotationStartDate is never reported.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html
 */
export async function getKeyRotationStatus(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  input: GetKeyRotationStatusInput,
): Promise<GetKeyRotationStatusOutput> {
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  assertAccepts(key, 'Read');
  const rotation = key.automaticRotation;
  if (!rotation || key.state === 'PendingDeletion') return { KeyId: key.arn, KeyRotationEnabled: false };
  return { KeyId: key.arn, KeyRotationEnabled: true, RotationPeriodInDays: rotation.periodInDays, NextRotationDate: nextRotationDate(rotation) };
}
