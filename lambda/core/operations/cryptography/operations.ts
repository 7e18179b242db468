import type { AnyOperation } from '../types';
import { decrypt } from './decrypt';
import { encrypt } from './encrypt';
import { generateDataKey } from './generate-data-key';
import { generateDataKeyPair } from './generate-data-key-pair';
import { generateDataKeyPairWithoutPlaintext } from './generate-data-key-pair-without-plaintext';
import { generateDataKeyWithoutPlaintext } from './generate-data-key-without-plaintext';
import { generateRandom } from './generate-random';
import { reEncrypt } from './re-encrypt';

/** Encryption, data keys, data key pairs and random bytes. */
export const cryptographyOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['Encrypt', encrypt],
  ['Decrypt', decrypt],
  ['ReEncrypt', reEncrypt],
  ['GenerateDataKey', generateDataKey],
  ['GenerateDataKeyWithoutPlaintext', generateDataKeyWithoutPlaintext],
  ['GenerateDataKeyPair', generateDataKeyPair],
  ['GenerateDataKeyPairWithoutPlaintext', generateDataKeyPairWithoutPlaintext],
  ['GenerateRandom', generateRandom],
]);
