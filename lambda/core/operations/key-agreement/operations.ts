import type { AnyOperation } from '../types';
import { deriveSharedSecret } from './derive-shared-secret';

/** KEY_AGREEMENT keys. */
export const keyAgreementOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([['DeriveSharedSecret', deriveSharedSecret]]);
