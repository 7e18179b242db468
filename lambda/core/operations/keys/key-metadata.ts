/**
 * KeyMetadata (spec §2.2): one function renders it for CreateKey and DescribeKey, so the presence
 * rules live in one place. `key` must already be seen as of now (asOf).
 */
import { algorithmLists, supportsMultipleMaterials, type AlgorithmLists } from '../../crypto/key-specs';
import type { ExpirationModel, KeyRecord, KeySpec, KeyState, KeyUsage, Origin } from '../../model/key';
import { findMaterial } from '../../model/key';
import { earliestValidTo } from '../../model/key-state';

export interface KeyMetadata extends AlgorithmLists {
  readonly AWSAccountId: string;
  readonly KeyId: string;
  readonly Arn: string;
  readonly CreationDate: Date;
  readonly Enabled: boolean;
  readonly Description: string;
  readonly KeyUsage: KeyUsage;
  readonly KeyState: KeyState;
  /** Only while PendingDeletion. */
  readonly DeletionDate?: Date;
  /** EXTERNAL only: the earliest expiry among permanently associated, imported materials. */
  readonly ValidTo?: Date;
  readonly Origin: Origin;
  /** EXTERNAL only, and only while the current material is imported. */
  readonly ExpirationModel?: ExpirationModel;
  readonly KeyManager: 'CUSTOMER';
  readonly CustomerMasterKeySpec: KeySpec;
  readonly KeySpec: KeySpec;
  // The algorithm lists of the key's usage (AlgorithmLists): exactly one is present.
  readonly MultiRegion: false;
  /** Symmetric keys only. Set at the first import (creation for AWS_KMS); kept after that material is deleted. */
  readonly CurrentKeyMaterialId?: string;
}

export function keyMetadata(key: KeyRecord): KeyMetadata {
  // Stryker disable next-line ConditionalExpression: `true` is equivalent: only an import gives a material a validTo or an expirationModel, so an AWS_KMS key has neither to show (`false`, killed by the expiry tests, shares the name)
  const external = key.origin === 'EXTERNAL';
  const validTo = external ? earliestValidTo(key) : undefined;
  // Stryker disable next-line ConditionalExpression: `false` is equivalent: no material has an undefined id, so findMaterial finds none either (`true`, killed by the ExpirationModel tests, shares the name)
  const current = key.currentMaterialId === undefined ? undefined : findMaterial(key, key.currentMaterialId);
  const expirationModel = external && current?.importState === 'IMPORTED' ? current.expirationModel : undefined;
  return {
    AWSAccountId: key.scope.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    // Stryker disable next-line ConditionalExpression,LogicalOperator: deletionDate is set exactly while PendingDeletion (scheduleDeletion sets it, cancelDeletion clears it), so `key.state === 'PendingDeletion'` -> true and `||` are equivalent (`false`, killed by the deletion tests, shares the name)
    ...(key.state === 'PendingDeletion' && key.deletionDate && { DeletionDate: key.deletionDate }),
    ...(validTo && { ValidTo: validTo }),
    Origin: key.origin,
    ...(expirationModel && { ExpirationModel: expirationModel }),
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithmLists(key.keySpec, key.keyUsage),
    MultiRegion: false,
    ...(key.currentMaterialId !== undefined && supportsMultipleMaterials(key.keySpec) && { CurrentKeyMaterialId: key.currentMaterialId }),
  };
}
