import { UnsupportedOperationException, ValidationException } from '../../errors';
import { familyOf, type KeyFamily } from '../../crypto/families';
import { isKeySpec, keySpecEntry, type KeySpecEntry } from '../../crypto/key-specs';
import { keyMaterialId } from '../../crypto/material-id';
import { allowsPolicyUpdates } from '../../authorization/access';
import { materialIdKeyContext, noteKey, wrapMaterial } from '../../key-access';
import { keyArn } from '../../model/arn';
import type { KeyRecord, KeyUsage, Scope, Tag } from '../../model/key';
import type { Deps, RandomBytes, RequestContext } from '../../ports';
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

const SECRET_LENGTH = 32;

/** What a KeySpec and KeyUsage request resolves to once the key spec table has accepted it. */
interface ValidatedSpec {
  readonly entry: KeySpecEntry;
  readonly keyUsage: KeyUsage;
  readonly family: KeyFamily;
}

/**
 * The key spec checks of CreateKey, in AWS's order (spec §3, D40): the model has already refused unknown
 * enum values; then SM2 outside China partitions, a non-symmetric spec without KeyUsage, a usage the spec
 * does not allow; then what this service cannot build, and origins the spec does not take.
 */
function validateSpec(scope: Scope, keySpec: string, keyUsageInput: string | undefined, origin: string): ValidatedSpec {
  if (!isKeySpec(keySpec)) throw new ValidationException(`KeySpec ${keySpec} is not a valid key spec.`); // the model refuses it first
  const entry = keySpecEntry(keySpec);
  if (entry.chinaOnly && scope.partition !== 'aws-cn') throw new UnsupportedOperationException(`KeySpec ${keySpec} is not supported in this Region`);
  if (keyUsageInput === undefined && entry.family !== 'SYMMETRIC') {
    throw new ValidationException('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  const keyUsage = (keyUsageInput ?? 'ENCRYPT_DECRYPT') as KeyUsage;
  if (!entry.usages[keyUsage]) throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  const family = familyOf(keySpec);
  if (!family) throw new UnsupportedOperationException(`KeySpec ${keySpec} is not supported by this service.`);
  if (origin === 'EXTERNAL' && !entry.importRule) {
    throw new UnsupportedOperationException(`KeySpec ${keySpec} does not support imported key material: create it with Origin AWS_KMS.`);
  }
  return { entry, keyUsage, family };
}

/**
 * Creates a key of any spec in the key spec table. AWS_KMS (default): its family generates the one
 * CURRENT material and the key is Enabled. EXTERNAL: no material; the key waits in PendingImport.
 * Either way the key gets its own secret for KeyMaterialIds. A Policy is checked as PutKeyPolicy checks it and
 * stored as sent; without one the key has the default key policy. Enforce mode: the identity policy decides (D108).
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
  const spec = validateSpec(ctx.scope, input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT', input.KeyUsage, origin);
  const description = input.Description ?? '';
  checkLength(description.length, 'description', 0, 8192);
  validateTags(input.Tags ?? []);
  const tags = mergeTags([], input.Tags ?? []); // same count rule as TagResource
  if (input.Policy !== undefined) {
    checkPolicyWrite(input.Policy, {
      scope: ctx.scope,
      bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck ?? false,
      allowsUpdates: (document) => allowsPolicyUpdates(deps, ctx, ctx.scope, document),
    });
  }

  const creationDate = deps.clock.now();
  // Generated once (an RSA_4096 pair takes a second), off the event loop; zeroed once stored wrapped.
  const material = origin === 'AWS_KMS' ? await spec.family.generate(spec.entry, deps.random) : undefined;
  try {
    return await storeNewKey(deps, ctx, { creationDate, description, origin, tags, policy: input.Policy, spec, material });
  } finally {
    material?.fill(0);
  }
};

interface NewKey {
  readonly creationDate: Date;
  readonly description: string;
  readonly origin: 'AWS_KMS' | 'EXTERNAL';
  readonly tags: readonly Tag[];
  /** As sent; absent for the default key policy. */
  readonly policy: string | undefined;
  readonly spec: ValidatedSpec;
  readonly material: Uint8Array | undefined;
}

async function storeNewKey(deps: Deps, ctx: RequestContext, k: NewKey): Promise<CreateKeyOutput> {
  const { scope } = ctx;
  const { creationDate, description, origin, tags, policy, spec, material } = k;
  // A fresh id per attempt: the store refuses to create over an existing key (revision null).
  return deps.keyWrites.run(null, async () => {
    const keyId = randomUuid(deps.random);
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
        keyUsage: spec.keyUsage,
        keySpec: spec.entry.keySpec,
        state: origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
        materials: [],
        materialIdKeyWrapped: await deps.rootKey.wrap(secret, materialIdKeyContext({ scope, keyId })),
        tags,
        ...(policy !== undefined && { policy }),
        onDemandRotations: 0,
        revision: 0,
      };
      key = material ? await withGeneratedMaterial(deps, draft, secret, spec, material) : draft;
    } finally {
      secret.fill(0);
    }
    await deps.keys.putKey(key, { expectedRevision: null });
    noteKey(ctx, key);
    return { KeyMetadata: keyMetadata(key) };
  });
}

/** The key with its generated material as its one CURRENT material, wrapped by the root key. */
async function withGeneratedMaterial(
  deps: Pick<Deps, 'rootKey'>,
  key: KeyRecord,
  secret: Uint8Array,
  spec: ValidatedSpec,
  material: Uint8Array,
): Promise<KeyRecord> {
  await spec.family.load?.(spec.entry);
  const materialId = keyMaterialId(secret, key.keyId, spec.family.identity(spec.entry, material));
  const wrapped = await wrapMaterial(deps, key, materialId, material);
  return {
    ...key,
    currentMaterialId: materialId,
    materials: [{ materialId, materialState: 'CURRENT', importState: 'IMPORTED', wrapped }],
  };
}

/** A random (version 4) UUID in lower case, from the RandomBytes port. */
export function randomUuid(random: RandomBytes): string {
  const b = random(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
