/**
 * What the cryptographic operations share (spec §2.11): sealing under a key's CURRENT material,
 * opening a blob with the material the blob names, and the request checks they have in common.
 * The key state is checked (assertAccepts 'UseForCrypto') before any material is touched, so a
 * PendingImport key answers `<ARN> is pending import.` rather than a ciphertext error.
 */
import {
  DryRunOperationException,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSInternalException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../../errors';
import { IV_LENGTH } from '../../crypto/aead';
import { decryptBlob, encryptToBlob, parseBlob, type ParsedBlob } from '../../crypto/ciphertext-blob';
import type { EncryptionContext } from '../../crypto/encryption-context';
import type { EncryptionAlgorithmSpec } from '../../crypto/key-specs';
import { admitKey, loadKeyNow, unwrapMaterial } from '../../key-access';
import { isKeyId, keyArn } from '../../model/arn';
import { findMaterial, type KeyRecord } from '../../model/key';
import type { Deps, RequestContext } from '../../ports';
import { andThen, type SyncFirst } from '../../sync-first';
import { assertAlgorithm, assertKeyUsage, keyCrypto, resolveUsableKey } from '../key-usage';
import { checkEnum, checkRange } from '../validation';

export const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';
export type { EncryptionAlgorithmSpec } from '../../crypto/key-specs';
export type DataKeySpec = 'AES_256' | 'AES_128';
export type DryRunModifier = 'IGNORE_CIPHERTEXT';

/** Nitro Enclaves attestation (`Recipient`): accepted by the model, not implemented here. */
export interface RecipientInfo {
  readonly KeyEncryptionAlgorithm?: string;
  readonly AttestationDocument?: Uint8Array;
}

export function rejectRecipient(recipient: RecipientInfo | undefined): void {
  if (recipient !== undefined) {
    throw new UnsupportedOperationException('The Recipient parameter (AWS Nitro Enclaves attestation) is not supported by this service.');
  }
}

export function rejectCustomKeyStore(customKeyStoreId: string | undefined): void {
  if (customKeyStoreId !== undefined) throw new UnsupportedOperationException('Custom key stores are not supported by this service.');
}

/**
 * The encryption algorithm of the request, checked against the key's list (the key spec table). It
 * defaults to SYMMETRIC_DEFAULT, so an RSA key without one answers `Algorithm SYMMETRIC_DEFAULT is
 * incompatible with key spec RSA_2048.` as AWS does (spec §8.1).
 */
export function checkEncryptionAlgorithm(key: KeyRecord, algorithm: string | undefined): EncryptionAlgorithmSpec {
  return assertAlgorithm(key, 'EncryptionAlgorithms', (algorithm ?? SYMMETRIC_DEFAULT) as EncryptionAlgorithmSpec);
}

/**
 * Whether the key encrypts with its own key pair (RSA) rather than into this service's ciphertext
 * blobs (SYMMETRIC_DEFAULT): its family says so by offering `encrypt`.
 */
export function encryptsWithKeyPair(key: KeyRecord): boolean {
  return keyCrypto(key).family.encrypt !== undefined;
}

/** GenerateDataKey* and GenerateDataKeyPair* need a symmetric encryption key: it seals the data key. */
export function assertSealsDataKeys(key: KeyRecord, operation: string): void {
  assertKeyUsage(key, 'ENCRYPT_DECRYPT', operation);
  if (encryptsWithKeyPair(key)) throw new InvalidKeyUsageException(`${key.arn} key KeySpec is ${key.keySpec} which is not valid for ${operation}.`);
}

/** The last check of an operation that supports DryRun: everything before it has passed. */
export function stopIfDryRun(dryRun: boolean | undefined): void {
  if (dryRun === true) throw new DryRunOperationException();
}

/** Plaintext for Encrypt: 1..4096 bytes. The value is never quoted in the message. */
export function checkPlaintext(plaintext: Uint8Array): void {
  if (plaintext.length < 1) {
    throw new ValidationException("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  if (plaintext.length > 4096) {
    throw new ValidationException("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
  }
}

/** GenerateDataKey*: exactly one of NumberOfBytes (1..1024) and KeySpec (AES_256 | AES_128). */
export function dataKeyLength(numberOfBytes: number | undefined, keySpec: string | undefined): number {
  if ((numberOfBytes === undefined) === (keySpec === undefined)) {
    throw new ValidationException('Please specify either number of bytes or key spec.');
  }
  if (numberOfBytes !== undefined) {
    checkRange(numberOfBytes, 'numberOfBytes', 1, 1024);
    return numberOfBytes;
  }
  checkEnum(keySpec!, 'keySpec', ['AES_256', 'AES_128']);
  return keySpec === 'AES_256' ? 32 : 16;
}

/** A symmetric encryption key, resolved from any of the four forms, ready to seal data keys (at once when the store holds it, D136). */
export function resolveForDataKeys(deps: Pick<Deps, 'keys' | 'clock'>, ctx: RequestContext, keyRef: string, operation: string): SyncFirst<KeyRecord> {
  return andThen(resolveUsableKey(deps, ctx, keyRef, operation, 'ENCRYPT_DECRYPT'), (key) => {
    assertSealsDataKeys(key, operation);
    return key;
  });
}

export interface SealedBlob {
  readonly ciphertextBlob: Uint8Array;
  /** The CURRENT material that sealed it. */
  readonly materialId: string;
}

/** Encrypts under the key's CURRENT material (at once when the material is cached, D136). The key must accept 'UseForCrypto'. */
export function sealWithCurrentMaterial(
  deps: Pick<Deps, 'rootKey' | 'clock' | 'materialCache' | 'random'>,
  key: KeyRecord,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
): SyncFirst<SealedBlob> {
  // Stryker disable next-line ConditionalExpression: `false` is equivalent: findMaterial finds no material whose id is undefined (`true`, killed by every test, shares the name)
  const current = key.currentMaterialId === undefined ? undefined : findMaterial(key, key.currentMaterialId);
  // An Enabled key always has its CURRENT material imported; anything else is a broken invariant.
  // Stryker disable next-line ConditionalExpression: `current.importState !== 'IMPORTED'` -> false is equivalent: unwrapMaterial refuses a material that is not imported with the same KMSInternalException (the others, killed by the damaged-record test, share the name)
  if (!current || current.importState !== 'IMPORTED') throw new KMSInternalException();
  return andThen(unwrapMaterial(deps, key, current), (material) => {
    const iv = deps.random(IV_LENGTH);
    const ciphertextBlob = encryptToBlob(material, { keyId: key.keyId, materialId: current.materialId }, iv, plaintext, context);
    return { ciphertextBlob, materialId: current.materialId };
  });
}

/**
 * Reads a blob's header; anything that is not one of ours is InvalidCiphertextException (empty message).
 * The model leaves CiphertextBlob optional (a DryRun with IGNORE_CIPHERTEXT needs none); any other call needs one.
 */
export function parseCiphertext(blob: Uint8Array | undefined): ParsedBlob {
  if (blob === undefined) {
    throw new ValidationException("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  }
  const parsed = parseBlob(blob);
  if (!parsed || !isKeyId(parsed.keyId)) throw new InvalidCiphertextException();
  return parsed;
}

/**
 * The key a ciphertext belongs to. With `named` (the key of Decrypt's KeyId, ReEncrypt's SourceKeyId)
 * it must be the blob's key, else IncorrectKeyException. Without it, the blob's own key id is
 * looked up in the caller's account and Region: a key that is not there (deleted, never existed, or
 * another account's) is NotFoundException naming that key, as for a caller who names it (D17) — the
 * "key is gone" answer users test for. Nothing else is revealed: the blob's material still has to
 * authenticate header, context and body before any plaintext comes back.
 */
export function ciphertextKey(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  parsed: ParsedBlob,
  named: KeyRecord | undefined,
  permission?: string,
): SyncFirst<KeyRecord> {
  if (named !== undefined) {
    const key = named;
    if (key.keyId !== parsed.keyId) {
      throw new IncorrectKeyException('The key ID in the request does not identify a CMK that can perform this operation.');
    }
    return key;
  }
  return andThen(loadKeyNow(deps, ctx.scope, parsed.keyId), (loaded) => {
    if (!loaded) throw new NotFoundException(`Key '${keyArn(ctx.scope, parsed.keyId)}' does not exist`);
    return andThen(admitKey(deps, ctx, loaded, permission), (admitted) => admitted.key);
  });
}

export interface Opened {
  readonly plaintext: Uint8Array;
  /** The material named in the blob, which decrypted it. */
  readonly materialId: string;
}

/**
 * Decrypts with the material the blob names, if that material is IMPORTED and permanently associated
 * (CURRENT or NON_CURRENT; a staged PENDING_ROTATION material never decrypts). Unknown material, wrong
 * context and tampering are indistinguishable: InvalidCiphertextException with an empty message.
 * The key must accept 'UseForCrypto'.
 */
export function openWithNamedMaterial(
  deps: Pick<Deps, 'rootKey' | 'clock' | 'materialCache'>,
  key: KeyRecord,
  parsed: ParsedBlob,
  context: EncryptionContext | undefined,
): SyncFirst<Opened> {
  const named = findMaterial(key, parsed.materialId);
  // Stryker disable next-line ConditionalExpression: `named.importState !== 'IMPORTED'` -> false is unreachable: a key that lacks a permanently associated material is PendingImport and refused before, and unwrapMaterial would refuse it anyway (the others, killed by the ciphertext tests, share the name)
  if (!named || named.importState !== 'IMPORTED' || named.materialState === 'PENDING_ROTATION') {
    throw new InvalidCiphertextException();
  }
  return andThen(unwrapMaterial(deps, key, named), (material) => {
    const plaintext = decryptBlob(material, parsed, context);
    if (!plaintext) throw new InvalidCiphertextException();
    return { plaintext, materialId: named.materialId };
  });
}
