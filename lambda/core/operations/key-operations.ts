import type { AnyOperation } from './types';

/** Key, deletion, cryptographic, alias and tag actions, by KMS action name. */
export const keyOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([]);
