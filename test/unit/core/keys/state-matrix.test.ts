/**
 * Spec §1.3: what an EXTERNAL key does in each state, for the actions of the key operations.
 * Every cell is checked against a key brought into that state through the operations themselves
 * (PendingImport through a deleted material, as after DeleteImportedKeyMaterial).
 */
import { describe, expect, test } from 'vitest';
import { cancelKeyDeletion } from '../../../../lambda/core/operations/deletion/cancel-key-deletion';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { deleteAlias } from '../../../../lambda/core/operations/aliases/delete-alias';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { disableKey } from '../../../../lambda/core/operations/keys/disable-key';
import { enableKey } from '../../../../lambda/core/operations/keys/enable-key';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKey } from '../../../../lambda/core/operations/cryptography/generate-data-key';
import { generateDataKeyWithoutPlaintext } from '../../../../lambda/core/operations/cryptography/generate-data-key-without-plaintext';
import { listAliases } from '../../../../lambda/core/operations/aliases/list-aliases';
import { listResourceTags } from '../../../../lambda/core/operations/tags/list-resource-tags';
import { reEncrypt } from '../../../../lambda/core/operations/cryptography/re-encrypt';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { tagResource } from '../../../../lambda/core/operations/tags/tag-resource';
import { untagResource } from '../../../../lambda/core/operations/tags/untag-resource';
import { updateAlias } from '../../../../lambda/core/operations/aliases/update-alias';
import { updateKeyDescription } from '../../../../lambda/core/operations/keys/update-key-description';
import type { KeyState } from '../../../../lambda/core/model/key';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { bytes, externalKeyWithMaterial, newKey, patchKey } from './helpers';

interface Subject {
  readonly deps: MemoryDeps;
  readonly keyId: string;
  readonly arn: string;
  /** Made while the key was Enabled. */
  readonly ciphertext: Uint8Array;
  /** An alias created while the key was Enabled, pointing at it. */
  readonly aliasName: string;
}

async function keyIn(state: KeyState): Promise<Subject> {
  const deps = memoryDeps();
  const { keyId, arn } = await externalKeyWithMaterial(deps);
  const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: keyId, Plaintext: bytes('secret') });
  await createAlias(deps, TEST_CTX, { AliasName: 'alias/subject', TargetKeyId: keyId });
  if (state === 'Disabled') await disableKey(deps, TEST_CTX, { KeyId: keyId });
  if (state === 'PendingDeletion') await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: keyId, PendingWindowInDays: 7 });
  if (state === 'PendingImport') {
    await patchKey(deps, keyId, (k) => ({
      ...k,
      state: 'PendingImport',
      materials: k.materials.map((m) => ({ materialId: m.materialId, materialState: m.materialState, importState: 'PENDING_IMPORT' })),
    }));
  }
  expect((await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata.KeyState).toBe(state);
  return { deps, keyId, arn, ciphertext: CiphertextBlob, aliasName: 'alias/subject' };
}

type Action = (s: Subject) => Promise<unknown>;

const ACTIONS: Record<string, Action> = {
  Encrypt: (s) => encrypt(s.deps, TEST_CTX, { KeyId: s.keyId, Plaintext: bytes('x') }),
  Decrypt: (s) => decrypt(s.deps, TEST_CTX, { CiphertextBlob: s.ciphertext }),
  ReEncrypt: (s) => reEncrypt(s.deps, TEST_CTX, { CiphertextBlob: s.ciphertext, DestinationKeyId: s.keyId }),
  GenerateDataKey: (s) => generateDataKey(s.deps, TEST_CTX, { KeyId: s.keyId, KeySpec: 'AES_256' }),
  GenerateDataKeyWithoutPlaintext: (s) => generateDataKeyWithoutPlaintext(s.deps, TEST_CTX, { KeyId: s.keyId, NumberOfBytes: 16 }),
  EnableKey: (s) => enableKey(s.deps, TEST_CTX, { KeyId: s.keyId }),
  DisableKey: (s) => disableKey(s.deps, TEST_CTX, { KeyId: s.keyId }),
  ScheduleKeyDeletion: (s) => scheduleKeyDeletion(s.deps, TEST_CTX, { KeyId: s.keyId, PendingWindowInDays: 10 }),
  CancelKeyDeletion: (s) => cancelKeyDeletion(s.deps, TEST_CTX, { KeyId: s.keyId }),
  TagResource: (s) => tagResource(s.deps, TEST_CTX, { KeyId: s.keyId, Tags: [{ TagKey: 't', TagValue: 'v' }] }),
  UntagResource: (s) => untagResource(s.deps, TEST_CTX, { KeyId: s.keyId, TagKeys: ['t'] }),
  CreateAlias: (s) => createAlias(s.deps, TEST_CTX, { AliasName: 'alias/another', TargetKeyId: s.keyId }),
  UpdateAliasToThisKey: async (s) => {
    const other = await newKey(s.deps);
    await createAlias(s.deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: other.KeyId });
    return updateAlias(s.deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: s.keyId });
  },
  UpdateAliasAwayFromThisKey: async (s) => {
    const other = await newKey(s.deps);
    return updateAlias(s.deps, TEST_CTX, { AliasName: s.aliasName, TargetKeyId: other.KeyId });
  },
  DeleteAlias: (s) => deleteAlias(s.deps, TEST_CTX, { AliasName: s.aliasName }),
  UpdateKeyDescription: (s) => updateKeyDescription(s.deps, TEST_CTX, { KeyId: s.keyId, Description: 'd' }),
  DescribeKey: (s) => describeKey(s.deps, TEST_CTX, { KeyId: s.keyId }),
  ListResourceTags: (s) => listResourceTags(s.deps, TEST_CTX, { KeyId: s.keyId }),
  ListAliases: (s) => listAliases(s.deps, TEST_CTX, { KeyId: s.keyId }),
};

const STATES: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'];
type Outcome = 'OK' | 'disabled' | 'pending deletion' | 'pending import' | 'not pending deletion';

const CRYPTO: Outcome[] = ['OK', 'disabled', 'pending deletion', 'pending import'];
const ENABLE_DISABLE: Outcome[] = ['OK', 'OK', 'pending deletion', 'pending import'];
const METADATA: Outcome[] = ['OK', 'OK', 'pending deletion', 'OK'];
const ALWAYS: Outcome[] = ['OK', 'OK', 'OK', 'OK'];

const MATRIX: Record<keyof typeof ACTIONS, Outcome[]> = {
  Encrypt: CRYPTO,
  Decrypt: CRYPTO,
  ReEncrypt: CRYPTO,
  GenerateDataKey: CRYPTO,
  GenerateDataKeyWithoutPlaintext: CRYPTO,
  EnableKey: ENABLE_DISABLE,
  DisableKey: ENABLE_DISABLE,
  ScheduleKeyDeletion: ['OK', 'OK', 'pending deletion', 'OK'],
  CancelKeyDeletion: ['not pending deletion', 'not pending deletion', 'OK', 'not pending deletion'],
  TagResource: METADATA,
  UntagResource: METADATA,
  CreateAlias: METADATA,
  UpdateAliasToThisKey: METADATA,
  UpdateAliasAwayFromThisKey: ALWAYS,
  DeleteAlias: ALWAYS,
  UpdateKeyDescription: METADATA,
  DescribeKey: ALWAYS,
  ListResourceTags: ALWAYS,
  ListAliases: ALWAYS,
};

const cells = Object.entries(MATRIX).flatMap(([action, outcomes]) => STATES.map((state, i) => [action, state, outcomes[i]!] as const));

describe('operation × state matrix for an EXTERNAL key (spec §1.3)', () => {
  test.each(cells)('%s on a %s key: %s', async (action, state, outcome) => {
    // GIVEN
    const subject = await keyIn(state);
    // WHEN
    const result = ACTIONS[action]!(subject);
    // THEN
    if (outcome === 'OK') {
      await expect(result).resolves.toBeDefined();
    } else if (outcome === 'disabled') {
      await expect(result).rejects.toMatchObject({ name: 'DisabledException', message: `${subject.arn} is disabled.` });
    } else if (outcome === 'not pending deletion') {
      await expect(result).rejects.toMatchObject({
        name: 'KMSInvalidStateException',
        message: `${subject.arn} is not pending deletion (or pending replica deletion).`,
      });
    } else {
      await expect(result).rejects.toMatchObject({ name: 'KMSInvalidStateException', message: `${subject.arn} is ${outcome}.` });
    }
  });
});

describe('state transitions through EnableKey and DisableKey', () => {
  test('Enabled → Disabled → Enabled, idempotent both ways', async () => {
    const s = await keyIn('Enabled');
    const state = async () => (await describeKey(s.deps, TEST_CTX, { KeyId: s.keyId })).KeyMetadata;
    await disableKey(s.deps, TEST_CTX, { KeyId: s.keyId });
    await disableKey(s.deps, TEST_CTX, { KeyId: s.arn });
    expect(await state()).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await enableKey(s.deps, TEST_CTX, { KeyId: s.keyId });
    await enableKey(s.deps, TEST_CTX, { KeyId: s.arn });
    expect(await state()).toMatchObject({ KeyState: 'Enabled', Enabled: true });
  });

  test.each(['EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'TagResource', 'UntagResource', 'ListResourceTags'])(
    'fails with NotFoundException when %s is given an alias (D18)',
    async (action) => {
      const s = await keyIn('Enabled');
      const run = ACTIONS[action]!;
      await expect(run({ ...s, keyId: s.aliasName })).rejects.toMatchObject({ name: 'NotFoundException', message: `Invalid keyId '${s.aliasName}'` });
    },
  );
});
