/**
 * The ciphertext blob this service returns from Encrypt and GenerateDataKey (design decision 4):
 *
 *   version(1) | keyIdLength(1) | keyId(ascii) | materialId(32, raw) | iv(12) | ciphertext | tag(16)
 *
 * The header (everything before the ciphertext) is authenticated as AAD together with the
 * canonical encryption context, so a blob cannot be re-pointed at another key or material.
 * Decrypt picks the material named in the blob; it never tries every material.
 */
import { IV_LENGTH, TAG_LENGTH, open, seal } from './aead';
import { canonicalContext, type EncryptionContext } from './encryption-context';

const VERSION = 1;
const MATERIAL_ID_BYTES = 32;
const ascii = new TextEncoder();
const asciiDecoder = new TextDecoder();

export interface BlobHeader {
  readonly keyId: string;
  /** 64 lower-case hex. */
  readonly materialId: string;
}

export interface ParsedBlob extends BlobHeader {
  readonly header: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

function aad(header: Uint8Array, context: EncryptionContext | undefined): Uint8Array {
  return Buffer.concat([header, canonicalContext(context)]);
}

export function encryptToBlob(
  material: Uint8Array,
  header: BlobHeader,
  iv: Uint8Array,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Uint8Array {
  const keyId = ascii.encode(header.keyId);
  const head = Buffer.concat([
    Uint8Array.of(VERSION, keyId.length),
    keyId,
    Buffer.from(header.materialId, 'hex'),
    iv,
  ]);
  const sealed = seal(material, iv, plaintext, aad(head, context));
  return new Uint8Array(Buffer.concat([head, sealed.ciphertext, sealed.tag]));
}

/** Reads the header of a blob; undefined if it is not one of ours (any garbage, any length). */
export function parseBlob(blob: Uint8Array): ParsedBlob | undefined {
  if (blob.length < 2 || blob[0] !== VERSION) return undefined;
  const keyIdLength = blob[1]!;
  const headerLength = 2 + keyIdLength + MATERIAL_ID_BYTES + IV_LENGTH;
  if (keyIdLength === 0 || blob.length < headerLength + TAG_LENGTH) return undefined;
  const keyId = asciiDecoder.decode(blob.subarray(2, 2 + keyIdLength));
  const materialId = Buffer.from(blob.subarray(2 + keyIdLength, 2 + keyIdLength + MATERIAL_ID_BYTES)).toString('hex');
  return {
    keyId,
    materialId,
    header: blob.subarray(0, headerLength),
    iv: blob.subarray(headerLength - IV_LENGTH, headerLength),
    ciphertext: blob.subarray(headerLength, blob.length - TAG_LENGTH),
    tag: blob.subarray(blob.length - TAG_LENGTH),
  };
}

/** Undefined when the material, context or bytes do not authenticate. */
export function decryptBlob(material: Uint8Array, blob: ParsedBlob, context: EncryptionContext | undefined): Uint8Array | undefined {
  return open(material, blob.iv, { ciphertext: blob.ciphertext, tag: blob.tag }, aad(blob.header, context));
}
