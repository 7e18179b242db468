import type { AnyOperation } from './types';

/** The imported-material and rotation actions, by KMS action name. */
export const importOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([]);
