/**
 * The header checks of the ciphertext blob (lambda/core/crypto/ciphertext-blob.ts), seen through Decrypt: a blob whose
 * header is not one of ours is InvalidCiphertextException (empty message) before any key is looked up; a blob whose
 * header is well-formed names its key, and a key that is not there is NotFoundException naming it (D17). So a header
 * check that let a malformed blob through would answer NotFoundException for the blobs below.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { encryptToBlob } from '../../../../lambda/core/crypto/ciphertext-blob';
import { keyArn } from '../../../../lambda/core/model/arn';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { memoryDeps, TEST_CTX, TEST_SCOPE } from '../../../support/memory-deps';
import { bytes, failure, newKey } from '../keys/helpers';

const INVALID_CIPHERTEXT = { name: 'InvalidCiphertextException', message: '' };
const KEY_ID_LENGTH = 36;
/** version(1) | keyIdLength(1) | keyId(36) | materialId(32) | iv(12); the ciphertext and a 16-byte tag follow. */
const HEADER_LENGTH = 2 + KEY_ID_LENGTH + 32 + 12;

describe('ciphertext blob header', () => {
  test('a blob of ours naming a key that is not there is NotFoundException; the same blob with a header fault is InvalidCiphertextException', async () => {
    // GIVEN a real blob (plaintext 'hello': 5 bytes of ciphertext), edited to name a well-formed key id that does not exist
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('hello') });
    const missing = randomUUID();
    const blob = Uint8Array.from(CiphertextBlob);
    blob.set(bytes(missing), 2);
    const notFound = { name: 'NotFoundException', message: `Key '${keyArn(TEST_SCOPE, missing)}' does not exist` };
    const decryptBlob = (b: Uint8Array) => failure(decrypt(deps, TEST_CTX, { CiphertextBlob: b }));
    // WHEN / THEN well-formed headers: the whole blob, and the shortest (an empty ciphertext, just the tag)
    expect(blob.length).toBe(HEADER_LENGTH + 5 + 16);
    expect(await decryptBlob(blob)).toMatchObject(notFound);
    expect(await decryptBlob(blob.subarray(0, HEADER_LENGTH + 16))).toMatchObject(notFound);
    // header faults
    const otherVersion = Uint8Array.from(blob);
    otherVersion[0] = 2;
    expect(await decryptBlob(otherVersion)).toMatchObject(INVALID_CIPHERTEXT);
    expect(await decryptBlob(blob.subarray(0, HEADER_LENGTH + 15))).toMatchObject(INVALID_CIPHERTEXT);
    expect(await decryptBlob(blob.subarray(0, HEADER_LENGTH))).toMatchObject(INVALID_CIPHERTEXT);
  });

  test('encryptToBlob refuses a material id that is not 64 hex digits (RangeError)', () => {
    const keyId = randomUUID();
    for (const materialId of ['ab'.repeat(31), 'ab'.repeat(33), 'z'.repeat(64)]) {
      expect(() => encryptToBlob(new Uint8Array(32), { keyId, materialId }, new Uint8Array(12), bytes('x'), undefined)).toThrow(
        new RangeError('a material id is 64 hex digits'),
      );
    }
  });
});
