import { ValidationException } from '../../errors';
import { rejectCustomKeyStore, rejectRecipient, type RecipientInfo } from './crypto-support';
import type { Operation } from '../types';
import { checkRange } from '../validation';

export interface GenerateRandomInput {
  readonly NumberOfBytes?: number;
  readonly CustomKeyStoreId?: string;
  readonly Recipient?: RecipientInfo;
}

export interface GenerateRandomOutput {
  readonly Plaintext: Uint8Array;
}

/**
 * 1..1024 random bytes from the RandomBytes port. No key is involved.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html
 */
export const generateRandom: Operation<GenerateRandomInput, GenerateRandomOutput> = async (deps, _ctx, input) => {
  rejectCustomKeyStore(input.CustomKeyStoreId);
  rejectRecipient(input.Recipient);
  if (input.NumberOfBytes === undefined) throw new ValidationException('NumberOfBytes is required.');
  checkRange(input.NumberOfBytes, 'numberOfBytes', 1, 1024);
  return { Plaintext: deps.random(input.NumberOfBytes) };
};
