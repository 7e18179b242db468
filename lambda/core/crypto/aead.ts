/** AES-256-GCM with a 96-bit IV and a 128-bit tag: the only cipher the core uses for data. */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;

export interface Sealed {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

// GCM is a stream mode: update() returns every ciphertext (or plaintext) byte and final() none,
// so no result needs concatenating.

/** createCipheriv/createDecipheriv only read their options: one object for every call. Only open() needs the length fixed (GCM's default tag is 16 bytes too; aead.test.ts). */
const GCM_OPTIONS = { authTagLength: TAG_LENGTH } as const;

export function seal(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  const cipher = createCipheriv('aes-256-gcm', key, iv, GCM_OPTIONS);
  cipher.setAAD(aad);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** Seals into `out`: the ciphertext at `offset`, the tag right after it (`out` has room for both). */
export function sealInto(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, offset: number): void {
  const { ciphertext, tag } = seal(key, iv, plaintext, aad);
  out.set(ciphertext, offset);
  out.set(tag, offset + ciphertext.length);
}

/** Returns undefined when authentication fails (wrong key, AAD, IV or tampered bytes). */
export function open(key: Uint8Array, iv: Uint8Array, sealed: Sealed, aad: Uint8Array): Uint8Array | undefined {
  let plaintext: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, GCM_OPTIONS);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    plaintext = decipher.update(sealed.ciphertext);
    decipher.final(); // throws unless the tag authenticates everything
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength); // a view, not a copy
  } catch /* Stryker disable next-line BlockStatement: not equivalent (unauthenticated bytes stay in memory until collected), but no port sees this local buffer */ {
    plaintext?.fill(0); // never keep bytes that did not authenticate
    return undefined;
  }
}
