/**
 * What a Decrypt's CloudTrail record says about its request (D102): the key that decrypted and the
 * algorithm are added whether or not the request named them, and a member the request named keeps its
 * place, so the record's text (what LookupEvents returns) has its members in this order.
 */
import { describe, expect, test } from 'vitest';
import { callFields } from '../../../../lambda/adapters/kms-json/audit-fields';
import { kmsModel } from '../../../../lambda/adapters/kms-json/model';

const SCOPE = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const decryptParameters = (input: Record<string, unknown>) =>
  JSON.stringify(
    callFields({
      model: kmsModel,
      action: 'Decrypt',
      scope: SCOPE,
      inputShape: 'DecryptRequest',
      outputShape: 'DecryptResponse',
      input: { CiphertextBlob: Buffer.alloc(32, 1), ...input },
      succeeded: true,
      output: { KeyId: KEY_ARN, Plaintext: Buffer.alloc(16, 2), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      keys: [{ type: 'AWS::KMS::Key', arn: KEY_ARN }],
    }).requestParameters,
  );

describe('callFields: Decrypt', () => {
  test('a request that names neither the key nor the algorithm: both added, after its members', () => {
    expect(decryptParameters({ EncryptionContext: { Department: 'IT' } })).toBe(
      `{"encryptionContext":{"Department":"IT"},"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":"${KEY_ARN}"}`,
    );
  });

  test('a request that names the key (by alias) and the algorithm: the key that decrypted, in the place the request gave it', () => {
    expect(decryptParameters({ KeyId: 'alias/app', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', EncryptionContext: { Department: 'IT' } })).toBe(
      `{"encryptionContext":{"Department":"IT"},"keyId":"${KEY_ARN}","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`,
    );
  });
});
