import { resolveKey } from '../../key-access';
import { assertAccepts } from '../../model/key-state';
import { DEFAULT_POLICY_NAME } from '../../policy/key-policy';
import type { Operation } from '../types';

export interface ListKeyPoliciesInput {
  readonly KeyId: string;
  readonly Limit?: number;
  readonly Marker?: string;
}

export interface ListKeyPoliciesOutput {
  readonly PolicyNames: readonly string[];
  readonly Truncated: boolean;
}

/**
 * Always `["default"]`, never truncated. No marker is ever issued, so a caller's marker can only point
 * past the one name: it gets an empty page (ListKeyPolicies has no InvalidMarkerException; D65).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html
 */
export const listKeyPolicies: Operation<ListKeyPoliciesInput, ListKeyPoliciesOutput> = async (deps, ctx, input) => {
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  assertAccepts(key, 'Read');
  return { PolicyNames: input.Marker === undefined ? [DEFAULT_POLICY_NAME] : [], Truncated: false };
};
