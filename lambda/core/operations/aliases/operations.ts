import type { AnyOperation } from '../types';
import { createAlias } from './create-alias';
import { deleteAlias } from './delete-alias';
import { listAliases } from './list-aliases';
import { updateAlias } from './update-alias';

/** Alias names for keys. */
export const aliasOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['CreateAlias', createAlias],
  ['UpdateAlias', updateAlias],
  ['DeleteAlias', deleteAlias],
  ['ListAliases', listAliases],
]);
