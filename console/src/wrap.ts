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

const MODULUS_BYTES: Record<WrappingKeySpec, number> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

/** The most bytes RSA-OAEP can carry under a wrapping key: k − 2·hLen − 2 (RFC 8017). */
export function oaepCapacity(spec: WrappingKeySpec, algorithm: WrappingAlgorithm): number {
  const hashBytes = algorithm.endsWith('SHA_256') ? 32 : 20;
  return MODULUS_BYTES[spec] - 2 * hashBytes - 2;
}

/** What the key material file holds: raw key bytes (symmetric, HMAC) or a private key as PKCS#8. */
export type MaterialFormat = 'RAW' | 'PKCS8';

/**
 * The private key as PKCS#8 DER from a file in DER or PEM (`-----BEGIN PRIVATE KEY-----`); other PEM kinds are
 * refused with what to run instead.
 */
export function pkcs8Der(file: Uint8Array): Uint8Array {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(file.subarray(0, 64));
  if (!text.startsWith('-----BEGIN')) return file;
  const pem = new TextDecoder().decode(file);
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match || match[1] !== 'PRIVATE KEY') {
    const kind = match?.[1] ?? 'unknown';
    throw new Error(`This PEM file holds "${kind}", not an unencrypted PKCS#8 private key ("PRIVATE KEY"). Convert it with: openssl pkcs8 -topk8 -nocrypt -in <file> -out private-key.pem`);
  }
  const binary = atob(match[2]!.replace(/\s+/g, ''));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** DER SubjectPublicKeyInfo as a PEM "PUBLIC KEY" block, 64 characters a line (RFC 7468). */
export function publicKeyPem(spki: Uint8Array): string {
  let binary = '';
  for (const byte of spki) binary += String.fromCharCode(byte);
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/**
 * The OpenSSL commands that wrap key material as the algorithm wants, run in the folder with the downloaded
 * WrappingPublicKey.bin. A private key is turned into PKCS#8 DER first; RSA_AES_KEY_WRAP_* uses AES key wrap with
 * padding (RFC 5649) under a fresh AES key, then RSA-OAEP for that AES key, as AWS documents.
 */
export function opensslCommands(algorithm: WrappingAlgorithm, format: MaterialFormat): string {
  const md = algorithm.endsWith('SHA_256') ? 'sha256' : 'sha1';
  const rsa = (input: string, output: string) => `openssl pkeyutl -encrypt -in ${input} -out ${output} \\\n  -inkey WrappingPublicKey.bin -keyform DER -pubin \\\n  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:${md} -pkeyopt rsa_mgf1_md:${md}`;
  const lines = format === 'PKCS8'
    ? ['# your private key (PEM, e.g. from openssl genpkey) as PKCS#8 DER',
      'openssl pkcs8 -topk8 -nocrypt -in private-key.pem -outform DER -out PlaintextKeyMaterial.bin']
    : [];
  if (canWrapInBrowser(algorithm)) {
    lines.push(rsa('PlaintextKeyMaterial.bin', 'EncryptedKeyMaterial.bin'));
  } else {
    lines.push(
      'openssl rand -out aes-key.bin 32',
      'openssl enc -id-aes256-wrap-pad -K "$(od -An -v -tx1 aes-key.bin | tr -d \' \\n\')" -iv A65959A6 \\\n  -in PlaintextKeyMaterial.bin -out key-material-wrapped.bin',
      rsa('aes-key.bin', 'aes-key-wrapped.bin'),
      'cat aes-key-wrapped.bin key-material-wrapped.bin > EncryptedKeyMaterial.bin',
      'rm aes-key.bin aes-key-wrapped.bin key-material-wrapped.bin',
    );
  }
  if (format === 'PKCS8') lines.push('rm PlaintextKeyMaterial.bin   # a plaintext copy of the private key');
  return lines.join('\n');
}

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
