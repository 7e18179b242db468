// Wrapping raw key material in the browser with the public key from GetParametersForImport.
//
// Only the RSAES_OAEP_* algorithms can be done here: RSA_AES_KEY_WRAP_* needs AES Key Wrap *with padding*
// (RFC 5649, OpenSSL id-aes256-wrap-pad), which WebCrypto does not offer. WebCrypto's AES-KW is RFC 3394,
// whose output differs from RFC 5649 even for a 32-byte input, so KMS would refuse it.

export type WrappingAlgorithm = 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1';
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';

export const WRAPPING_ALGORITHMS: WrappingAlgorithm[] = [
  'RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1',
];
export const WRAPPING_KEY_SPECS: WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];

/** Symmetric (SYMMETRIC_DEFAULT) key material is exactly 256 bits. */
export const SYMMETRIC_MATERIAL_BYTES = 32;

export function canWrapInBrowser(algorithm: WrappingAlgorithm): boolean {
  return algorithm === 'RSAES_OAEP_SHA_256' || algorithm === 'RSAES_OAEP_SHA_1';
}

export function webCryptoAvailable(): boolean {
  return typeof window !== 'undefined' && window.isSecureContext && window.crypto?.subtle !== undefined;
}

/** RSA-OAEP with SHA-256 or SHA-1 for both digest and MGF1 and an empty label, as KMS expects. */
export async function wrapMaterialInBrowser(
  publicKeyDer: Uint8Array,
  algorithm: WrappingAlgorithm,
  material: Uint8Array,
): Promise<Uint8Array> {
  if (!canWrapInBrowser(algorithm)) {
    throw new Error(`${algorithm} needs AES key wrap with padding (RFC 5649), which browsers do not provide.`);
  }
  const hash = algorithm === 'RSAES_OAEP_SHA_256' ? 'SHA-256' : 'SHA-1';
  const key = await window.crypto.subtle.importKey(
    'spki', toArrayBuffer(publicKeyDer), { name: 'RSA-OAEP', hash }, false, ['encrypt'],
  );
  const wrapped = await window.crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, toArrayBuffer(material));
  return new Uint8Array(wrapped);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export async function readFileBytes(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/** Offers bytes as a file download. */
export function downloadBytes(bytes: Uint8Array, fileName: string): void {
  const url = URL.createObjectURL(new Blob([toArrayBuffer(bytes)], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
