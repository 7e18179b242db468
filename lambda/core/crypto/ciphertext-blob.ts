/**
 * The ciphertext blob this service returns from Encrypt and GenerateDataKey (design decision 4):
 *
 *   version(1) | keyIdLength(1) | keyId(ascii) | materialId(32, raw) | iv(12) | ciphertext | tag(16)
 *
 * The header (everything before the ciphertext) is authenticated as AAD together with the
 * canonical encryption context, so a blob cannot be re-pointed at another key or material.
 * Decrypt picks the material named in the blob; it never tries every material.
 */
import { IV_LENGTH, TAG_LENGTH, open, sealInto } from './aead';
import { canonicalContext, type EncryptionContext } from './encryption-context';

const VERSION = 1;
const MATERIAL_ID_BYTES = 32;
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
  if (context !== undefined) return Buffer.concat([header, canonicalContext(context)]);
  // The common case in one buffer: the header, then canonicalContext(undefined), a pair count of 0 (four zero bytes).
  const out = Buffer.allocUnsafe(header.length + 4);
  out.set(header);
  out.fill(0, header.length);
  return out;
}

export function encryptToBlob(
  material: Uint8Array,
  header: BlobHeader,
  iv: Uint8Array,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): Uint8Array {
  // One buffer for the whole blob: header, then ciphertext and tag sealed straight into it.
  const keyIdLength = header.keyId.length; // ASCII: one byte per character
  const headerLength = 2 + keyIdLength + MATERIAL_ID_BYTES + IV_LENGTH;
  const blob = Buffer.allocUnsafeSlow(headerLength + plaintext.length + TAG_LENGTH); // its own memory, every byte written below
  blob[0] = VERSION;
  blob[1] = keyIdLength;
  // Stryker disable next-line StringLiteral: key ids are ASCII (a UUID), which the default utf8 writes the same
  blob.write(header.keyId, 2, 'latin1');
  if (blob.write(header.materialId, 2 + keyIdLength, 'hex') !== MATERIAL_ID_BYTES) throw new RangeError('a material id is 64 hex digits');
  blob.set(iv, headerLength - IV_LENGTH);
  const head = blob.subarray(0, headerLength);
  sealInto(material, iv, plaintext, aad(head, context), blob, headerLength);
  return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
}

/** Reads the header of a blob; undefined if it is not one of ours (any garbage, any length). */
export function parseBlob(blob: Uint8Array): ParsedBlob | undefined {
  if (
    blob[0] !== VERSION ||
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a 1-byte blob reads as key id '' (which parseCiphertext refuses), a 2-byte one is shorter than any header (refused below)
    blob.length < 2
  ) {
    return undefined;
  }
  const keyIdLength = blob[1]!;
  const headerLength = 2 + keyIdLength + MATERIAL_ID_BYTES + IV_LENGTH;
  if (
    blob.length < headerLength + TAG_LENGTH ||
    // Stryker disable next-line ConditionalExpression: key id '' is not a key id, which parseCiphertext refuses the same way (InvalidCiphertextException)
    keyIdLength === 0
  ) {
    return undefined;
  }
  const keyId = asciiDecoder.decode(blob.subarray(2, 2 + keyIdLength));
  // A view of the blob's bytes, not a copy.
  const materialId = Buffer.from(blob.buffer, blob.byteOffset + 2 + keyIdLength, MATERIAL_ID_BYTES).toString('hex');
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
