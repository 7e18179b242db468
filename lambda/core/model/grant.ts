/**
 * Grants (spec kms-policies-grants-rotation.md §3): what a grant record holds, which operations a key
 * can grant, and how a grant's encryption-context constraint judges a request. Everything an evaluator
 * needs is on the record; the evaluator itself belongs to the authorization work.
 */
import { createHash } from 'node:crypto';
import type { EncryptionContext } from '../crypto/encryption-context';
import { keySpecEntry } from '../crypto/key-specs';
import type { KeyRecord, Scope } from './key';

export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
] as const;

export type GrantOperation = (typeof GRANT_OPERATIONS)[number];

export interface GrantConstraints {
  /** The request's encryption context must contain these pairs (and may hold more). */
  readonly encryptionContextSubset?: EncryptionContext;
  /** The request's encryption context must be exactly these pairs. */
  readonly encryptionContextEquals?: EncryptionContext;
}

export interface GrantRecord {
  /** The scope of the key (grants live beside their key). */
  readonly scope: Scope;
  readonly keyId: string;
  /** 64 lower-case hex characters. */
  readonly grantId: string;
  readonly name?: string;
  readonly creationDate: Date;
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string;
  /** In the order CreateGrant received them, without repeats. */
  readonly operations: readonly GrantOperation[];
  readonly constraints?: GrantConstraints;
  /** `arn:<partition>:iam::<account>:root` of the account that created the grant (ListGrants' IssuingAccount). */
  readonly issuingAccount: string;
  /** The principal that called CreateGrant (model/caller.ts). */
  readonly issuingPrincipal: string;
}

export const GRANT_ID_PATTERN = /^[0-9a-f]{64}$/;

/** Operations a grant on any key may allow. */
const COMMON: readonly GrantOperation[] = ['CreateGrant', 'DescribeKey', 'RetireGrant'];

/**
 * The operations a grant on `key` may allow (spec §3.3), by what the key can do: symmetric encryption
 * keys the encryption and data-key operations; other key specs by their usage.
 */
export function grantableOperations(key: Pick<KeyRecord, 'keySpec' | 'keyUsage'>): ReadonlySet<GrantOperation> {
  if (isSymmetric(key)) {
    return new Set([...COMMON, 'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext']);
  }
  const byUsage: Readonly<Record<string, readonly GrantOperation[]>> = {
    ENCRYPT_DECRYPT: ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'],
    SIGN_VERIFY: ['Sign', 'Verify', 'GetPublicKey'],
    GENERATE_VERIFY_MAC: ['GenerateMac', 'VerifyMac'],
    KEY_AGREEMENT: ['DeriveSharedSecret', 'GetPublicKey'],
  };
  return new Set([...COMMON, ...(byUsage[key.keyUsage] ?? [])]);
}

/** Encryption-context constraints apply only to keys whose operations take an encryption context. */
export function supportsEncryptionContextConstraints(key: Pick<KeyRecord, 'keySpec'>): boolean {
  return isSymmetric(key);
}

const isSymmetric = (key: Pick<KeyRecord, 'keySpec'>) => keySpecEntry(key.keySpec).family === 'SYMMETRIC';

/**
 * Whether a request's encryption context satisfies a grant's constraints. Constraint keys match
 * case-insensitively, values exactly (AWS's GrantConstraints rule); no constraint allows any context.
 */
export function constraintsAllow(constraints: GrantConstraints | undefined, context: EncryptionContext | undefined): boolean {
  const request = new Map(Object.entries(context ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const contains = (pairs: EncryptionContext) => Object.entries(pairs).every(([k, v]) => request.get(k.toLowerCase()) === v);
  const { encryptionContextSubset: subset, encryptionContextEquals: equals } = constraints ?? {};
  if (subset && !contains(subset)) return false;
  if (equals && !(contains(equals) && new Set(Object.keys(equals).map((k) => k.toLowerCase())).size === request.size)) return false;
  return true;
}

/** What makes two CreateGrant requests with the same Name "identical" (the retry returns the first grant). */
export interface GrantParameters {
  readonly keyArn: string;
  readonly name: string;
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints?: GrantConstraints;
}

/**
 * The grant id of a named grant: a hash of its parameters, so that a retry of the same request finds
 * the grant it created (a conditional write refuses the duplicate) without scanning the key's grants.
 * Operations count as a set, context pairs in any order (D68).
 */
export function namedGrantId(p: GrantParameters): string {
  // Keys in code-unit order (sort()'s own; the keys of one context are distinct), so any insertion order gives one id.
  const pairs = (context: EncryptionContext | undefined) => (context ? Object.keys(context).sort().map((k) => [k, context[k]]) : null);
  const canonical = JSON.stringify([
    'grant/1',
    p.keyArn,
    p.name,
    p.granteePrincipal,
    p.retiringPrincipal ?? null,
    [...new Set(p.operations)].sort(),
    pairs(p.constraints?.encryptionContextSubset),
    pairs(p.constraints?.encryptionContextEquals),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
