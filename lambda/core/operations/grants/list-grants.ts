import { resolveKey } from '../../key-access';
import { assertAccepts } from '../../model/key-state';
import type { Operation } from '../types';
import { checkRange } from '../validation';
import { checkGrantId, grantListEntry, grantsPage, type ListGrantsOutput } from './grants';

export interface ListGrantsInput {
  readonly KeyId: string;
  readonly Limit?: number;
  readonly Marker?: string;
  readonly GrantId?: string;
  readonly GranteePrincipal?: string;
}

/**
 * The key's grants in grant id order (as AWS's example lists them), optionally one grant or one grantee's.
 * Key ID or ARN; every key state. Limit 1–100, default 50.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html
 */
export const listGrants: Operation<ListGrantsInput, ListGrantsOutput> = async (deps, ctx, input) => {
  const limit = input.Limit ?? 50;
  checkRange(limit, 'limit', 1, 100);
  if (input.GrantId !== undefined) checkGrantId(input.GrantId);
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  assertAccepts(key, 'Read');
  if (input.GrantId !== undefined) {
    const grant = await deps.keys.getGrant(key.scope, key.keyId, input.GrantId);
    const matches = grant && (input.GranteePrincipal === undefined || grant.granteePrincipal === input.GranteePrincipal);
    return grantsPage(matches ? [grantListEntry(grant, key.arn)] : [], undefined);
  }
  const page = await deps.keys.listGrants(key.scope, key.keyId, {
    limit,
    // Stryker disable next-line ConditionalExpression: every KeyStore (memory, DynamoDB) reads an undefined marker as none
    ...(input.Marker !== undefined && { marker: input.Marker }),
    // Stryker disable next-line ConditionalExpression: every KeyStore (memory, DynamoDB) reads an undefined grantee filter as none
    ...(input.GranteePrincipal !== undefined && { granteePrincipal: input.GranteePrincipal }),
  });
  return grantsPage(page.items.map((g) => grantListEntry(g, key.arn)), page.nextMarker);
};
