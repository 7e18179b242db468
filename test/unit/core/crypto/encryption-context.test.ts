/**
 * Encryption-context canonicalization (lambda/core/crypto/encryption-context.ts): a ciphertext decrypts with the same
 * pairs given in any order, and only with them. The canonical bytes are authenticated in every blob, so they are a
 * stored format: a blob made by an earlier build must still decrypt.
 */
import { describe, expect, test } from 'vitest';
import { canonicalContext } from '../../../../lambda/core/crypto/encryption-context';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { bytes, failure, newKey, text } from '../keys/helpers';

/** Keys that one is a prefix of another, that share first bytes, and that UTF-16 and UTF-8 order differently. */
const KEYS = ['ab', 'a', 'abc', 'aa', 'b', '\u{10000}', '\uffff', 'ba'];
const contextOf = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, `value of ${k}`]));

describe('encryption context canonicalization', () => {
  test('a context decrypts when given in another key order, whichever order encrypted it', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    const orders = [KEYS, [...KEYS].reverse(), [...KEYS].sort(), [...KEYS.slice(4), ...KEYS.slice(0, 4)]];
    for (const encryptedWith of orders) {
      const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('p'), EncryptionContext: contextOf(encryptedWith) });
      for (const decryptedWith of orders) {
        // WHEN / THEN
        const out = await decrypt(deps, TEST_CTX, { CiphertextBlob, EncryptionContext: contextOf(decryptedWith) });
        expect(text(out.Plaintext), `${encryptedWith.join()} then ${decryptedWith.join()}`).toBe('p');
      }
    }
  });

  test('a context with the same keys and values paired differently does not decrypt', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('p'), EncryptionContext: { a: '1', ab: '2' } });
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, EncryptionContext: { a: '2', ab: '1' } }))).toMatchObject({ name: 'InvalidCiphertextException', message: '' });
  });

  test('the canonical bytes: a count, then each pair sorted by UTF-8 key, every string prefixed by its UTF-8 length (u32, big-endian)', () => {
    expect(Buffer.from(canonicalContext(undefined)).toString('hex')).toBe('00000000');
    expect(Buffer.from(canonicalContext({})).toString('hex')).toBe('00000000');
    expect(Buffer.from(canonicalContext({ ab: 'c', a: 'é' })).toString('hex')).toBe(
      ['00000002', '00000001', '61', '00000002', 'c3a9', '00000002', '6162', '00000001', '63'].join(''),
    );
  });
});
