import { authorizeAlias, authorizeKey } from '../../authorization/access';
import { aliasArn } from '../../model/arn';
import { checkAliasName } from './alias-name';
import { requireLiveAlias } from './aliases';
import type { Operation } from '../types';

export interface DeleteAliasInput {
  readonly AliasName: string;
}

export type DeleteAliasOutput = Record<string, never>;

/**
 * Deletes an alias, whatever the state of its key. An unknown alias (or one whose key is past its
 * deletion date, D17) is `NotFoundException: Alias <alias ARN> is not found.`
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteAlias.html
 */
export const deleteAlias: Operation<DeleteAliasInput, DeleteAliasOutput> = async (deps, ctx, input) => {
  checkAliasName(input.AliasName);
  authorizeAlias(deps, ctx, aliasArn(ctx.scope, input.AliasName));
  const { target } = await requireLiveAlias(deps, ctx.scope, input.AliasName);
  await authorizeKey(deps, ctx, target);
  await deps.keys.deleteAlias(ctx.scope, input.AliasName);
  return {};
};
