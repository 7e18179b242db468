import { UnsupportedOperationException, ValidationException } from '../../errors';
import { keyMaterialId } from '../../crypto/material-id';
import { materialIdKeyContext, wrapMaterial } from '../../key-access';
import { keyArn } from '../../model/arn';
import { callerArn } from '../../model/caller';
import type { KeyRecord, Tag } from '../../model/key';
import type { Deps, RandomBytes } from '../../ports';
import { checkPolicyWrite } from '../../policy/key-policy';
import { keyMetadata, type KeyMetadata } from './key-metadata';
import { mergeTags, validateTags } from '../tags/tags';
import type { Operation } from '../types';
import { checkLength } from '../validation';

export interface CreateKeyInput {
  readonly Policy?: string;
  readonly Description?: string;
  readonly KeyUsage?: string;
  readonly KeySpec?: string;
  /** Deprecated alias of KeySpec. */
  readonly CustomerMasterKeySpec?: string;
  readonly Origin?: string;
  readonly CustomKeyStoreId?: string;
  readonly BypassPolicyLockoutSafetyCheck?: boolean;
  readonly Tags?: readonly Tag[];
  readonly MultiRegion?: boolean;
  readonly XksKeyId?: string;
}

export interface CreateKeyOutput {
  readonly KeyMetadata: KeyMetadata;
}

const MATERIAL_LENGTH = 32;
const SECRET_LENGTH = 32;

/**
 * Creates a symmetric key. AWS_KMS (default): 32 fresh random bytes become its one CURRENT material
 * and the key is Enabled. EXTERNAL: no material; the key waits in PendingImport. Either way the key
 * gets its own secret for KeyMaterialIds. A Policy is checked as PutKeyPolicy checks it and stored as
 * sent; without one the key has the default key policy. Policies are not enforced yet.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
 */
export const createKey: Operation<CreateKeyInput, CreateKeyOutput> = async (deps, ctx, input) => {
  const origin = input.Origin ?? 'AWS_KMS';
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE') {
    throw new UnsupportedOperationException(`Origin ${origin} is not supported by this service: only AWS_KMS and EXTERNAL keys can be created.`);
  }
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL') {
    throw new ValidationException(`1 validation error detected: Value '${origin}' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]`);
  }
  if (input.CustomKeyStoreId !== undefined) throw new UnsupportedOperationException('Custom key stores are not supported by this service.');
  if (input.XksKeyId !== undefined) throw new UnsupportedOperationException('External key stores (XksKeyId) are not supported by this service.');
  if (input.MultiRegion === true) throw new UnsupportedOperationException('Multi-Region keys are not supported by this service.');
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined && input.KeySpec !== input.CustomerMasterKeySpec) {
    throw new ValidationException('KeySpec and CustomerMasterKeySpec name different key specs; specify only KeySpec.');
  }
  const keySpec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  if (keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new UnsupportedOperationException(`KeySpec ${keySpec} is not supported by this service: only SYMMETRIC_DEFAULT keys are supported.`);
  }
  const keyUsage = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  if (keyUsage !== 'ENCRYPT_DECRYPT') throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  const description = input.Description ?? '';
  checkLength(description.length, 'description', 0, 8192);
  validateTags(input.Tags ?? []);
  const tags = mergeTags([], input.Tags ?? []); // same count rule as TagResource
  if (input.Policy !== undefined) {
    checkPolicyWrite(input.Policy, { scope: ctx.scope, callerArn: callerArn(ctx), bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck ?? false });
  }

  const creationDate = deps.clock.now();
  // A fresh id per attempt: the store refuses to create over an existing key (revision null).
  return deps.keyWrites.run(null, async () => {
    const keyId = randomUuid(deps.random);
    const scope = ctx.scope;
    let key: KeyRecord;
    const secret = deps.random(SECRET_LENGTH);
    try {
      const draft: KeyRecord = {
        scope,
        keyId,
        arn: keyArn(scope, keyId),
        creationDate,
        description,
        origin,
        keyUsage: 'ENCRYPT_DECRYPT',
        keySpec: 'SYMMETRIC_DEFAULT',
        state: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
        materials: [],
        materialIdKeyWrapped: await deps.rootKey.wrap(secret, materialIdKeyContext({ scope, keyId })),
        tags,
        ...(input.Policy !== undefined && { policy: input.Policy }),
        onDemandRotations: 0,
        revision: 0,
      };
      key = origin === 'EXTERNAL' ? draft : await withGeneratedMaterial(deps, draft, secret);
    } finally {
      secret.fill(0);
    }
    await deps.keys.putKey(key, { expectedRevision: null });
    return { KeyMetadata: keyMetadata(key) };
  });
};

async function withGeneratedMaterial(deps: Pick<Deps, 'random' | 'rootKey'>, key: KeyRecord, secret: Uint8Array): Promise<KeyRecord> {
  const material = deps.random(MATERIAL_LENGTH);
  try {
    const materialId = keyMaterialId(secret, key.keyId, material);
    const wrapped = await wrapMaterial(deps, key, materialId, material);
    return {
      ...key,
      currentMaterialId: materialId,
      materials: [{ materialId, materialState: 'CURRENT', importState: 'IMPORTED', wrapped }],
    };
  } finally {
    material.fill(0);
  }
}

/** A random (version 4) UUID in lower case, from the RandomBytes port. */
export function randomUuid(random: RandomBytes): string {
  const b = random(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
