import { resolveKey } from '../../key-access';
import { keyMetadata, type KeyMetadata } from './key-metadata';
import type { Operation } from '../types';

export interface DescribeKeyInput {
  readonly KeyId: string;
  readonly GrantTokens?: readonly string[];
}

export interface DescribeKeyOutput {
  readonly KeyMetadata: KeyMetadata;
}

/**
 * The key as it is now (asOf): an expired material already shows as deleted, a key past its
 * deletion date is NotFoundException. Any of the four key forms; every key state.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
 */
export const describeKey: Operation<DescribeKeyInput, DescribeKeyOutput> = async (deps, ctx, input) => {
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: true });
  return { KeyMetadata: keyMetadata(key) };
};
