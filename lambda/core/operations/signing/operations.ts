import type { AnyOperation } from '../types';
import { getPublicKey } from './get-public-key';
import { sign } from './sign';
import { verify } from './verify';

/** Asymmetric signing keys: signatures and the public key. */
export const signingOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['Sign', sign],
  ['Verify', verify],
  ['GetPublicKey', getPublicKey],
]);
