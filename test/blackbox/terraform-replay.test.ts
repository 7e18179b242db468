/**
 * The Terraform AWS provider's call sequences for `aws_kms_key` and `aws_kms_external_key`
 * (hashicorp/terraform-provider-aws internal/service/kms/key.go, external_key.go, tags_gen.go), replayed
 * call for call through @aws-sdk/client-kms: create (with the provider's propagation waits), read, update
 * (rotation, description, policy, enabled, tags), import and destroy. Every call must succeed and answer
 * the members the provider reads, with their types; the policy must come back equivalent (here: identical)
 * to what the provider sent. The provider's waits poll until a condition holds several times in a row; a
 * service that is consistent at once passes each on its first polls, so no delay is needed.
 */
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateKeyDescriptionCommand,
  type KeyMetadata,
  type Tag,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { rememberSecret, useLocalServer } from './helpers';

const local = useLocalServer();

// Open mode: the default credentials act as account 000000000000.
const ACCOUNT = '000000000000';

/** Every SDK call the replay makes, by operation name. */
const calls: string[] = [];
async function send<T>(command: { constructor: { name: string } }): Promise<T> {
  calls.push(command.constructor.name.replace(/Command$/, ''));
  return (await local.kms.send(command as never)) as T;
}

/** tfresource.WaitUntil: the check must hold `times` polls in a row (the provider's ContinuousTargetOccurence). */
async function waitUntil(times: number, check: () => Promise<boolean>): Promise<void> {
  let inARow = 0;
  for (let poll = 0; poll < times + 10; poll++) {
    inARow = (await check()) ? inARow + 1 : 0;
    if (inARow === times) return;
  }
  throw new Error(`the condition did not hold ${times} times in a row`);
}

/** structure.NormalizeJsonString: Go's json.Marshal of the parsed document (compact, object keys sorted). */
function normalizeJson(json: string): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sort(x)])) : v;
  return JSON.stringify(sort(JSON.parse(json)));
}

const tagsOf = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue }));

function policyDocument(sid: string): string {
  return normalizeJson(JSON.stringify({
    Version: '2012-10-17',
    Id: 'terraform',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: sid, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'], Resource: '*' },
    ],
  }));
}

/** listTags: the ListResourceTags paginator. */
async function listTags(keyId: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const page = await send<{ Tags?: Tag[]; NextMarker?: string; Truncated?: boolean }>(new ListResourceTagsCommand({ KeyId: keyId, ...(marker && { Marker: marker }) }));
    for (const t of page.Tags ?? []) tags[t.TagKey!] = t.TagValue!;
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return tags;
}

/** The state the provider keeps after a read: what each resource's flatten function sets. */
interface KeyState {
  readonly metadata: KeyMetadata;
  readonly policy: string;
  readonly rotation?: { readonly enabled: boolean; readonly period?: number };
  readonly tags: Record<string, string>;
}

/** findKeyInfo: DescribeKey, GetKeyPolicy, GetKeyRotationStatus (AWS_KMS keys only), ListResourceTags. */
async function read(keyId: string): Promise<KeyState> {
  const { KeyMetadata: metadata } = await send<{ KeyMetadata?: KeyMetadata }>(new DescribeKeyCommand({ KeyId: keyId }));
  expect(metadata, 'DescribeKey.KeyMetadata').toBeDefined();
  const { Policy } = await send<{ Policy?: string }>(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
  const policy = normalizeJson(Policy!); // "policy contains invalid JSON" otherwise
  let rotation: KeyState['rotation'];
  if (metadata!.Origin === 'AWS_KMS') {
    const status = await send<{ KeyRotationEnabled?: boolean; RotationPeriodInDays?: number }>(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(typeof status.KeyRotationEnabled).toBe('boolean');
    rotation = { enabled: status.KeyRotationEnabled!, ...(status.RotationPeriodInDays !== undefined && { period: status.RotationPeriodInDays }) };
  }
  const state = { metadata: metadata!, policy, ...(rotation && { rotation }), tags: await listTags(keyId) };
  // the members resourceKeyFlatten / resourceExternalKeyRead set, with their types
  const m = state.metadata;
  expect(m).toMatchObject({ Arn: expect.stringMatching(/^arn:aws:kms:/), KeyId: keyId, KeyUsage: 'ENCRYPT_DECRYPT', KeyManager: 'CUSTOMER', MultiRegion: false });
  expect(typeof m.Description).toBe('string');
  expect(typeof m.Enabled).toBe('boolean');
  expect(m.MultiRegionConfiguration).toBeUndefined();
  expect(m.CustomKeyStoreId).toBeUndefined();
  expect(m.XksKeyConfiguration).toBeUndefined();
  return state;
}

async function updateKeyRotation(keyId: string, enabled: boolean, period: number): Promise<void> {
  await send(enabled ? new EnableKeyRotationCommand({ KeyId: keyId, ...(period > 0 && { RotationPeriodInDays: period }) }) : new DisableKeyRotationCommand({ KeyId: keyId }));
  await waitUntil(5, async () => {
    const s = await send<{ KeyRotationEnabled?: boolean; RotationPeriodInDays?: number }>(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    return period !== 0 && s.RotationPeriodInDays !== undefined ? s.KeyRotationEnabled === enabled && s.RotationPeriodInDays === period : s.KeyRotationEnabled === enabled;
  });
}

async function updateKeyEnabled(keyId: string, enabled: boolean): Promise<void> {
  await send(enabled ? new EnableKeyCommand({ KeyId: keyId }) : new DisableKeyCommand({ KeyId: keyId }));
  await waitUntil(15, async () => (await send<{ KeyMetadata?: KeyMetadata }>(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.Enabled === enabled);
}

async function updateKeyDescription(keyId: string, description: string): Promise<void> {
  await send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: description }));
  await waitUntil(5, async () => (await send<{ KeyMetadata?: KeyMetadata }>(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.Description === description);
}

async function waitKeyPolicyPropagated(keyId: string, policy: string): Promise<void> {
  await waitUntil(5, async () => {
    const { Policy } = await send<{ Policy?: string }>(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
    return normalizeJson(Policy!) === normalizeJson(policy);
  });
}

async function updateKeyPolicy(keyId: string, policy: string): Promise<void> {
  const normalized = normalizeJson(policy);
  await send(new PutKeyPolicyCommand({ BypassPolicyLockoutSafetyCheck: false, KeyId: keyId, Policy: normalized, PolicyName: 'default' }));
  await waitKeyPolicyPropagated(keyId, normalized);
}

async function waitTagsPropagated(keyId: string, tags: Record<string, string>): Promise<void> {
  await waitUntil(5, async () => JSON.stringify(Object.entries(await listTags(keyId)).sort()) === JSON.stringify(Object.entries(tags).sort()));
}

/** updateTags (tags_gen.go): untag what went, tag what is new or changed, wait. */
async function updateTags(keyId: string, before: Record<string, string>, after: Record<string, string>): Promise<void> {
  const removed = Object.keys(before).filter((k) => !(k in after));
  const updated = Object.entries(after).filter(([k, v]) => before[k] !== v);
  if (removed.length > 0) await send(new UntagResourceCommand({ KeyId: keyId, TagKeys: removed }));
  if (updated.length > 0) await send(new TagResourceCommand({ KeyId: keyId, Tags: tagsOf(Object.fromEntries(updated)) }));
  if (removed.length > 0 || updated.length > 0) await waitTagsPropagated(keyId, after);
}

/** resourceKeyDelete / resourceExternalKeyDelete: schedule deletion, then wait until DescribeKey reads PendingDeletion. */
async function destroy(keyId: string, windowDays: number): Promise<void> {
  await send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: windowDays }));
  await waitUntil(1, async () => (await send<{ KeyMetadata?: KeyMetadata }>(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState === 'PendingDeletion');
}

describe('aws_kms_key', () => {
  test('create with a policy, tags and a 180-day rotation; read; update rotation, description, policy, tags and enabled; import; destroy', async () => {
    calls.length = 0;
    // resource "aws_kms_key" { description, policy, enable_key_rotation = true, rotation_period_in_days = 180, tags, deletion_window_in_days = 7 }
    const policy = policyDocument('app');
    const tags = { env: 'test', team: 'payments' };

    // ---- create
    const { KeyMetadata } = await send<{ KeyMetadata: KeyMetadata }>(
      new CreateKeyCommand({ BypassPolicyLockoutSafetyCheck: false, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Tags: tagsOf(tags), Description: 'terraform key', Policy: policy }),
    );
    const keyId = KeyMetadata.KeyId!;
    await updateKeyRotation(keyId, true, 180);
    await waitKeyPolicyPropagated(keyId, policy);
    await waitTagsPropagated(keyId, tags);
    const created = await read(keyId);
    expect(created.policy).toBe(policy);
    expect(created.rotation).toEqual({ enabled: true, period: 180 });
    expect(created.tags).toEqual(tags);
    expect(created.metadata).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', Description: 'terraform key', Enabled: true, Origin: 'AWS_KMS' });
    expect(calls.slice(0, 2)).toEqual(['CreateKey', 'EnableKeyRotation']);

    // ---- refresh (plan): the same read, unchanged
    expect(await read(keyId)).toEqual(created);

    // ---- update 1: rotation period, description, policy and tags
    const policy2 = policyDocument('app-v2');
    const tags2 = { env: 'prod', owner: 'ops' };
    await updateKeyRotation(keyId, true, 365);
    await updateKeyDescription(keyId, 'terraform key, renamed');
    await updateKeyPolicy(keyId, policy2);
    await updateTags(keyId, tags, tags2);
    const updated = await read(keyId);
    expect(updated).toMatchObject({ policy: policy2, rotation: { enabled: true, period: 365 }, tags: tags2 });
    expect(updated.metadata.Description).toBe('terraform key, renamed');

    // ---- update 2: enable_key_rotation = false; update 3: is_enabled = false (disabled last)
    await updateKeyRotation(keyId, false, 0);
    expect((await read(keyId)).rotation).toEqual({ enabled: false });
    await updateKeyEnabled(keyId, false);
    expect((await read(keyId)).metadata).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
    // ... and back on (enabled first, before anything else changes)
    await updateKeyEnabled(keyId, true);

    // ---- terraform import: a read with nothing in state
    const imported = await read(keyId);
    expect(imported.metadata.Arn).toBe(KeyMetadata.Arn);

    // ---- destroy
    await destroy(keyId, 7);
  });

  test('a key created without a policy reads the default key policy and rotation off', async () => {
    // resource "aws_kms_key" {} — customer_master_key_spec and key_usage take their defaults
    const { KeyMetadata } = await send<{ KeyMetadata: KeyMetadata }>(new CreateKeyCommand({ BypassPolicyLockoutSafetyCheck: false, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }));
    const state = await read(KeyMetadata.KeyId!);
    expect(JSON.parse(state.policy)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
    });
    expect(state.rotation).toEqual({ enabled: false });
    expect(state.tags).toEqual({});
    await destroy(KeyMetadata.KeyId!, 30);
  });
});

describe('aws_kms_external_key', () => {
  /** importExternalKeyMaterial: RSAES_OAEP_SHA_256 / RSA_2048 parameters, RSA-OAEP (SHA-256) wrapping, ImportKeyMaterial. */
  async function importExternalKeyMaterial(keyId: string, material: Buffer, validTo: string): Promise<void> {
    const params = await send<{ PublicKey?: Uint8Array; ImportToken?: Uint8Array }>(
      new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
    );
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' }); // x509.ParsePKIXPublicKey
    const encrypted = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    await send(
      new ImportKeyMaterialCommand({
        EncryptedKeyMaterial: encrypted,
        ImportToken: params.ImportToken,
        KeyId: keyId,
        ...(validTo ? { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(validTo) } : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
      }),
    );
    // waitKeyMaterialImported, then waitKeyValidToPropagated (ValidTo formatted as RFC 3339, seconds)
    await waitUntil(1, async () => ['Enabled', 'Disabled'].includes((await send<{ KeyMetadata?: KeyMetadata }>(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState!));
    await waitUntil(5, async () => {
      const { ValidTo } = (await send<{ KeyMetadata?: KeyMetadata }>(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
      return ValidTo ? ValidTo.toISOString().replace(/\.\d{3}Z$/, 'Z') === validTo : validTo === '';
    });
  }

  test('create with material, valid_to, a policy and tags; read; update description, policy, valid_to, enabled and tags; destroy', async () => {
    calls.length = 0;
    // resource "aws_kms_external_key" { key_material_base64, valid_to, description, policy, tags, deletion_window_in_days = 7 }
    const material = randomBytes(32);
    rememberSecret(material);
    const rfc3339 = (days: number) => new Date(Math.floor(Date.now() / 1000 + days * 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const validTo = rfc3339(30);
    const policy = policyDocument('external');
    const tags = { env: 'test' };

    // ---- create
    const { KeyMetadata } = await send<{ KeyMetadata: KeyMetadata }>(
      new CreateKeyCommand({ BypassPolicyLockoutSafetyCheck: false, KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'EXTERNAL', Tags: tagsOf(tags), Description: 'terraform byok', Policy: policy }),
    );
    const keyId = KeyMetadata.KeyId!;
    await importExternalKeyMaterial(keyId, material, validTo);
    await waitKeyPolicyPropagated(keyId, policy);
    await waitTagsPropagated(keyId, tags);
    const created = await read(keyId);
    expect(created.rotation).toBeUndefined(); // no GetKeyRotationStatus for an EXTERNAL key
    expect(created).toMatchObject({ policy, tags });
    expect(created.metadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'Enabled', Enabled: true, ExpirationModel: 'KEY_MATERIAL_EXPIRES', Description: 'terraform byok' });
    expect(created.metadata.ValidTo!.toISOString().replace(/\.\d{3}Z$/, 'Z')).toBe(validTo);
    expect(calls.slice(0, 4)).toEqual(['CreateKey', 'GetParametersForImport', 'ImportKeyMaterial', 'DescribeKey']);
    expect(calls).not.toContain('GetKeyRotationStatus');

    // ---- update: description, policy, valid_to (the same material imported again), tags, then enabled = false last
    const policy2 = policyDocument('external-v2');
    const validTo2 = rfc3339(60);
    await updateKeyDescription(keyId, 'terraform byok, renamed');
    await updateKeyPolicy(keyId, policy2);
    await importExternalKeyMaterial(keyId, material, validTo2);
    await updateKeyEnabled(keyId, false);
    await updateTags(keyId, tags, { env: 'prod' });
    const updated = await read(keyId);
    expect(updated).toMatchObject({ policy: policy2, tags: { env: 'prod' } });
    expect(updated.metadata).toMatchObject({ Description: 'terraform byok, renamed', Enabled: false, KeyState: 'Disabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(updated.metadata.ValidTo!.toISOString().replace(/\.\d{3}Z$/, 'Z')).toBe(validTo2);

    // ---- destroy
    await destroy(keyId, 7);
  });
});
