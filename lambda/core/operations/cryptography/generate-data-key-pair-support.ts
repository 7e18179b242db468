/**
 * What GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext share (spec kms-key-specs.md §10): a
 * fresh key pair of the KeyPairSpec, made by the family of the KeySpec of the same name (through the
 * bounded generator), its private half (DER PKCS#8) sealed under a symmetric key like any plaintext.
 */
import { familyOf } from '../../crypto/families';
import type { EncryptionContext } from '../../crypto/encryption-context';
import { keySpecEntry } from '../../crypto/key-specs';
import { UnsupportedOperationException } from '../../errors';
import type { KeySpec } from '../../model/key';
import type { Deps, RequestContext } from '../../ports';
import { resolveForDataKeys, sealWithCurrentMaterial, stopIfDryRun } from './crypto-support';

/** DataKeyPairSpec: the KeySpecs that can be data key pairs (no HMAC, no ML-DSA). */
export type DataKeyPairSpec = Extract<KeySpec, `RSA_${string}` | `ECC_${string}` | 'SM2'>;

export interface DataKeyPairRequest {
  readonly KeyId: string;
  readonly KeyPairSpec: DataKeyPairSpec;
  readonly EncryptionContext?: EncryptionContext;
  readonly DryRun?: boolean;
}

export interface DataKeyPair {
  readonly keyArn: string;
  readonly materialId: string;
  readonly publicKey: Uint8Array;
  /** Secret: the caller returns it or zeroes it. */
  readonly privateKey: Uint8Array;
  readonly privateKeyCiphertextBlob: Uint8Array;
}

export async function generateDataKeyPairWith(
  deps: Deps,
  ctx: RequestContext,
  operation: 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext',
  request: DataKeyPairRequest,
): Promise<DataKeyPair> {
  const entry = keySpecEntry(request.KeyPairSpec);
  if (entry.chinaOnly && ctx.scope.partition !== 'aws-cn') throw new UnsupportedOperationException(`KeyPairSpec ${request.KeyPairSpec} is not supported in this Region`);
  const family = familyOf(request.KeyPairSpec);
  if (!family?.publicKey) throw new UnsupportedOperationException(`KeyPairSpec ${request.KeyPairSpec} is not supported by this service.`);
  const key = await resolveForDataKeys(deps, ctx, request.KeyId, operation);
  stopIfDryRun(request.DryRun);
  await family.load?.(entry);
  const privateKey = await family.generate(entry, deps.random);
  try {
    const sealed = await sealWithCurrentMaterial(deps, key, privateKey, request.EncryptionContext);
    return {
      keyArn: key.arn,
      materialId: sealed.materialId,
      publicKey: family.publicKey(entry, privateKey),
      privateKey,
      privateKeyCiphertextBlob: sealed.ciphertextBlob,
    };
  } catch (err) {
    privateKey.fill(0);
    throw err;
  }
}
