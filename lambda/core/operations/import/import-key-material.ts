import { familyOf } from '../../crypto/families';
import { openImportToken } from '../../crypto/import-token';
import { keySpecEntry, supportsMultipleMaterials } from '../../crypto/key-specs';
import { keyMaterialId } from '../../crypto/material-id';
import { unwrapKeyMaterial } from '../../crypto/wrapping';
import {
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  KMSInternalException,
  KMSInvalidStateException,
  UnwrapError,
  ValidationException,
} from '../../errors';
import { changeKey, materialIdKeyContext, resolveKey, saveKey, wrapMaterial } from '../../key-access';
import { allPermanentMaterialsImported, type ExpirationModel, findMaterial, type KeyMaterial, type KeyRecord } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';
import { materialNotFound } from './delete-imported-key-material';
import { assertExternal } from './get-parameters-for-import';

const DAY_MS = 86_400_000;
const MAX_VALIDITY_MS = 365 * DAY_MS;

export type ImportType = 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';

export interface ImportKeyMaterialInput {
  readonly KeyId: string;
  readonly ImportToken: Uint8Array;
  readonly EncryptedKeyMaterial: Uint8Array;
  readonly ValidTo?: Date;
  readonly ExpirationModel?: ExpirationModel;
  readonly ImportType?: ImportType;
  readonly KeyMaterialDescription?: string;
  readonly KeyMaterialId?: string;
}

export interface ImportKeyMaterialOutput {
  readonly KeyId: string; // the key ARN (D14)
  /** Symmetric keys only: asymmetric and HMAC keys have one material and no ids (spec §13.4). */
  readonly KeyMaterialId?: string;
}

interface Expiry {
  readonly expirationModel: ExpirationModel;
  readonly validTo?: Date;
}

/** ExpirationModel defaults to KEY_MATERIAL_EXPIRES, which needs a ValidTo in (now, now + 365 days] (D12). */
function expiryOf(input: ImportKeyMaterialInput, now: Date): Expiry {
  const expirationModel = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
  const validTo = input.ValidTo;
  if (expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    if (validTo !== undefined) {
      throw new ValidationException('A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE');
    }
    return { expirationModel };
  }
  if (validTo === undefined) throw new ValidationException('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  if (Number.isNaN(validTo.getTime())) throw new ValidationException('The validTo date is not a valid date.');
  if (validTo.getTime() <= now.getTime()) throw new ValidationException('The validTo date must be in the future.');
  if (validTo.getTime() - now.getTime() > MAX_VALIDITY_MS) {
    throw new ValidationException('The validTo date must be no more than 365 days after the request.');
  }
  return { expirationModel, validTo };
}

function keyMaterialIdWithNew(): ValidationException {
  return new ValidationException('KeyMaterialId must not be specified when ImportType is NEW_KEY_MATERIAL.');
}

/**
 * The material to store, unwrapped with the token's private key and read by the key's family (its
 * canonical form: raw bytes, or a re-encoded PKCS#8); throws the errors of spec §2.5 and §13.1.
 */
async function openMaterial(deps: Pick<Deps, 'rootKey' | 'clock'>, key: KeyRecord, input: ImportKeyMaterialInput): Promise<Uint8Array> {
  const token = await openImportToken(deps, key, input.ImportToken);
  const plaintext = unwrapKeyMaterial(token.privateKey, token.algorithm, input.EncryptedKeyMaterial);
  if (!plaintext) {
    throw new InvalidCiphertextException('The key material could not be unwrapped with the private key and wrapping algorithm of the import token.');
  }
  try {
    const family = familyOf(key.keySpec);
    // Stryker disable next-line ConditionalExpression: unreachable: CreateKey makes no key without a family (and were one stored, the next line's TypeError would answer KMSInternalException too)
    if (!family) throw new KMSInternalException(); // CreateKey makes no key it cannot build
    return family.readImported(keySpecEntry(key.keySpec), plaintext);
    // A surviving mutant (this block emptied), left unmarked: a next-line directive cannot reach a finally or catch
    // block. Not equivalent, but unreachable by a test: these bytes come from node:crypto inside unwrapKeyMaterial and
    // every family copies them, so no port ever holds them.
  } finally {
    plaintext.fill(0);
  }
}

/** D45: the same key (by its public key) or the same bytes (symmetric, HMAC) give the same KeyMaterialId. */
async function materialIdOf(deps: Pick<Deps, 'rootKey'>, key: KeyRecord, material: Uint8Array): Promise<string> {
  const family = familyOf(key.keySpec)!;
  await family.load?.(keySpecEntry(key.keySpec));
  const identity = family.identity(keySpecEntry(key.keySpec), material);
  let idKey: Uint8Array;
  try {
    idKey = await deps.rootKey.unwrap(key.materialIdKeyWrapped, materialIdKeyContext(key));
  } catch (err) {
    if (err instanceof UnwrapError) throw new KMSInternalException(undefined, { cause: err });
    throw err;
  }
  try {
    return keyMaterialId(idKey, key.keyId, identity);
  } finally {
    idKey.fill(0);
  }
}

/** D9: asymmetric and HMAC keys have one material; the multi-material members are for symmetric keys only. */
function assertSingleMaterialRequest(key: KeyRecord, input: ImportKeyMaterialInput): void {
  if (input.ImportType !== undefined || input.KeyMaterialId !== undefined || input.KeyMaterialDescription !== undefined) {
    throw new ValidationException(
      `ImportType, KeyMaterialId and KeyMaterialDescription are only usable with symmetric encryption keys; ${key.arn} has key spec ${key.keySpec}.`,
    );
  }
}

/** A material as stored after an import: wrapped, with this import's expiry settings and description. */
function importedMaterial(
  base: Pick<KeyMaterial, 'materialId' | 'materialState' | 'rotationDate' | 'rotationType'>,
  wrapped: Uint8Array,
  expiry: Expiry,
  description: string | undefined,
): KeyMaterial {
  return {
    materialId: base.materialId,
    materialState: base.materialState,
    importState: 'IMPORTED',
    wrapped,
    expirationModel: expiry.expirationModel,
    ...(expiry.validTo && { validTo: expiry.validTo }),
    // Stryker disable next-line ConditionalExpression: a description member holding undefined is no description to every reader (item codec, ListKeyRotations)
    ...(description !== undefined && { description }),
    ...(base.rotationDate && { rotationDate: base.rotationDate }),
    ...(base.rotationType && { rotationType: base.rotationType }),
  };
}

/**
 * Imports key material into an EXTERNAL key: the first material, the same material again (to restore
 * it after deletion or expiry, or to change its expiry), or new material staged for rotation (spec
 * §2.5, §6). Material is stored only wrapped by the root key.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
 */
export async function importKeyMaterial(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'rootKey' | 'keyWrites'>,
  ctx: RequestContext,
  input: ImportKeyMaterialInput,
): Promise<ImportKeyMaterialOutput> {
  const expiry = expiryOf(input, deps.clock.now());
  if (input.ImportType === 'NEW_KEY_MATERIAL' && input.KeyMaterialId !== undefined) throw keyMaterialIdWithNew();

  let material: Uint8Array | undefined; // unwrapped once, reused if the conditional write is retried
  try {
    return await changeKey(deps, ctx, input.KeyId, async () => {
      // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
      const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
      const { key } = loaded;
      assertExternal(key);
      assertAccepts(key, 'ImportMaterial');
      const multipleMaterials = supportsMultipleMaterials(key.keySpec);
      if (!multipleMaterials) assertSingleMaterialRequest(key, input);
      const importType: ImportType = input.ImportType ?? (key.currentMaterialId === undefined ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
      if (importType === 'NEW_KEY_MATERIAL' && input.KeyMaterialId !== undefined) throw keyMaterialIdWithNew();
      if (input.KeyMaterialId !== undefined && !findMaterial(key, input.KeyMaterialId)) throw materialNotFound(key, input.KeyMaterialId);

      material ??= await openMaterial(deps, key, input);
      const materialId = await materialIdOf(deps, key, material);
      const existing = findMaterial(key, materialId);
      let materials: KeyMaterial[];
      let currentMaterialId = key.currentMaterialId;

      if (importType === 'EXISTING_KEY_MATERIAL') {
        if (input.KeyMaterialId !== undefined && input.KeyMaterialId !== materialId) {
          throw new IncorrectKeyMaterialException(`The key material does not match the key material with id ${input.KeyMaterialId}.`);
        }
        if (!existing && !multipleMaterials) {
          throw new IncorrectKeyMaterialException(
            `The key material is not the key material previously imported into ${key.arn}: a ${key.keySpec} KMS key accepts only the key material first imported into it.`,
          );
        }
        if (!existing) {
          throw new IncorrectKeyMaterialException(
            `The key material is not associated with ${key.arn}. To import different key material, set ImportType to NEW_KEY_MATERIAL.`,
          );
        }
        // A material still imported keeps its blob; a deleted or expired one (no blob) is wrapped again.
        const wrapped = existing.wrapped ?? (await wrapMaterial(deps, key, materialId, material));
        const reimported = importedMaterial(existing, wrapped, expiry, input.KeyMaterialDescription ?? existing.description);
        materials = key.materials.map((m) => (m === existing ? reimported : m));
      } else {
        if (existing) {
          throw new IncorrectKeyMaterialException(
            `The key material (id: ${materialId}) is already associated with ${key.arn}. To re-import it, set ImportType to EXISTING_KEY_MATERIAL.`,
          );
        }
        const pending = key.materials.find((m) => m.materialState === 'PENDING_ROTATION');
        if (pending) {
          throw new KMSInvalidStateException(
            `New key material (id: ${materialId}) cannot be imported into KMS key ${key.arn}, because another key material (id: ${pending.materialId}) is pending rotation.`,
          );
        }
        const first = key.currentMaterialId === undefined;
        const wrapped = await wrapMaterial(deps, key, materialId, material);
        const added = importedMaterial({ materialId, materialState: first ? 'CURRENT' : 'PENDING_ROTATION' }, wrapped, expiry, input.KeyMaterialDescription);
        materials = [...key.materials, added];
        if (first) currentMaterialId = materialId;
      }

      // Stryker disable next-line ConditionalExpression: never undefined here (a first import sets it, every later import finds it set); the condition is for the type only
      const imported: KeyRecord = { ...key, materials, ...(currentMaterialId !== undefined && { currentMaterialId }) };
      // D2: PendingImport becomes Enabled once every permanent material is back; Enabled and Disabled are kept.
      const next: KeyRecord = {
        ...imported,
        state: key.state === 'PendingImport' && allPermanentMaterialsImported(imported) ? 'Enabled' : key.state,
      };
      await saveKey(deps, loaded, next);
      // A re-import may move ValidTo earlier: never serve a cached copy under the old expiry.
      deps.materialCache.evict(key.arn, materialId);
      return { KeyId: key.arn, ...(multipleMaterials && { KeyMaterialId: materialId }) };
    });
  } finally {
    material?.fill(0);
  }
}
