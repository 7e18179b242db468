import type { AnyOperation } from '../types';
import { getKeyPolicy } from './get-key-policy';
import { listKeyPolicies } from './list-key-policies';
import { putKeyPolicy } from './put-key-policy';

/** The key policy: stored with the key and returned as written (not enforced yet). */
export const policyOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['GetKeyPolicy', getKeyPolicy],
  ['PutKeyPolicy', putKeyPolicy],
  ['ListKeyPolicies', listKeyPolicies],
]);
