import { AlreadyExistsException, StoreConflictError } from '../../errors';
import { authorizeAlias } from '../../authorization/access';
import { resolveKey } from '../../key-access';
import { aliasArn } from '../../model/arn';
import { assertAccepts } from '../../model/key-state';
import { checkNewAliasName } from './alias-name';
import { findLiveAlias } from './aliases';
import type { Operation } from '../types';

export interface CreateAliasInput {
  readonly AliasName: string;
  /** Key ID or key ARN (not an alias: D18). */
  readonly TargetKeyId: string;
}

export type CreateAliasOutput = Record<string, never>;

/**
 * Creates `alias/...` for a key of the caller's account and Region. The target may be in any state
 * but PendingDeletion. Names are unique per account and Region.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
 */
export const createAlias: Operation<CreateAliasInput, CreateAliasOutput> = async (deps, ctx, input) => {
  const { scope } = ctx;
  checkNewAliasName(input.AliasName);
  authorizeAlias(deps, ctx, aliasArn(scope, input.AliasName));
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.TargetKeyId, { allowAlias: false });
  assertAccepts(key, 'ModifyMetadata');
  const exists = (options?: ErrorOptions) =>
    new AlreadyExistsException(`An alias with the name ${aliasArn(scope, input.AliasName)} already exists`, options);
  if (await findLiveAlias(deps, scope, input.AliasName)) throw exists();
  // A stored alias whose key is past its deletion date is already gone for callers (D17): clear it,
  // unless it was re-pointed meanwhile (then createAlias below finds it and answers AlreadyExists).
  const stale = await deps.keys.getAlias(scope, input.AliasName);
  if (stale) await deps.keys.deleteAlias(scope, input.AliasName, stale.targetKeyId);
  const now = deps.clock.now();
  try {
    await deps.keys.createAlias({ scope, aliasName: input.AliasName, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now });
  } catch (err) {
    // Stryker disable next-line ObjectLiteral: the cause is for the log; the answer is the exception's type and message
    if (err instanceof StoreConflictError) throw exists({ cause: err });
    throw err;
  }
  return {};
};
