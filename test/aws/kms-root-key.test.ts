/** KmsRootKey against KMS on a moto server: the wrap context is the encryption context. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KmsRootKey } from '../../lambda/adapters/kms-root-key/kms-root-key';
import { UnwrapError } from '../../lambda/core/errors';
import { type MotoAws, createRootKey, startMotoAws } from './support/moto-aws';

const CONTEXT = { purpose: 'key-material', account: '111122223333', region: 'us-east-1', keyId: 'k1', materialId: 'a'.repeat(64) };
const SECRET = new Uint8Array(32).fill(7);

describe('KmsRootKey on moto', () => {
  let aws: MotoAws;
  let rootKey: KmsRootKey;
  beforeAll(async () => {
    aws = await startMotoAws();
    rootKey = new KmsRootKey(aws.kms, await createRootKey(aws.kms));
  });
  afterAll(async () => aws?.stop());

  test('unwraps what it wrapped, given the same context', async () => {
    // GIVEN
    const wrapped = await rootKey.wrap(SECRET, CONTEXT);
    // WHEN
    const plain = await rootKey.unwrap(wrapped, { ...CONTEXT });
    // THEN
    expect(Buffer.from(plain)).toEqual(Buffer.from(SECRET));
    expect(Buffer.from(wrapped).includes(Buffer.from(SECRET))).toBe(false);
  });

  test('fails with UnwrapError when any part of the context differs', async () => {
    const wrapped = await rootKey.wrap(SECRET, CONTEXT);
    for (const changed of [{ ...CONTEXT, materialId: 'b'.repeat(64) }, { ...CONTEXT, account: '444455556666' }, { ...CONTEXT, region: 'eu-west-1' }, { purpose: 'key-material' }]) {
      await expect(rootKey.unwrap(wrapped, changed)).rejects.toBeInstanceOf(UnwrapError);
    }
  });

  test('fails for a blob wrapped under another KMS key', async () => {
    // GIVEN
    const other = new KmsRootKey(aws.kms, await createRootKey(aws.kms));
    const wrapped = await other.wrap(SECRET, CONTEXT);
    // WHEN / THEN: AWS answers IncorrectKeyException (→ UnwrapError); moto answers AccessDeniedException.
    await expect(rootKey.unwrap(wrapped, CONTEXT)).rejects.toSatisfy(
      (err: Error) => err instanceof UnwrapError || err.name === 'AccessDeniedException',
    );
  });

  test('fails with UnwrapError for a tampered blob', async () => {
    const wrapped = await rootKey.wrap(SECRET, CONTEXT);
    const tampered = Uint8Array.from(wrapped);
    tampered[tampered.length - 1]! ^= 1;
    await expect(rootKey.unwrap(tampered, CONTEXT)).rejects.toBeInstanceOf(UnwrapError);
  });
});
