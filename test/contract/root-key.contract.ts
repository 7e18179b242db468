/**
 * The RootKey contract: every RootKey adapter must pass it. `makeRootKey` returns a root key; two
 * calls return two independent keys.
 */
import { describe, expect, test } from 'vitest';
import { UnwrapError } from '../../lambda/core/errors';
import type { RootKey, WrapContext } from '../../lambda/core/ports';

const CONTEXT: WrapContext = { purpose: 'key-material', account: '111122223333', region: 'us-east-1', keyId: 'k1', materialId: 'm1' };
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);

export function rootKeyContract(name: string, makeRootKey: () => Promise<RootKey>): void {
  describe(`RootKey contract: ${name}`, () => {
    test.each([0, 1, 32, 1000])('unwraps what it wrapped (%i bytes)', async (length) => {
      // GIVEN
      const root = await makeRootKey();
      const secret = bytes(length);
      // WHEN
      const wrapped = await root.wrap(secret, CONTEXT);
      // THEN
      expect(await root.unwrap(wrapped, { ...CONTEXT })).toEqual(secret);
    });

    test('the context is order-insensitive', async () => {
      const root = await makeRootKey();
      const reversed = Object.fromEntries(Object.entries(CONTEXT).reverse());
      expect(await root.unwrap(await root.wrap(bytes(32), CONTEXT), reversed)).toEqual(bytes(32));
    });

    test('wrapping the same secret twice gives different blobs, neither containing the secret', async () => {
      const root = await makeRootKey();
      const secret = bytes(32);
      const a = Buffer.from(await root.wrap(secret, CONTEXT));
      const b = Buffer.from(await root.wrap(secret, CONTEXT));
      expect(a.equals(b)).toBe(false);
      expect(a.includes(Buffer.from(secret))).toBe(false);
    });

    test.each<[string, WrapContext]>([
      ['a different value', { ...CONTEXT, materialId: 'm2' }],
      ['an extra pair', { ...CONTEXT, extra: '' }],
      ['a missing pair', { purpose: 'key-material', account: '111122223333', region: 'us-east-1', keyId: 'k1' }],
      ['no context', {}],
      ['values shifted between pairs', { ...CONTEXT, keyId: 'k1m', materialId: '1' }],
      // A blob wrapped for one purpose never opens as another: key material is not an import token's private key.
      ['another purpose', { ...CONTEXT, purpose: 'import-token' }],
      ['the material-id key purpose', { ...CONTEXT, purpose: 'material-id-key' }],
    ])('fails with UnwrapError when the context has %s', async (_, context) => {
      const root = await makeRootKey();
      const wrapped = await root.wrap(bytes(32), CONTEXT);
      await expect(root.unwrap(wrapped, context)).rejects.toBeInstanceOf(UnwrapError);
    });

    test('fails with UnwrapError for a tampered blob, wherever the change is', async () => {
      const root = await makeRootKey();
      const wrapped = await root.wrap(bytes(32), CONTEXT);
      for (const position of [0, 1, Math.floor(wrapped.length / 2), wrapped.length - 1]) {
        const tampered = Uint8Array.from(wrapped);
        tampered[position]! ^= 0x01;
        await expect(root.unwrap(tampered, CONTEXT)).rejects.toBeInstanceOf(UnwrapError);
      }
    });

    test.each([
      ['truncated', (w: Uint8Array) => w.subarray(0, w.length - 1)],
      ['extended', (w: Uint8Array) => Uint8Array.from([...w, 0])],
      ['empty', () => new Uint8Array(0)],
      ['random bytes', (w: Uint8Array) => bytes(w.length)],
    ])('fails with UnwrapError for a %s blob', async (_, mangle) => {
      const root = await makeRootKey();
      const wrapped = await root.wrap(bytes(32), CONTEXT);
      await expect(root.unwrap(mangle(wrapped), CONTEXT)).rejects.toBeInstanceOf(UnwrapError);
    });

    test('fails with UnwrapError for a blob wrapped by another root key', async () => {
      const [mine, other] = [await makeRootKey(), await makeRootKey()];
      const wrapped = await other.wrap(bytes(32), CONTEXT);
      await expect(mine.unwrap(wrapped, CONTEXT)).rejects.toBeInstanceOf(UnwrapError);
    });
  });
}
