import { resolveKey } from '../../key-access';
import { stopIfDryRun } from '../cryptography/crypto-support';
import type { Operation } from '../types';
import { findGrant } from './grants';

export interface RevokeGrantInput {
  readonly KeyId: string;
  readonly GrantId: string;
  readonly DryRun?: boolean;
}

export type RevokeGrantOutput = Record<string, never>;

/**
 * Deletes a grant by key (ID or ARN) and grant id; no grant token. Every key state.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html
 */
export const revokeGrant: Operation<RevokeGrantInput, RevokeGrantOutput> = async (deps, ctx, input) => {
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  await findGrant(deps, key, input.GrantId);
  stopIfDryRun(input.DryRun);
  await deps.keys.deleteGrant(key.scope, key.keyId, input.GrantId);
  return {};
};
