import { importOperations } from '../../core/operations/import-operations';
import { keyOperations } from '../../core/operations/key-operations';
import type { AnyOperation } from '../../core/operations/types';

/** Every KMS action this service implements, by action name. A Map: header values never reach a prototype. */
export function allOperations(): ReadonlyMap<string, AnyOperation> {
  const merged = new Map<string, AnyOperation>(importOperations);
  for (const [name, operation] of keyOperations) {
    if (merged.has(name)) throw new Error(`operation ${name} is registered twice`);
    merged.set(name, operation);
  }
  return merged;
}
