import { resolveKey } from '../../key-access';
import { aliasArn } from '../../model/arn';
import { liveKeyLookup } from './aliases';
import { filteredPage } from '../listing';
import type { Operation } from '../types';
import { checkRange } from '../validation';

export interface ListAliasesInput {
  /** Only aliases of this key (key ID or ARN). */
  readonly KeyId?: string;
  readonly Limit?: number;
  readonly Marker?: string;
}

export interface AliasListEntry {
  readonly AliasName: string;
  readonly AliasArn: string;
  readonly TargetKeyId: string;
  readonly CreationDate: Date;
  readonly LastUpdatedDate: Date;
}

export interface ListAliasesOutput {
  readonly Aliases: readonly AliasListEntry[];
  /** Only when Truncated. */
  readonly NextMarker?: string;
  readonly Truncated: boolean;
}

/**
 * Aliases of the caller's account and Region in name order, optionally of one key. Aliases whose key
 * is past its deletion date are gone (D17), even before the deletion timer removes them.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html
 */
export const listAliases: Operation<ListAliasesInput, ListAliasesOutput> = async (deps, ctx, input) => {
  const { scope } = ctx;
  const limit = input.Limit ?? 50;
  checkRange(limit, 'limit', 1, 100);
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const keyId = input.KeyId === undefined ? undefined : (await resolveKey(deps, ctx, input.KeyId, { allowAlias: false })).key.keyId;
  const liveKey = liveKeyLookup(deps, scope);
  const page = await filteredPage(
    // Stryker disable next-line ConditionalExpression: `keyId !== undefined` -> true is equivalent: every KeyStore (memory, DynamoDB) reads an undefined key filter as none (`false`, killed by the KeyId tests, shares the name)
    (request) => deps.keys.listAliases(scope, { ...request, ...(keyId !== undefined && { keyId }) }),
    // Stryker disable next-line ConditionalExpression: `input.Marker !== undefined` -> true is equivalent: filteredPage reads an undefined marker as none (`false`, killed by the paging tests, shares the name)
    { limit, ...(input.Marker !== undefined && { marker: input.Marker }) },
    async (alias): Promise<AliasListEntry | undefined> =>
      (await liveKey(alias.targetKeyId))
        ? {
            AliasName: alias.aliasName,
            AliasArn: aliasArn(scope, alias.aliasName),
            TargetKeyId: alias.targetKeyId,
            CreationDate: alias.creationDate,
            LastUpdatedDate: alias.lastUpdatedDate,
          }
        : undefined,
  );
  return page.nextMarker === undefined
    ? { Aliases: page.items, Truncated: false }
    : { Aliases: page.items, NextMarker: page.nextMarker, Truncated: true };
};
