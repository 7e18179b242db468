import type { AnyOperation } from '../types';
import { generateMac } from './generate-mac';
import { verifyMac } from './verify-mac';

/** HMAC keys. */
export const macOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['GenerateMac', generateMac],
  ['VerifyMac', verifyMac],
]);
