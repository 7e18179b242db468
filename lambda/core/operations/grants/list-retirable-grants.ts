import { loadKey } from '../../key-access';
import { keyArn } from '../../model/arn';
import { filteredPage } from '../listing';
import type { Operation } from '../types';
import { checkRange } from '../validation';
import { grantListEntry, grantsPage, type GrantListEntry, type ListGrantsOutput } from './grants';

export interface ListRetirableGrantsInput {
  readonly RetiringPrincipal: string;
  readonly Limit?: number;
  readonly Marker?: string;
}

/**
 * Grants on the caller's keys (this account and Region) whose retiring principal is the one given, in
 * key id then grant id order; grants of a key past its deletion date are gone with it (D71).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ListRetirableGrants.html
 */
export const listRetirableGrants: Operation<ListRetirableGrantsInput, ListGrantsOutput> = async (deps, ctx, input) => {
  const limit = input.Limit ?? 50;
  checkRange(limit, 'limit', 1, 100);
  const live = new Map<string, Promise<boolean>>();
  const isLive = (keyId: string) => {
    let known = live.get(keyId);
    // Stryker disable next-line ConditionalExpression: a cache only: loading the key again gives the same answer
    if (!known) live.set(keyId, (known = loadKey(deps, ctx.scope, keyId).then(Boolean)));
    return known;
  };
  const page = await filteredPage(
    (request) => deps.keys.listRetirableGrants(ctx.scope, input.RetiringPrincipal, request),
    // Stryker disable next-line ConditionalExpression: `input.Marker !== undefined` -> true is equivalent: filteredPage reads an undefined marker as none (`false`, killed by the paging tests, shares the name)
    { limit, ...(input.Marker !== undefined && { marker: input.Marker }) },
    async (grant): Promise<GrantListEntry | undefined> => ((await isLive(grant.keyId)) ? grantListEntry(grant, keyArn(ctx.scope, grant.keyId)) : undefined),
  );
  return grantsPage(page.items, page.nextMarker);
};
