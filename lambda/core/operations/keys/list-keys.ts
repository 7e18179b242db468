import { isDeletionDue } from '../../model/key-state';
import { filteredPage } from '../listing';
import type { Operation } from '../types';
import { checkRange } from '../validation';

export interface ListKeysInput {
  readonly Limit?: number;
  readonly Marker?: string;
}

export interface KeyListEntry {
  readonly KeyId: string;
  readonly KeyArn: string;
}

export interface ListKeysOutput {
  readonly Keys: readonly KeyListEntry[];
  readonly Truncated: boolean;
  /** Only when Truncated. */
  readonly NextMarker?: string;
}

/**
 * Keys of the caller's account and Region in every state, except keys past their deletion date (D17).
 * Markers are the store's (InvalidMarkerException for one it did not issue).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html
 */
export const listKeys: Operation<ListKeysInput, ListKeysOutput> = async (deps, ctx, input) => {
  const limit = input.Limit ?? 100;
  checkRange(limit, 'limit', 1, 1000);
  const now = deps.clock.now();
  const page = await filteredPage(
    (request) => deps.keys.listKeys(ctx.scope, request),
    // Stryker disable next-line ConditionalExpression: `input.Marker !== undefined` -> true is equivalent: filteredPage reads an undefined marker as none (`false`, killed by the paging tests, shares the name)
    { limit, ...(input.Marker !== undefined && { marker: input.Marker }) },
    async (key) => (isDeletionDue(key, now) ? undefined : { KeyId: key.keyId, KeyArn: key.arn }),
  );
  return page.nextMarker === undefined
    ? { Keys: page.items, Truncated: false }
    : { Keys: page.items, Truncated: true, NextMarker: page.nextMarker };
};
