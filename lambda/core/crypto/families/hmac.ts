/** HMAC_224/256/384/512: raw key bytes, RFC 2104 HMAC with the spec's hash (spec §7). */
import { createHmac } from 'node:crypto';
import { IncorrectKeyMaterialException } from '../../errors';
import { MAC_ALGORITHMS, type KeySpecEntry } from '../key-specs';
import type { KeyFamily } from './family';

function lengths(entry: KeySpecEntry): { min: number; max: number } {
  // Stryker disable next-line OptionalChaining: every HMAC spec has an import rule
  return { min: entry.importRule?.minBytes ?? 0, max: entry.importRule?.maxBytes ?? 0 };
}

export const hmacFamily: KeyFamily = {
  /** D43: generated keys are as long as the hash output, the shortest length AWS imports. */
  async generate(entry, random) {
    return random(lengths(entry).min);
  },
  readImported(entry, plaintext) {
    const { min, max } = lengths(entry);
    if (plaintext.length < min || plaintext.length > max) {
      throw new IncorrectKeyMaterialException(
        `The key material for a ${entry.keySpec} KMS key must be from ${min} to ${max} bytes (${min * 8} to ${max * 8} bits); hash a longer key first.`,
      );
    }
    return Uint8Array.from(plaintext);
  },
  identity(_entry, material) {
    return material;
  },
  mac(_entry, material, algorithm, message) {
    return new Uint8Array(createHmac(MAC_ALGORITHMS[algorithm].hash, material).update(message).digest());
  },
};
