/** Key and alias records for store tests: every optional field set, or none. */
import { randomBytes, randomUUID } from 'node:crypto';
import { keyArn } from '../../../lambda/core/model/arn';
import type { GrantRecord } from '../../../lambda/core/model/grant';
import type { AliasRecord, KeyMaterial, KeyRecord, Scope } from '../../../lambda/core/model/key';

export const SCOPE_A: Scope = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
export const SCOPE_OTHER_ACCOUNT: Scope = { partition: 'aws', account: '444455556666', region: 'us-east-1' };
export const SCOPE_OTHER_REGION: Scope = { partition: 'aws', account: '111122223333', region: 'eu-west-1' };
export const SCOPE_OTHER_PARTITION: Scope = { partition: 'aws-cn', account: '111122223333', region: 'us-east-1' };

const bytes = (n: number) => new Uint8Array(randomBytes(n));
const hex64 = () => randomBytes(32).toString('hex');

/** A key with every optional field of the key and of its materials set (the stored revision is 0). */
export function fullKey(scope: Scope = SCOPE_A, keyId: string = randomUUID()): KeyRecord {
  const current: KeyMaterial = {
    materialId: hex64(),
    materialState: 'CURRENT',
    importState: 'IMPORTED',
    wrapped: bytes(61),
    expirationModel: 'KEY_MATERIAL_EXPIRES',
    validTo: new Date('2031-02-03T04:05:06.789Z'),
    description: 'second import',
    rotationDate: new Date('2030-06-01T12:00:00.001Z'),
    rotationType: 'ON_DEMAND',
  };
  const previous: KeyMaterial = {
    materialId: hex64(),
    materialState: 'NON_CURRENT',
    importState: 'PENDING_IMPORT',
    expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    description: '',
  };
  const staged: KeyMaterial = { materialId: hex64(), materialState: 'PENDING_ROTATION', importState: 'IMPORTED', wrapped: bytes(61) };
  return {
    scope,
    keyId,
    arn: keyArn(scope, keyId),
    creationDate: new Date('2030-01-01T00:00:00.123Z'),
    description: 'volume key — ünïcode ✓',
    origin: 'EXTERNAL',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    state: 'PendingDeletion',
    deletionDate: new Date('2030-01-31T00:00:00.000Z'),
    currentMaterialId: current.materialId,
    materials: [current, previous, staged],
    materialIdKeyWrapped: bytes(61),
    tags: [
      { TagKey: 'team', TagValue: 'storage' },
      { TagKey: 'empty', TagValue: '' },
    ],
    // kept byte for byte: the compact input, the tab, the Latin-1 character
    policy: '{"Version":"2012-10-17","Statement":[{"Sid":"caf\u00e9\tteam","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"kms:*","Resource":"*"}]}\n',
    automaticRotation: { periodInDays: 180, periodStart: new Date('2030-02-01T00:00:00.456Z'), nextMaterial: { materialId: hex64(), wrapped: bytes(61) } },
    onDemandRotations: 2,
    revision: 0,
  };
}

/** A fresh EXTERNAL key awaiting import: no optional field at all. */
export function bareKey(scope: Scope = SCOPE_A, keyId: string = randomUUID()): KeyRecord {
  return {
    scope,
    keyId,
    arn: keyArn(scope, keyId),
    creationDate: new Date('2030-01-01T00:00:00.000Z'),
    description: '',
    origin: 'EXTERNAL',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    state: 'PendingImport',
    materials: [],
    materialIdKeyWrapped: bytes(61),
    tags: [],
    onDemandRotations: 0,
    revision: 0,
  };
}

export function anAlias(scope: Scope, aliasName: string, targetKeyId: string): AliasRecord {
  return {
    scope,
    aliasName,
    targetKeyId,
    creationDate: new Date('2030-01-01T00:00:00.000Z'),
    lastUpdatedDate: new Date('2030-01-02T00:00:00.000Z'),
  };
}

/** A grant of `keyId` with every optional field set (constraints with awkward context keys), or none. */
export function aGrant(scope: Scope, keyId: string, options: { grantId?: string; bare?: boolean; grantee?: string; retiring?: string } = {}): GrantRecord {
  const base: GrantRecord = {
    scope,
    keyId,
    grantId: options.grantId ?? hex64(),
    creationDate: new Date('2030-03-04T05:06:07.890Z'),
    granteePrincipal: options.grantee ?? 'arn:aws:iam::111122223333:role/App',
    operations: ['Decrypt', 'GenerateDataKey'],
    issuingAccount: `arn:${scope.partition}:iam::${scope.account}:root`,
    issuingPrincipal: `arn:${scope.partition}:iam::${scope.account}:root`,
  };
  if (options.bare) return options.retiring === undefined ? base : { ...base, retiringPrincipal: options.retiring };
  return {
    ...base,
    name: 'volume-attach/1',
    retiringPrincipal: options.retiring ?? 'arn:aws:iam::111122223333:role/Retirer',
    operations: ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'CreateGrant'],
    constraints: {
      encryptionContextSubset: { Department: 'IT', '': 'empty key', 'a.b#c': 'ünïcode ✓', __proto__x: '' },
      encryptionContextEquals: { purpose: 'backup' },
    },
  };
}
