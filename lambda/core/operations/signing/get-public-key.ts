import { algorithmLists, type AlgorithmLists } from '../../crypto/key-specs';
import { UnsupportedOperationException } from '../../errors';
import { resolveKey } from '../../key-access';
import type { KeySpec, KeyUsage } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import { loadedKeyCrypto, singleMaterial } from '../key-usage';
import type { Operation } from '../types';

export interface GetPublicKeyInput {
  readonly KeyId: string;
  readonly GrantTokens?: readonly string[];
}

export interface GetPublicKeyOutput extends AlgorithmLists {
  /** The key ARN. */
  readonly KeyId: string;
  /** DER X.509 SubjectPublicKeyInfo (RFC 5280). */
  readonly PublicKey: Uint8Array;
  readonly CustomerMasterKeySpec: KeySpec;
  readonly KeySpec: KeySpec;
  readonly KeyUsage: KeyUsage;
}

/**
 * The public key of an asymmetric key, with what a user needs to use it safely outside (spec, usage, and
 * the algorithm list of its usage). Symmetric and HMAC keys have none (UnsupportedOperationException).
 * A Disabled key still answers, as AWS was observed to; a key pending deletion or without its material
 * (PendingImport) does not (D52).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html
 */
export const getPublicKey: Operation<GetPublicKeyInput, GetPublicKeyOutput> = async (deps, ctx, input) => {
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: true });
  const { entry, family } = await loadedKeyCrypto(key);
  if (!family.publicKey) throw new UnsupportedOperationException(`${key.arn} key KeySpec is ${key.keySpec} which is not valid for GetPublicKey.`);
  assertAccepts(key, 'ReadPublicKey');
  return {
    KeyId: key.arn,
    PublicKey: family.publicKey(entry, await singleMaterial(deps, key)),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...algorithmLists(key.keySpec, key.keyUsage),
  };
};
