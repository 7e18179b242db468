/**
 * The key pairs of the key families, DER-encoded, through the process-wide bounded generator (D90):
 * off the event loop, and never more at once than leaves libuv's pool free for storage I/O.
 */
import { generateKeyPair } from '../key-pair-generation';

export type KeyPairRequest =
  | { readonly type: 'rsa'; readonly modulusLength: number }
  | { readonly type: 'ec'; readonly namedCurve: string }
  | { readonly type: 'ed25519' };

export interface DerKeyPair {
  /** DER X.509 SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  /** DER PKCS#8 PrivateKeyInfo. Secret: the caller wraps or returns it, then zeroes it. */
  readonly privateKey: Uint8Array;
}

/** A fresh key pair: RSA with e = 65537, EC on a named curve, or Ed25519. */
export async function generateDerKeyPair(request: KeyPairRequest): Promise<DerKeyPair> {
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'der' } as const;
  // No copies: the caller's fill(0) wipes the one private buffer.
  if (request.type === 'rsa') {
    return generateKeyPair('rsa', { modulusLength: request.modulusLength, publicExponent: 0x10001, publicKeyEncoding, privateKeyEncoding });
  }
  if (request.type === 'ec') return generateKeyPair('ec', { namedCurve: request.namedCurve, publicKeyEncoding, privateKeyEncoding });
  return generateKeyPair('ed25519', { publicKeyEncoding, privateKeyEncoding });
}
