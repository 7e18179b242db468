// Key types as the AWS console offers them: key type (symmetric or asymmetric), then key usage, then key spec.
// HMAC keys are symmetric keys whose usage is Generate and verify MAC, as in the AWS console.
import type { KeyMetadata, KeySpec, KeyUsageType } from '@aws-sdk/client-kms';
import type { MaterialFormat, WrappingAlgorithm } from './wrap';

export type KeyType = 'SYMMETRIC' | 'ASYMMETRIC';

export interface UsageChoice {
  usage: KeyUsageType;
  label: string;
  description: string;
}

export const USAGES: Record<KeyType, UsageChoice[]> = {
  SYMMETRIC: [
    { usage: 'ENCRYPT_DECRYPT', label: 'Encrypt and decrypt', description: 'A single 256-bit AES-GCM key (SYMMETRIC_DEFAULT) for Encrypt, Decrypt and data keys.' },
    { usage: 'GENERATE_VERIFY_MAC', label: 'Generate and verify MAC', description: 'An HMAC key for GenerateMac and VerifyMac.' },
  ],
  ASYMMETRIC: [
    { usage: 'ENCRYPT_DECRYPT', label: 'Encrypt and decrypt', description: 'An RSA key pair: encrypt with the public key, decrypt in KMS.' },
    { usage: 'SIGN_VERIFY', label: 'Sign and verify', description: 'A key pair for Sign and Verify; anyone can verify with the public key.' },
    { usage: 'KEY_AGREEMENT', label: 'Key agreement', description: 'An elliptic curve key pair for DeriveSharedSecret (ECDH).' },
  ],
};

export interface SpecChoice {
  spec: KeySpec;
  description: string;
}

const RSA: SpecChoice[] = [
  { spec: 'RSA_2048', description: 'RSA, 2048-bit modulus' },
  { spec: 'RSA_3072', description: 'RSA, 3072-bit modulus' },
  { spec: 'RSA_4096', description: 'RSA, 4096-bit modulus' },
];
const NIST_ECC: SpecChoice[] = [
  { spec: 'ECC_NIST_P256', description: 'Elliptic curve NIST P-256 (secp256r1)' },
  { spec: 'ECC_NIST_P384', description: 'Elliptic curve NIST P-384 (secp384r1)' },
  { spec: 'ECC_NIST_P521', description: 'Elliptic curve NIST P-521 (secp521r1)' },
];
const SM2: SpecChoice = { spec: 'SM2', description: 'SM2 (China Regions only)' };

/** The key specs for a type and usage; SM2 is offered only in China Regions, where AWS offers it. */
export function specsFor(type: KeyType, usage: KeyUsageType, region: string): SpecChoice[] {
  const china = region.startsWith('cn-');
  const withSm2 = (specs: SpecChoice[]) => (china ? [...specs, SM2] : specs);
  if (type === 'SYMMETRIC') {
    if (usage === 'GENERATE_VERIFY_MAC') {
      return [224, 256, 384, 512].map((bits) => ({ spec: `HMAC_${bits}` as KeySpec, description: `HMAC with SHA-${bits}` }));
    }
    return [{ spec: 'SYMMETRIC_DEFAULT', description: '256-bit AES-GCM key' }];
  }
  switch (usage) {
    case 'ENCRYPT_DECRYPT': return withSm2(RSA);
    case 'SIGN_VERIFY': return withSm2([
      ...RSA, ...NIST_ECC,
      { spec: 'ECC_SECG_P256K1', description: 'Elliptic curve secp256k1 (for example for cryptocurrencies)' },
      { spec: 'ECC_NIST_EDWARDS25519', description: 'Edwards curve Ed25519' },
      { spec: 'ML_DSA_44', description: 'ML-DSA-44 (FIPS 204), post-quantum' },
      { spec: 'ML_DSA_65', description: 'ML-DSA-65 (FIPS 204), post-quantum' },
      { spec: 'ML_DSA_87', description: 'ML-DSA-87 (FIPS 204), post-quantum' },
    ]);
    case 'KEY_AGREEMENT': return withSm2(NIST_ECC);
    default: return [];
  }
}

/** Symmetric for SYMMETRIC_DEFAULT and HMAC keys, asymmetric for key pairs. */
export function keyTypeOf(spec: string | undefined): KeyType {
  return spec === undefined || spec === 'SYMMETRIC_DEFAULT' || spec.startsWith('HMAC_') ? 'SYMMETRIC' : 'ASYMMETRIC';
}

export function isAsymmetric(key: KeyMetadata): boolean {
  return keyTypeOf(key.KeySpec) === 'ASYMMETRIC';
}

export const KEY_USAGE_LABELS: Record<string, string> = {
  ENCRYPT_DECRYPT: 'Encrypt and decrypt',
  SIGN_VERIFY: 'Sign and verify',
  GENERATE_VERIFY_MAC: 'Generate and verify MAC',
  KEY_AGREEMENT: 'Key agreement',
};

/** What a key of a spec imports, and how it may be wrapped (the service's import rules, as AWS documents them). */
export interface ImportRule {
  format: MaterialFormat;
  /** Raw material: allowed length in bytes. */
  minBytes?: number;
  maxBytes?: number;
  algorithms: WrappingAlgorithm[];
  /** What the material file is, in a user's words. */
  materialText: string;
}

const OAEP: WrappingAlgorithm[] = ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'];
const RSA_AES: WrappingAlgorithm[] = ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'];
const PKCS8_TEXT = 'the private key as unencrypted PKCS#8, PEM (-----BEGIN PRIVATE KEY-----) or DER';

/** undefined: the spec takes no imported material (ML-DSA). */
export function importRuleOf(spec: string | undefined): ImportRule | undefined {
  if (spec === undefined || spec === 'SYMMETRIC_DEFAULT') {
    return { format: 'RAW', minBytes: 32, maxBytes: 32, algorithms: [...OAEP, ...RSA_AES], materialText: 'exactly 32 bytes (256 bits)' };
  }
  const hmac = /^HMAC_(\d+)$/.exec(spec);
  if (hmac) {
    const min = Number(hmac[1]) / 8;
    return { format: 'RAW', minBytes: min, maxBytes: 128, algorithms: [...OAEP, ...RSA_AES], materialText: `${min} to 128 bytes of HMAC key` };
  }
  // RSA private keys are larger than RSA-OAEP can carry: only the RSA_AES_KEY_WRAP algorithms take them.
  if (spec.startsWith('RSA_')) return { format: 'PKCS8', algorithms: RSA_AES, materialText: PKCS8_TEXT };
  if (spec === 'SM2') return { format: 'PKCS8', algorithms: OAEP, materialText: PKCS8_TEXT };
  if (spec.startsWith('ECC_')) return { format: 'PKCS8', algorithms: [...OAEP, ...RSA_AES], materialText: PKCS8_TEXT };
  return undefined;
}
