/**
 * Wraps key material the way a KMS client does before ImportKeyMaterial (spec §5.2), using only
 * node:crypto: RSA-OAEP directly, or RSA-OAEP of an ephemeral AES key followed by RFC 5649 KWP.
 */
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';

export type WrappingAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';

const KWP_IV = Buffer.from('A65959A6', 'hex'); // RFC 5649 alternative initial value

export function wrapMaterial(publicKeyDer: Uint8Array, algorithm: WrappingAlgorithm, material: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaepHash = algorithm.endsWith('SHA_256') ? 'sha256' : 'sha1';
  const rsa = (data: Uint8Array) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  if (algorithm.startsWith('RSAES_OAEP')) return new Uint8Array(rsa(material));
  const aesKey = randomBytes(32);
  const kwp = createCipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
  const wrapped = Buffer.concat([kwp.update(material), kwp.final()]);
  return new Uint8Array(Buffer.concat([rsa(aesKey), wrapped]));
}
