/**
 * The one table of key specs (design decision 9, spec kms-key-specs.md §2–§13): for every KeySpec the
 * family that implements it, the key usages it allows with the algorithm lists AWS reports for each
 * (in AWS's order), whether its material can be imported and how, where it is offered, and what it
 * can do (rotation). Validation, DescribeKey's lists and every algorithm check read this table;
 * nothing else lists key specs.
 */
import type { KeySpec, KeyUsage } from '../model/key';

export type FamilyName = 'SYMMETRIC' | 'HMAC' | 'RSA' | 'ECC' | 'ED25519' | 'ML_DSA' | 'SM2';

export type EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE';
export type SigningAlgorithmSpec =
  | 'RSASSA_PSS_SHA_256'
  | 'RSASSA_PSS_SHA_384'
  | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256'
  | 'RSASSA_PKCS1_V1_5_SHA_384'
  | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512'
  | 'SM2DSA'
  | 'ML_DSA_SHAKE_256'
  | 'ED25519_SHA_512'
  | 'ED25519_PH_SHA_512';
export type MacAlgorithmSpec = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';
export type KeyAgreementAlgorithmSpec = 'ECDH';
export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';
export type HashName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** The algorithm lists of one key usage, as KeyMetadata and GetPublicKey name them. */
export interface AlgorithmLists {
  readonly EncryptionAlgorithms?: readonly EncryptionAlgorithmSpec[];
  readonly SigningAlgorithms?: readonly SigningAlgorithmSpec[];
  readonly MacAlgorithms?: readonly MacAlgorithmSpec[];
  readonly KeyAgreementAlgorithms?: readonly KeyAgreementAlgorithmSpec[];
}

export type WrappingAlgorithmName = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';
export type WrappingKeySpecName = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';

/** How imported material of a spec looks and may be wrapped (spec §13.1, §13.2). */
export interface ImportRule {
  /** RAW: the key bytes themselves; PKCS8: a DER PrivateKeyInfo. */
  readonly format: 'RAW' | 'PKCS8';
  /** RAW only: the accepted lengths in bytes. */
  readonly minBytes?: number;
  readonly maxBytes?: number;
  readonly wrappingAlgorithms: readonly WrappingAlgorithmName[];
  /** Combinations AWS refuses although both members are allowed on their own (P-521 does not fit OAEP under RSA_2048). */
  readonly refusedCombinations?: readonly { readonly algorithm: WrappingAlgorithmName; readonly wrappingKeySpec: WrappingKeySpecName }[];
}

export interface KeySpecEntry {
  readonly keySpec: KeySpec;
  readonly family: FamilyName;
  /** The usages AWS allows for the spec, each with the algorithm lists it reports. */
  readonly usages: Readonly<Partial<Record<KeyUsage, AlgorithmLists>>>;
  /** China partitions only (SM2): elsewhere CreateKey answers `KeySpec SM2 is not supported in this Region`. */
  readonly chinaOnly: boolean;
  /** Import rules, or undefined when AWS does not import material of this spec (ML-DSA). */
  readonly importRule?: ImportRule;
  /**
   * Several materials per key (KeyMaterialId, CurrentKeyMaterialId, ImportType, ListKeyRotations,
   * RotateKeyOnDemand): only symmetric encryption keys. Every other spec has exactly one material.
   */
  readonly multipleMaterials: boolean;
  /** Automatic (scheduled) rotation is offered for the spec (EnableKeyRotation). */
  readonly automaticRotation: boolean;
  /** Family parameters. */
  readonly rsaModulusBits?: number;
  readonly curve?: EccCurve;
  readonly hmacHash?: HashName;
  readonly mlDsaLevel?: 44 | 65 | 87;
}

export type EccCurve = 'P-256' | 'P-384' | 'P-521' | 'secp256k1';

const OAEP: readonly WrappingAlgorithmName[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
const RSA_AES: readonly WrappingAlgorithmName[] = ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'];
const ALL_WRAPPING: readonly WrappingAlgorithmName[] = [...OAEP, ...RSA_AES];

const RSA_SIGNING: readonly SigningAlgorithmSpec[] = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
];

function rsa(keySpec: KeySpec, bits: number): KeySpecEntry {
  return {
    keySpec,
    family: 'RSA',
    usages: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }, SIGN_VERIFY: { SigningAlgorithms: RSA_SIGNING } },
    chinaOnly: false,
    // RSA private keys never fit RSA-OAEP: only the RSA_AES_KEY_WRAP algorithms carry them.
    importRule: { format: 'PKCS8', wrappingAlgorithms: RSA_AES },
    multipleMaterials: false,
    automaticRotation: false,
    rsaModulusBits: bits,
  };
}

function ecc(keySpec: KeySpec, curve: EccCurve, signing: SigningAlgorithmSpec, keyAgreement: boolean): KeySpecEntry {
  return {
    keySpec,
    family: 'ECC',
    usages: {
      SIGN_VERIFY: { SigningAlgorithms: [signing] },
      ...(keyAgreement && { KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] } }),
    },
    chinaOnly: false,
    importRule: {
      format: 'PKCS8',
      wrappingAlgorithms: ALL_WRAPPING,
      ...(curve === 'P-521' && {
        refusedCombinations: OAEP.map((algorithm) => ({ algorithm, wrappingKeySpec: 'RSA_2048' as const })),
      }),
    },
    multipleMaterials: false,
    automaticRotation: false,
    curve,
  };
}

function hmac(keySpec: KeySpec, mac: MacAlgorithmSpec, hash: HashName, digestBytes: number): KeySpecEntry {
  return {
    keySpec,
    family: 'HMAC',
    usages: { GENERATE_VERIFY_MAC: { MacAlgorithms: [mac] } },
    chinaOnly: false,
    // From the digest length up to 1024 bits (spec §13.1). RSA_AES as for symmetric material (D46).
    importRule: { format: 'RAW', minBytes: digestBytes, maxBytes: 128, wrappingAlgorithms: ALL_WRAPPING },
    multipleMaterials: false,
    automaticRotation: false,
    hmacHash: hash,
  };
}

function mlDsa(keySpec: KeySpec, level: 44 | 65 | 87): KeySpecEntry {
  return {
    keySpec,
    family: 'ML_DSA',
    usages: { SIGN_VERIFY: { SigningAlgorithms: ['ML_DSA_SHAKE_256'] } },
    chinaOnly: false,
    multipleMaterials: false,
    automaticRotation: false,
    mlDsaLevel: level,
  };
}

/** Every KeySpec of the pinned model, in the model's order. */
export const KEY_SPEC_TABLE: readonly KeySpecEntry[] = [
  rsa('RSA_2048', 2048),
  rsa('RSA_3072', 3072),
  rsa('RSA_4096', 4096),
  ecc('ECC_NIST_P256', 'P-256', 'ECDSA_SHA_256', true),
  ecc('ECC_NIST_P384', 'P-384', 'ECDSA_SHA_384', true),
  ecc('ECC_NIST_P521', 'P-521', 'ECDSA_SHA_512', true),
  ecc('ECC_SECG_P256K1', 'secp256k1', 'ECDSA_SHA_256', false),
  {
    keySpec: 'SYMMETRIC_DEFAULT',
    family: 'SYMMETRIC',
    usages: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } },
    chinaOnly: false,
    importRule: { format: 'RAW', minBytes: 32, maxBytes: 32, wrappingAlgorithms: ALL_WRAPPING },
    multipleMaterials: true,
    automaticRotation: true,
  },
  hmac('HMAC_224', 'HMAC_SHA_224', 'sha224', 28),
  hmac('HMAC_256', 'HMAC_SHA_256', 'sha256', 32),
  hmac('HMAC_384', 'HMAC_SHA_384', 'sha384', 48),
  hmac('HMAC_512', 'HMAC_SHA_512', 'sha512', 64),
  {
    keySpec: 'SM2',
    family: 'SM2',
    usages: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SM2PKE'] }, SIGN_VERIFY: { SigningAlgorithms: ['SM2DSA'] }, KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] } },
    chinaOnly: true,
    importRule: { format: 'PKCS8', wrappingAlgorithms: OAEP },
    multipleMaterials: false,
    automaticRotation: false,
  },
  mlDsa('ML_DSA_44', 44),
  mlDsa('ML_DSA_65', 65),
  mlDsa('ML_DSA_87', 87),
  {
    keySpec: 'ECC_NIST_EDWARDS25519',
    family: 'ED25519',
    // D42: AWS's order is unpublished; pure EdDSA first, as in the model's enum.
    usages: { SIGN_VERIFY: { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] } },
    chinaOnly: false,
    // D44: imported as an RFC 8410 PKCS#8 (48 bytes), which fits every wrapping algorithm.
    importRule: { format: 'PKCS8', wrappingAlgorithms: ALL_WRAPPING },
    multipleMaterials: false,
    automaticRotation: false,
  },
];

const BY_SPEC: ReadonlyMap<string, KeySpecEntry> = new Map(KEY_SPEC_TABLE.map((e) => [e.keySpec, e]));

export const KEY_SPECS: readonly KeySpec[] = KEY_SPEC_TABLE.map((e) => e.keySpec);
export const KEY_USAGES: readonly KeyUsage[] = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];

export function isKeySpec(value: string): value is KeySpec {
  return BY_SPEC.has(value);
}

/** The table row of a spec (every KeySpec has one). */
export function keySpecEntry(keySpec: KeySpec): KeySpecEntry {
  const entry = BY_SPEC.get(keySpec);
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable, callers pass a KeySpec (a stored key's, or one isKeySpec accepted), and the table has a row for each
  if (!entry) throw new Error(`key spec ${keySpec} has no entry in the key spec table`);
  return entry;
}

/** The algorithm lists a key of this spec and usage reports; empty when the pair is not allowed. */
export function algorithmLists(keySpec: KeySpec, keyUsage: KeyUsage): AlgorithmLists {
  return keySpecEntry(keySpec).usages[keyUsage] ?? {};
}

/** Whether a key of this spec may ever rotate automatically (EnableKeyRotation); on-demand follows `multipleMaterials`. */
export function supportsAutomaticRotation(keySpec: KeySpec): boolean {
  return keySpecEntry(keySpec).automaticRotation;
}

/** Whether a key of this spec holds several materials (KeyMaterialId, RotateKeyOnDemand, ListKeyRotations). */
export function supportsMultipleMaterials(keySpec: KeySpec): boolean {
  return keySpecEntry(keySpec).multipleMaterials;
}

// ---- algorithms ------------------------------------------------------------------------------

export interface SigningAlgorithmInfo {
  /** RAW messages are hashed with it; undefined where the scheme hashes internally (EdDSA, ML-DSA). */
  readonly hash?: HashName;
  /** Exact Message length for DIGEST (and EXTERNAL_MU: 64). */
  readonly digestLength?: number;
  readonly messageTypes: readonly MessageType[];
  /** How AWS words a refused message type: after the algorithm (Ed25519) or after the key spec (D50). */
  readonly refusesMessageTypeAs?: 'algorithm';
}

/** Spec §5.2. */
export const SIGNING_ALGORITHMS: Readonly<Record<SigningAlgorithmSpec, SigningAlgorithmInfo>> = {
  RSASSA_PSS_SHA_256: { hash: 'sha256', digestLength: 32, messageTypes: ['RAW', 'DIGEST'] },
  RSASSA_PSS_SHA_384: { hash: 'sha384', digestLength: 48, messageTypes: ['RAW', 'DIGEST'] },
  RSASSA_PSS_SHA_512: { hash: 'sha512', digestLength: 64, messageTypes: ['RAW', 'DIGEST'] },
  RSASSA_PKCS1_V1_5_SHA_256: { hash: 'sha256', digestLength: 32, messageTypes: ['RAW', 'DIGEST'] },
  RSASSA_PKCS1_V1_5_SHA_384: { hash: 'sha384', digestLength: 48, messageTypes: ['RAW', 'DIGEST'] },
  RSASSA_PKCS1_V1_5_SHA_512: { hash: 'sha512', digestLength: 64, messageTypes: ['RAW', 'DIGEST'] },
  ECDSA_SHA_256: { hash: 'sha256', digestLength: 32, messageTypes: ['RAW', 'DIGEST'] },
  ECDSA_SHA_384: { hash: 'sha384', digestLength: 48, messageTypes: ['RAW', 'DIGEST'] },
  ECDSA_SHA_512: { hash: 'sha512', digestLength: 64, messageTypes: ['RAW', 'DIGEST'] },
  SM2DSA: { digestLength: 32, messageTypes: ['RAW', 'DIGEST'] },
  ML_DSA_SHAKE_256: { digestLength: 64, messageTypes: ['RAW', 'EXTERNAL_MU'] },
  ED25519_SHA_512: { messageTypes: ['RAW'], refusesMessageTypeAs: 'algorithm' },
  // KMS applies Ed25519ph's own SHA-512 prehash to the 64-byte digest it is sent (model text).
  ED25519_PH_SHA_512: { digestLength: 64, messageTypes: ['DIGEST'], refusesMessageTypeAs: 'algorithm' },
};

export interface EncryptionAlgorithmInfo {
  /** RSA-OAEP: the hash of OAEP and MGF1 (empty label). */
  readonly oaepHash?: HashName;
  readonly hashLength?: number;
}

export const ENCRYPTION_ALGORITHMS: Readonly<Record<EncryptionAlgorithmSpec, EncryptionAlgorithmInfo>> = {
  SYMMETRIC_DEFAULT: {},
  RSAES_OAEP_SHA_1: { oaepHash: 'sha1', hashLength: 20 },
  RSAES_OAEP_SHA_256: { oaepHash: 'sha256', hashLength: 32 },
  SM2PKE: {},
};

export const MAC_ALGORITHMS: Readonly<Record<MacAlgorithmSpec, { readonly hash: HashName; readonly length: number }>> = {
  HMAC_SHA_224: { hash: 'sha224', length: 28 },
  HMAC_SHA_256: { hash: 'sha256', length: 32 },
  HMAC_SHA_384: { hash: 'sha384', length: 48 },
  HMAC_SHA_512: { hash: 'sha512', length: 64 },
};

// ---- data key pairs ----------------------------------------------------------------------------

/** GenerateDataKeyPair's KeyPairSpec values: each is generated by the family of the same KeySpec. */
export const DATA_KEY_PAIR_SPECS: readonly KeySpec[] = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SM2',
  'ECC_NIST_EDWARDS25519',
];
