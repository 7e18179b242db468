import { resolveKey } from '../../key-access';
import { assertAccepts } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';

export interface GetKeyRotationStatusInput {
  readonly KeyId: string;
}

export interface GetKeyRotationStatusOutput {
  readonly KeyId: string; // the key ARN
  readonly KeyRotationEnabled: boolean;
}

/**
 * Automatic rotation is never on: imported material cannot rotate automatically, and this service does
 * not rotate AWS_KMS keys on a schedule. On-demand rotation completes before its call returns (D7), so
 * OnDemandRotationStartDate is never reported.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html
 */
export async function getKeyRotationStatus(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  input: GetKeyRotationStatusInput,
): Promise<GetKeyRotationStatusOutput> {
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  assertAccepts(key, 'Read');
  return { KeyId: key.arn, KeyRotationEnabled: false };
}
