/**
 * Every KMS action this service implements, by action name. Each family folder lists its own
 * actions in `<family>/operations.ts`; a new family adds one line here.
 */
import { aliasOperations } from './aliases/operations';
import { cryptographyOperations } from './cryptography/operations';
import { deletionOperations } from './deletion/operations';
import { importOperations } from './import/operations';
import { keyOperations } from './keys/operations';
import { policyOperations } from './policies/operations';
import { rotationOperations } from './rotation/operations';
import { tagOperations } from './tags/operations';
import type { AnyOperation } from './types';

const FAMILIES: readonly ReadonlyMap<string, AnyOperation>[] = [
  keyOperations,
  importOperations,
  rotationOperations,
  deletionOperations,
  cryptographyOperations,
  aliasOperations,
  tagOperations,
  policyOperations,
];

/** A Map: header values never reach a prototype. Throws at start-up if two families claim one action. */
export function allOperations(): ReadonlyMap<string, AnyOperation> {
  const merged = new Map<string, AnyOperation>();
  for (const family of FAMILIES) {
    for (const [name, operation] of family) {
      if (merged.has(name)) throw new Error(`operation ${name} is registered twice`);
      merged.set(name, operation);
    }
  }
  return merged;
}
