/**
 * Key metadata and lifecycle through the real SDK: CreateKey, DescribeKey (the four key forms and the
 * lookup errors), ListKeys paging, UpdateKeyDescription, EnableKey/DisableKey, ScheduleKeyDeletion and
 * CancelKeyDeletion (spec §1.2, §1.4, §2.0–2.3, §2.10, §2.13; D1, D11, D18).
 */
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  type KeyListEntry,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import {
  DAY,
  aliasArnOf,
  allPages,
  createExternalKey,
  createImportedKey,
  createKey,
  describeKey,
  expectKmsError,
  expectDuring,
  getParameters,
  uniqueAlias,
  timed,
  useLocalServer,
} from './helpers';

const local = useLocalServer();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MATERIAL_ID = /^[0-9a-f]{64}$/;

describe('CreateKey', () => {
  test('an AWS_KMS key is Enabled with the full symmetric metadata', async () => {
    // WHEN
    const [meta, creating] = await timed(() => createKey(local.kms, { Description: 'plain key' }));
    // THEN
    expect(meta.KeyId).toMatch(UUID);
    expect(meta.Arn).toMatch(new RegExp(`^arn:aws:kms:[a-z0-9-]+:\\d{12}:key/${meta.KeyId}$`));
    expect(meta.AWSAccountId).toBe(meta.Arn!.split(':')[4]);
    expect(meta).toMatchObject({
      Enabled: true,
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      Description: 'plain key',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeyManager: 'CUSTOMER',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    });
    expectDuring(meta.CreationDate, creating);
    expect(meta.CurrentKeyMaterialId).toMatch(MATERIAL_ID);
    expect(meta.ExpirationModel).toBeUndefined();
    expect(meta.ValidTo).toBeUndefined();
    expect(meta.DeletionDate).toBeUndefined();
  });

  test('an EXTERNAL key is PendingImport, not enabled, and has no material fields before the first import', async () => {
    // WHEN
    const meta = await createExternalKey(local.kms);
    // THEN
    expect(meta).toMatchObject({
      KeyState: 'PendingImport',
      Enabled: false,
      Origin: 'EXTERNAL',
      Description: '',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    });
    for (const absent of ['ExpirationModel', 'ValidTo', 'CurrentKeyMaterialId', 'DeletionDate'] as const) {
      expect(meta[absent], absent).toBeUndefined();
    }
    // and DescribeKey shows the same
    const described = await describeKey(local.kms, meta.KeyId!);
    expect(described).toEqual(meta);
  });
});

describe('DescribeKey', () => {
  test('accepts the key ID, the key ARN, the alias name and the alias ARN', async () => {
    // GIVEN
    const meta = await createExternalKey(local.kms, { Description: 'four forms' });
    const alias = uniqueAlias('forms');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: meta.KeyId }));
    // WHEN / THEN
    for (const form of [meta.KeyId!, meta.Arn!, alias, aliasArnOf(meta.Arn!, alias)]) {
      const described = await describeKey(local.kms, form);
      expect(described.KeyId, form).toBe(meta.KeyId);
      expect(described.Arn, form).toBe(meta.Arn);
      expect(described.Description).toBe('four forms');
    }
  });

  test('fails with NotFoundException naming the ARN for an unknown key ID or ARN', async () => {
    const meta = await createKey(local.kms);
    const unknownId = '00000000-1111-2222-3333-444444444444';
    const unknownArn = meta.Arn!.replace(meta.KeyId!, unknownId);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: unknownId })), 'NotFoundException', `Key '${unknownArn}' does not exist`);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: unknownArn })), 'NotFoundException', `Key '${unknownArn}' does not exist`);
  });

  test('fails with NotFoundException "Invalid keyId" for a malformed key ID', async () => {
    for (const bad of ['not-a-key', '1234', 'mrk-xyz', '00000000-1111-2222-3333-44444444444G']) {
      await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: bad })), 'NotFoundException', `Invalid keyId '${bad}'`);
    }
  });

  test('fails with NotFoundException "Invalid arn <region>" for a key ARN of another Region', async () => {
    const meta = await createKey(local.kms);
    const region = meta.Arn!.split(':')[3]!;
    const other = region === 'eu-west-1' ? 'ap-southeast-2' : 'eu-west-1';
    const foreign = meta.Arn!.replace(`:${region}:`, `:${other}:`);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: foreign })), 'NotFoundException', `Invalid arn ${other}`);
  });

  test('fails with NotFoundException naming the alias ARN for an unknown alias (name or ARN)', async () => {
    const meta = await createKey(local.kms);
    const alias = uniqueAlias('nobody');
    const aliasArn = aliasArnOf(meta.Arn!, alias);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: alias })), 'NotFoundException', `Alias ${aliasArn} is not found.`);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: aliasArn })), 'NotFoundException', `Alias ${aliasArn} is not found.`);
  });
});

async function listAllKeys(limit?: number): Promise<KeyListEntry[]> {
  return allPages(
    'ListKeys',
    async (marker) => {
      const out = await local.kms.send(new ListKeysCommand({ ...(limit && { Limit: limit }), ...(marker && { Marker: marker }) }));
      return { ...out, entries: out.Keys! };
    },
    { fullPages: limit, maxPages: 10_000 },
  );
}

describe('ListKeys', () => {
  test('pages with Limit/Marker/Truncated and lists keys in every state', async () => {
    // GIVEN a key in each state
    const enabled = await createImportedKey(local.kms);
    const disabled = await createImportedKey(local.kms);
    await local.kms.send(new DisableKeyCommand({ KeyId: disabled.keyId }));
    const pendingImport = await createExternalKey(local.kms);
    const pendingDeletion = await createImportedKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: pendingDeletion.keyId, PendingWindowInDays: 7 }));
    const wanted = [enabled.arn, disabled.arn, pendingImport.Arn!, pendingDeletion.arn];

    // WHEN listed in pages of 2, and in one page
    const paged = await listAllKeys(2);
    const whole = await listAllKeys();

    // THEN every key appears exactly once, with matching KeyId/KeyArn
    const arns = paged.map((k) => k.KeyArn!);
    expect(new Set(arns).size).toBe(arns.length);
    for (const arn of wanted) expect(arns).toContain(arn);
    for (const k of paged) expect(k.KeyArn!.endsWith(`:key/${k.KeyId}`)).toBe(true);
    expect(new Set(whole.map((k) => k.KeyArn))).toEqual(new Set(arns));
  });

  test('a page of Limit 1 is truncated while more keys exist', async () => {
    await createKey(local.kms);
    await createKey(local.kms);
    const first = await local.kms.send(new ListKeysCommand({ Limit: 1 }));
    expect(first.Keys).toHaveLength(1);
    expect(first.Truncated).toBe(true);
    const second = await local.kms.send(new ListKeysCommand({ Limit: 1, Marker: first.NextMarker }));
    expect(second.Keys).toHaveLength(1);
    expect(second.Keys![0]!.KeyId).not.toBe(first.Keys![0]!.KeyId);
  });

  test('fails with InvalidMarkerException for a marker it did not issue', async () => {
    await expectKmsError(local.kms.send(new ListKeysCommand({ Marker: 'bm90LWEtbWFya2Vy' })), 'InvalidMarkerException');
  });
});

describe('UpdateKeyDescription', () => {
  test('changes the description, by key ID or ARN', async () => {
    const meta = await createExternalKey(local.kms, { Description: 'old' });
    await local.kms.send(new UpdateKeyDescriptionCommand({ KeyId: meta.KeyId, Description: 'new' }));
    expect((await describeKey(local.kms, meta.KeyId!)).Description).toBe('new');
    await local.kms.send(new UpdateKeyDescriptionCommand({ KeyId: meta.Arn, Description: '' }));
    expect((await describeKey(local.kms, meta.KeyId!)).Description).toBe('');
  });
});

describe('EnableKey / DisableKey', () => {
  test('disable and enable an imported key, idempotently', async () => {
    // GIVEN
    const key = await createImportedKey(local.kms);
    // WHEN disabled twice
    await local.kms.send(new DisableKeyCommand({ KeyId: key.keyId }));
    await local.kms.send(new DisableKeyCommand({ KeyId: key.arn }));
    // THEN
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Disabled', Enabled: false, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    // WHEN enabled twice
    await local.kms.send(new EnableKeyCommand({ KeyId: key.arn }));
    await local.kms.send(new EnableKeyCommand({ KeyId: key.keyId }));
    // THEN
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', Enabled: true });
  });

  test('fails with KMSInvalidStateException "<ARN> is pending import." on a PendingImport key', async () => {
    const meta = await createExternalKey(local.kms);
    await expectKmsError(local.kms.send(new EnableKeyCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException', `${meta.Arn} is pending import.`);
    await expectKmsError(local.kms.send(new DisableKeyCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException', `${meta.Arn} is pending import.`);
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('PendingImport');
  });
});

describe('ScheduleKeyDeletion', () => {
  test('defaults to a 30-day window and answers KeyId (ARN), DeletionDate, KeyState and PendingWindowInDays', async () => {
    // GIVEN
    const key = await createImportedKey(local.kms);
    // WHEN
    const [out, scheduling] = await timed(() => local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId })));
    // THEN
    expect(out.KeyId).toBe(key.arn);
    expect(out.KeyState).toBe('PendingDeletion');
    expect(out.PendingWindowInDays).toBe(30);
    expectDuring(out.DeletionDate, scheduling, 30 * DAY * 1000);
    const meta = await describeKey(local.kms, key.keyId);
    expect(meta).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false });
    expect(meta.DeletionDate!.getTime()).toBe(out.DeletionDate!.getTime());
  });

  test.each([7, 30])('accepts a window of %i days', async (days) => {
    const meta = await createExternalKey(local.kms);
    const [out, scheduling] = await timed(() => local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.Arn, PendingWindowInDays: days })));
    expect(out.PendingWindowInDays).toBe(days);
    expectDuring(out.DeletionDate, scheduling, days * DAY * 1000);
  });

  test.each([6, 31])('fails with ValidationException for a window of %i days and changes nothing', async (days) => {
    const key = await createImportedKey(local.kms);
    await expectKmsError(
      local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: days })),
      'ValidationException',
      `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have minimum value of 7 and maximum value of 30.`,
    );
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('Enabled');
  });

  test('fails with KMSInvalidStateException on a key already pending deletion', async () => {
    const meta = await createExternalKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    await expectKmsError(local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException', `${meta.Arn} is pending deletion.`);
  });
});

describe('CancelKeyDeletion', () => {
  test('returns a key with its material to Disabled, with no DeletionDate', async () => {
    // GIVEN
    const key = await createImportedKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    // WHEN
    const out = await local.kms.send(new CancelKeyDeletionCommand({ KeyId: key.keyId }));
    // THEN
    expect(out.KeyId).toBe(key.arn);
    const meta = await describeKey(local.kms, key.keyId);
    expect(meta).toMatchObject({ KeyState: 'Disabled', Enabled: false, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(meta.DeletionDate).toBeUndefined();
  });

  test('returns a key that never had material to PendingImport (D1)', async () => {
    const meta = await createExternalKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    await local.kms.send(new CancelKeyDeletionCommand({ KeyId: meta.Arn }));
    const after = await describeKey(local.kms, meta.KeyId!);
    expect(after).toMatchObject({ KeyState: 'PendingImport', Enabled: false });
    expect(after.DeletionDate).toBeUndefined();
  });

  test('returns a key whose material was deleted while pending deletion to PendingImport (D1)', async () => {
    // GIVEN material deleted during the window: the key stays PendingDeletion
    const key = await createImportedKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('PendingDeletion');
    // WHEN
    await local.kms.send(new CancelKeyDeletionCommand({ KeyId: key.keyId }));
    // THEN
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: key.keyMaterialId });
    await expectKmsError(local.kms.send(new EnableKeyCommand({ KeyId: key.keyId })), 'KMSInvalidStateException', `${key.arn} is pending import.`);
  });

  test('an AWS_KMS key comes back Disabled', async () => {
    const meta = await createKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    await local.kms.send(new CancelKeyDeletionCommand({ KeyId: meta.KeyId }));
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('Disabled');
  });

  test('fails with KMSInvalidStateException when the key is not pending deletion', async () => {
    const key = await createImportedKey(local.kms);
    const message = `${key.arn} is not pending deletion (or pending replica deletion).`;
    await expectKmsError(local.kms.send(new CancelKeyDeletionCommand({ KeyId: key.keyId })), 'KMSInvalidStateException', message);
    const pendingImport = await createExternalKey(local.kms);
    await expectKmsError(
      local.kms.send(new CancelKeyDeletionCommand({ KeyId: pendingImport.KeyId })),
      'KMSInvalidStateException',
      `${pendingImport.Arn} is not pending deletion (or pending replica deletion).`,
    );
  });
});

describe('operations that take only a key ID or ARN refuse an alias (D18)', () => {
  test('every one answers NotFoundException "Invalid keyId \'<alias>\'" and changes nothing', async () => {
    // GIVEN an enabled key with an alias
    const key = await createImportedKey(local.kms);
    const alias = uniqueAlias('id-only');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId }));
    const params = await getParameters(local.kms, key.keyId);
    const aliasArn = aliasArnOf(key.arn, alias);
    const calls: Array<[string, (ref: string) => Promise<unknown>]> = [
      ['GetParametersForImport', (ref) => local.kms.send(new GetParametersForImportCommand({ KeyId: ref, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }))],
      ['ImportKeyMaterial', (ref) => local.kms.send(new ImportKeyMaterialCommand({ KeyId: ref, ImportToken: params.ImportToken, EncryptedKeyMaterial: new Uint8Array(256), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }))],
      ['DeleteImportedKeyMaterial', (ref) => local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: ref }))],
      ['ScheduleKeyDeletion', (ref) => local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: ref, PendingWindowInDays: 7 }))],
      ['CancelKeyDeletion', (ref) => local.kms.send(new CancelKeyDeletionCommand({ KeyId: ref }))],
      ['EnableKey', (ref) => local.kms.send(new EnableKeyCommand({ KeyId: ref }))],
      ['DisableKey', (ref) => local.kms.send(new DisableKeyCommand({ KeyId: ref }))],
      ['UpdateKeyDescription', (ref) => local.kms.send(new UpdateKeyDescriptionCommand({ KeyId: ref, Description: 'changed' }))],
      ['TagResource', (ref) => local.kms.send(new TagResourceCommand({ KeyId: ref, Tags: [{ TagKey: 'k', TagValue: 'v' }] }))],
      ['UntagResource', (ref) => local.kms.send(new UntagResourceCommand({ KeyId: ref, TagKeys: ['k'] }))],
      ['ListResourceTags', (ref) => local.kms.send(new ListResourceTagsCommand({ KeyId: ref }))],
      ['ListKeyRotations', (ref) => local.kms.send(new ListKeyRotationsCommand({ KeyId: ref }))],
      ['RotateKeyOnDemand', (ref) => local.kms.send(new RotateKeyOnDemandCommand({ KeyId: ref }))],
      ['GetKeyRotationStatus', (ref) => local.kms.send(new GetKeyRotationStatusCommand({ KeyId: ref }))],
      ['ListAliases', (ref) => local.kms.send(new ListAliasesCommand({ KeyId: ref }))],
      ['CreateAlias', (ref) => local.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('via-alias'), TargetKeyId: ref }))],
      ['UpdateAlias', (ref) => local.kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: ref }))],
    ];
    // WHEN / THEN
    for (const [operation, call] of calls) {
      for (const ref of [alias, aliasArn]) {
        const e = await expectKmsError(call(ref), 'NotFoundException').catch((err: Error) => {
          throw new Error(`${operation}(${ref}): ${err.message}`);
        });
        expect(e.message, operation).toBe(`Invalid keyId '${ref}'`);
      }
    }
    const meta = await describeKey(local.kms, key.keyId);
    expect(meta).toMatchObject({ KeyState: 'Enabled', Description: '', CurrentKeyMaterialId: key.keyMaterialId });
    expect((await local.kms.send(new ListResourceTagsCommand({ KeyId: key.keyId }))).Tags).toEqual([]);
  });
});
