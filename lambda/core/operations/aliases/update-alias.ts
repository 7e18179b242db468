import { StoreConflictError } from '../../errors';
import { authorizeAlias, authorizeKey } from '../../authorization/access';
import { resolveKey } from '../../key-access';
import { aliasArn } from '../../model/arn';
import { assertAccepts } from '../../model/key-state';
import { checkSettableAliasName } from './alias-name';
import { requireLiveAlias } from './aliases';
import type { Operation } from '../types';

export interface UpdateAliasInput {
  readonly AliasName: string;
  /** Key ID or key ARN of the new target (not an alias: D18). */
  readonly TargetKeyId: string;
}

export type UpdateAliasOutput = Record<string, never>;

/**
 * Points an existing alias at another key. The old target may be pending deletion; the new one may not.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateAlias.html
 */
export const updateAlias: Operation<UpdateAliasInput, UpdateAliasOutput> = async (deps, ctx, input) => {
  const { scope } = ctx;
  checkSettableAliasName(input.AliasName);
  authorizeAlias(deps, ctx, aliasArn(scope, input.AliasName));
  const { alias, target } = await requireLiveAlias(deps, scope, input.AliasName);
  await authorizeKey(deps, ctx, target); // the key the alias leaves needs kms:UpdateAlias too
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.TargetKeyId, { allowAlias: false });
  assertAccepts(key, 'ModifyMetadata');
  try {
    await deps.keys.updateAlias({ ...alias, targetKeyId: key.keyId, lastUpdatedDate: deps.clock.now() });
  } catch (err) {
    // Deleted between our read and write.
    // Stryker disable next-line ConditionalExpression: `true` is equivalent: for any other error the read finds the alias live and the same error is thrown (`false`, killed by the deleted-meanwhile test, shares the name)
    if (err instanceof StoreConflictError) await requireLiveAlias(deps, scope, input.AliasName);
    throw err;
  }
  return {};
};
