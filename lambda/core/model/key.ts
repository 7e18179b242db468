/**
 * The domain model of a KMS key as this service stores it. camelCase inside; the KMS wire names
 * (PascalCase) appear only in operation inputs and outputs.
 */

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
export type Origin = 'AWS_KMS' | 'EXTERNAL';
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT';
/** Every KeySpec of the pinned KMS model; what each can do is in crypto/key-specs.ts. */
export type KeySpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'RSA_4096'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1'
  | 'SYMMETRIC_DEFAULT'
  | 'HMAC_224'
  | 'HMAC_256'
  | 'HMAC_384'
  | 'HMAC_512'
  | 'SM2'
  | 'ML_DSA_44'
  | 'ML_DSA_65'
  | 'ML_DSA_87'
  | 'ECC_NIST_EDWARDS25519';
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
export type KeyMaterialState = 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION';
export type ImportState = 'IMPORTED' | 'PENDING_IMPORT';

/** One account in one Region of one partition: keys and aliases never cross it (design decision 5). */
export interface Scope {
  readonly partition: string; // 'aws', 'aws-cn', 'aws-us-gov'
  readonly account: string; // 12 digits
  readonly region: string;
}

export interface Tag {
  readonly TagKey: string;
  readonly TagValue: string;
}

export interface KeyMaterial {
  /** 64 lower-case hex: keyed hash of (key id, material) — see crypto/material-id.ts. */
  readonly materialId: string;
  readonly materialState: KeyMaterialState;
  /** AWS_KMS materials are always IMPORTED. */
  readonly importState: ImportState;
  /** The material wrapped by the root key; absent exactly when importState is PENDING_IMPORT. */
  readonly wrapped?: Uint8Array;
  /** EXTERNAL only, and only while imported. */
  readonly expirationModel?: ExpirationModel;
  /** Only with KEY_MATERIAL_EXPIRES. */
  readonly validTo?: Date;
  readonly description?: string;
  /** When the material became current through a rotation; absent for the first material. */
  readonly rotationDate?: Date;
  readonly rotationType?: 'ON_DEMAND' | 'AUTOMATIC';
}

export interface KeyRecord {
  readonly scope: Scope;
  readonly keyId: string;
  readonly arn: string;
  readonly creationDate: Date;
  readonly description: string;
  readonly origin: Origin;
  readonly keyUsage: KeyUsage;
  readonly keySpec: KeySpec;
  readonly state: KeyState;
  /** Only while PendingDeletion. */
  readonly deletionDate?: Date;
  /** Set at the first import (or creation for AWS_KMS); kept after that material is deleted. */
  readonly currentMaterialId?: string;
  /** Every material associated with the key: CURRENT, NON_CURRENT and at most one PENDING_ROTATION. */
  readonly materials: readonly KeyMaterial[];
  /** The per-key secret that keys the KeyMaterialId hash, wrapped by the root key. */
  readonly materialIdKeyWrapped: Uint8Array;
  readonly tags: readonly Tag[];
  /**
   * The key policy exactly as CreateKey or PutKeyPolicy received it; absent for a key created without
   * one, whose policy is the default key policy (policy/key-policy.ts `keyPolicyOf`).
   */
  readonly policy?: string;
  /** Automatic rotation, while it is enabled (symmetric AWS_KMS keys only). */
  readonly automaticRotation?: AutomaticRotation;
  /** Completed on-demand rotations (limit D6). */
  readonly onDemandRotations: number;
  /** Owned by the store: the revision this record was read at; 0 before the first save. */
  readonly revision: number;
}

export interface AutomaticRotation {
  /** 90..2560 days. */
  readonly periodInDays: number;
  /** When the current period began: the enable date, or the last automatic rotation; NextRotationDate is a period later. */
  readonly periodStart: Date;
  /** The material the next automatic rotation makes current, generated ahead (model/automatic-rotation.ts). */
  readonly nextMaterial?: { readonly materialId: string; readonly wrapped: Uint8Array };
}

export interface AliasRecord {
  readonly scope: Scope;
  /** Full name including the `alias/` prefix. */
  readonly aliasName: string;
  readonly targetKeyId: string;
  readonly creationDate: Date;
  readonly lastUpdatedDate: Date;
}

/** Materials that the key cannot work without (everything except a staged PENDING_ROTATION material). */
export function permanentMaterials(key: KeyRecord): readonly KeyMaterial[] {
  return key.materials.filter((m) => m.materialState !== 'PENDING_ROTATION');
}

export function allPermanentMaterialsImported(key: KeyRecord): boolean {
  const permanent = permanentMaterials(key);
  return permanent.length > 0 && permanent.every((m) => m.importState === 'IMPORTED');
}

export function findMaterial(key: KeyRecord, materialId: string): KeyMaterial | undefined {
  return key.materials.find((m) => m.materialId === materialId);
}
