/**
 * A key family's module afresh (vi.resetModules), so no earlier test of this worker has loaded what its
 * load() imports (@noble/curves' curve tables, @noble/post-quantum): a test sees the family as it is
 * before load(), and the module-level code runs inside the test that asked for it. With the spec's
 * entry and a key the family generated (generating needs no load).
 */
import { randomBytes } from 'node:crypto';
import { vi } from 'vitest';
import type { KeyFamily } from '../../lambda/core/crypto/families/family';
import { type KeySpecEntry, keySpecEntry } from '../../lambda/core/crypto/key-specs';
import type { KeySpec } from '../../lambda/core/model/key';

const MODULES = {
  ecc: async () => (await import('../../lambda/core/crypto/families/ecc')).eccFamily,
  'ml-dsa': async () => (await import('../../lambda/core/crypto/families/ml-dsa')).mlDsaFamily,
};

/** Random bytes as the families take them. */
export const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

export async function freshFamilyKey(
  module: keyof typeof MODULES,
  spec: KeySpec,
  options: { readonly loaded?: boolean } = {},
): Promise<{ family: Required<KeyFamily>; entry: KeySpecEntry; material: Uint8Array }> {
  vi.resetModules();
  const family = (await MODULES[module]()) as Required<KeyFamily>;
  const entry = keySpecEntry(spec);
  if (options.loaded) await family.load(entry);
  return { family, entry, material: await family.generate(entry, random) };
}
