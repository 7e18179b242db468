import { ValidationException } from '../../errors';
import type { EncryptionContext } from '../../crypto/encryption-context';
import { resolveKey } from '../../key-access';
import type { KeyRecord } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';
import { assertKeyUsage, resolveUsableKey } from '../key-usage';
import {
  checkEncryptionAlgorithm,
  ciphertextKey,
  encryptsWithKeyPair,
  openWithNamedMaterial,
  parseCiphertext,
  rejectRecipient,
  stopIfDryRun,
  type DryRunModifier,
  type EncryptionAlgorithmSpec,
  type RecipientInfo,
} from './crypto-support';
import { decryptWithKeyPair, rejectEncryptionContext } from './key-pair-encryption';
import type { Operation } from '../types';

export interface DecryptInput {
  /** Required unless DryRun with IGNORE_CIPHERTEXT. */
  readonly CiphertextBlob?: Uint8Array;
  readonly EncryptionContext?: EncryptionContext;
  readonly GrantTokens?: readonly string[];
  /** Optional for symmetric ciphertexts (the blob names its key; if given, it must name that key); required for RSA. */
  readonly KeyId?: string;
  readonly EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  readonly Recipient?: RecipientInfo;
  readonly DryRun?: boolean;
  readonly DryRunModifiers?: readonly DryRunModifier[];
}

export interface DecryptOutput {
  /** The key ARN. */
  readonly KeyId: string;
  readonly Plaintext: Uint8Array;
  readonly EncryptionAlgorithm: EncryptionAlgorithmSpec;
  /** The material that decrypted a symmetric blob; absent for RSA keys (one material, no ids). */
  readonly KeyMaterialId?: string;
}

/** A key named by Decrypt's KeyId (or ReEncrypt's SourceKeyId), before its state is looked at. */
export async function namedKey(deps: Pick<Deps, 'keys' | 'clock'>, ctx: RequestContext, keyRef: string | undefined, permission?: string): Promise<KeyRecord | undefined> {
  return keyRef === undefined ? undefined : (await resolveKey(deps, ctx, keyRef, { allowAlias: true, ...(permission && { permission }) })).key;
}

export interface Opened {
  readonly key: KeyRecord;
  readonly plaintext: Uint8Array;
  readonly algorithm: EncryptionAlgorithmSpec;
  /** Symmetric blobs only. */
  readonly materialId?: string;
}

/**
 * Decrypt's core, shared with ReEncrypt's source side. An RSA key (named by `keyRef`) decrypts the raw
 * OAEP ciphertext with the request's algorithm; otherwise the blob names its key and material. The key
 * state is checked before any decryption, so a key in PendingImport says so even for a ciphertext it
 * could not open anyway. Whatever does not decrypt is InvalidCiphertextException with an empty message.
 */
export async function openCiphertext(
  deps: Deps,
  ctx: RequestContext,
  operation: string,
  request: {
    readonly blob?: Uint8Array;
    readonly keyRef?: string;
    readonly algorithm?: string;
    readonly context?: EncryptionContext;
    /** What enforce mode checks on the key, when it is not the request's action (ReEncrypt's ReEncryptFrom). */
    readonly permission?: string;
  },
): Promise<Opened> {
  const named = await namedKey(deps, ctx, request.keyRef, request.permission);
  if (named && encryptsWithKeyPair(named)) {
    assertAccepts(named, 'UseForCrypto');
    assertKeyUsage(named, 'ENCRYPT_DECRYPT', operation);
    const algorithm = checkEncryptionAlgorithm(named, request.algorithm);
    rejectEncryptionContext(request.context, algorithm);
    return { key: named, plaintext: await decryptWithKeyPair(deps, named, algorithm, request.blob), algorithm };
  }
  const parsed = parseCiphertext(request.blob);
  const key = await ciphertextKey(deps, ctx, parsed, named, request.permission);
  assertAccepts(key, 'UseForCrypto');
  const algorithm = checkEncryptionAlgorithm(key, request.algorithm);
  const opened = await openWithNamedMaterial(deps, key, parsed, request.context);
  return { key, plaintext: opened.plaintext, algorithm, materialId: opened.materialId };
}

/**
 * Decrypts a symmetric blob with the key and material it names, or an RSA ciphertext with the key
 * named by KeyId and the EncryptionAlgorithm given.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
 */
export const decrypt: Operation<DecryptInput, DecryptOutput> = async (deps, ctx, input) => {
  rejectRecipient(input.Recipient);
  if (input.DryRun === true && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT')) {
    // Only the key and the request are checked; the ciphertext is not looked at.
    if (input.KeyId === undefined) {
      throw new ValidationException('KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.');
    }
    checkEncryptionAlgorithm(await resolveUsableKey(deps, ctx, input.KeyId, 'Decrypt', 'ENCRYPT_DECRYPT'), input.EncryptionAlgorithm);
    stopIfDryRun(true);
  }
  const opened = await openCiphertext(deps, ctx, 'Decrypt', {
    blob: input.CiphertextBlob,
    keyRef: input.KeyId,
    algorithm: input.EncryptionAlgorithm,
    context: input.EncryptionContext,
  });
  if (input.DryRun === true) {
    opened.plaintext.fill(0);
    stopIfDryRun(true);
  }
  return {
    KeyId: opened.key.arn,
    Plaintext: opened.plaintext,
    EncryptionAlgorithm: opened.algorithm,
    ...(opened.materialId !== undefined && { KeyMaterialId: opened.materialId }),
  };
};
