/**
 * Time is real (D16, D17): material expires at ValidTo in real time, the import token lasts 24 hours,
 * keys vanish at the end of the deletion window (moved there with clock control), the timers log
 * `DeleteExpiredKeyMaterial` / `DeleteKey` as JSON lines on stdout, stale timers do nothing, and
 * timers survive a restart on the same data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalServer, type LocalServer } from '../support/local-server';
import {
  DAY,
  aliasArnOf,
  at,
  createExternalKey,
  createImportedKey,
  describeKey,
  expectKmsError,
  expectNoSecretIn,
  getParameters,
  importMaterial,
  newMaterial,
  recordRawResponses,
  sleep,
  uniqueAlias,
  useLocalServer,
} from './helpers';

type LogEvent = Record<string, unknown>;

/** The JSON lines on the server's stdout that name `eventName` and mention `arn`. */
function eventsOf(server: LocalServer, eventName: string, arn: string): LogEvent[] {
  const found: LogEvent[] = [];
  for (const line of server.output().stdout.split('\n')) {
    if (!line.includes(eventName) || !line.includes(arn)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`a log line naming ${eventName} is not JSON: ${line}`);
    }
    if (typeof parsed === 'object' && parsed !== null && Object.values(parsed).includes(eventName)) found.push(parsed as LogEvent);
  }
  return found;
}

async function waitForEvents(server: LocalServer, eventName: string, arn: string, timeoutMs: number): Promise<LogEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = eventsOf(server, eventName, arn);
    if (found.length > 0 || Date.now() > deadline) return found;
    await sleep(100);
  }
}

/** The server never writes imported material, plaintext or data keys to its output. */
function expectNoSecretsLogged(server: LocalServer): void {
  const { stdout, stderr } = server.output();
  expectNoSecretIn(stdout, 'server stdout');
  expectNoSecretIn(stderr, 'server stderr');
}

describe('in real time', () => {
  const local = useLocalServer();

  test('material expires at ValidTo: PendingImport at once, crypto refused, DeleteExpiredKeyMaterial logged, same material restores it', async () => {
    // GIVEN a key whose material expires ~3 s from now, and a key whose *staged* material does
    const meta = await createExternalKey(local.kms);
    const keyId = meta.KeyId!;
    const arn = meta.Arn!;
    const params = await getParameters(local.kms, keyId);
    const other = await createImportedKey(local.kms);
    const otherParams = await getParameters(local.kms, other.keyId);
    const material = newMaterial();
    const validTo = at(Math.floor(Date.now() / 1000) + 4);
    const imported = await importMaterial(local.kms, keyId, material, { params, validTo });
    await importMaterial(local.kms, other.keyId, newMaterial(), { params: otherParams, importType: 'NEW_KEY_MATERIAL', validTo });
    const ciphertext = (await local.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('expiring plaintext') }))).CiphertextBlob!;
    const before = await describeKey(local.kms, keyId);
    expect(before).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(before.ValidTo!.getTime()).toBe(validTo.getTime());
    expect(Date.now()).toBeLessThan(validTo.getTime());

    // WHEN ValidTo passes
    await sleep(validTo.getTime() - Date.now() + 100);

    // THEN the key reads PendingImport at once (D16), without ValidTo or ExpirationModel
    const after = await describeKey(local.kms, keyId);
    expect(after).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: imported.KeyMaterialId });
    expect(after.ValidTo).toBeUndefined();
    expect(after.ExpirationModel).toBeUndefined();
    await expectKmsError(local.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException', `${arn} is pending import.`);
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext })), 'KMSInvalidStateException', `${arn} is pending import.`);
    const [entry] = (await local.kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(entry).toMatchObject({ KeyMaterialId: imported.KeyMaterialId, ImportState: 'PENDING_IMPORT' });

    // and an expired staged material just goes away, the key unchanged
    expect(await describeKey(local.kms, other.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: other.keyMaterialId });
    const otherMaterials = (await local.kms.send(new ListKeyRotationsCommand({ KeyId: other.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(otherMaterials.map((r) => r.KeyMaterialId)).toEqual([other.keyMaterialId]);

    // and the timer logs the service event as one JSON line naming the key and the material
    const [event, ...more] = await waitForEvents(local.server, 'DeleteExpiredKeyMaterial', arn, 5_000);
    expect(event, 'DeleteExpiredKeyMaterial logged').toBeDefined();
    expect(more).toEqual([]);
    expect(JSON.stringify(event)).toContain(imported.KeyMaterialId!);
    expectNoSecretsLogged(local.server);

    // WHEN the same material is imported again
    await importMaterial(local.kms, keyId, material, { params });
    // THEN the old ciphertext decrypts again
    expect((await describeKey(local.kms, keyId)).KeyState).toBe('Enabled');
    expect(Buffer.from((await local.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext!).toString()).toBe('expiring plaintext');
  });
});

describe('with clock control', () => {
  const local = useLocalServer({ inMemory: true, clockControl: true });

  const serverNow = async () => at(await local.server.clockNow());

  test('the clock endpoint reports the service time and moves it forward', async () => {
    const now = await local.server.clockNow();
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(60); // starts at the real time
    const moved = await local.server.advanceClock(60);
    expect(moved).toBeGreaterThanOrEqual(now + 60);
    expect(await local.server.clockNow()).toBeGreaterThanOrEqual(moved);
  });

  test('fails with ExpiredImportTokenException once the token is older than 24 hours; until then it can be reused (D13)', async () => {
    // GIVEN
    const meta = await createExternalKey(local.kms);
    const params = await getParameters(local.kms, meta.KeyId!);
    const material = newMaterial();
    // WHEN 24 h − 60 s pass, the token still imports
    await local.server.advanceClock(DAY - 60);
    await importMaterial(local.kms, meta.KeyId!, material, { params });
    // WHEN 61 s more pass
    await local.server.advanceClock(61);
    // THEN
    await expectKmsError(importMaterial(local.kms, meta.KeyId!, material, { params }), 'ExpiredImportTokenException');
    expect((await describeKey(local.kms, meta.KeyId!)).KeyState).toBe('Enabled');
    // and a fresh token works
    await importMaterial(local.kms, meta.KeyId!, material, { fresh: true });
  });

  test('a key disappears at the end of its deletion window: NotFound everywhere, gone from lists, DeleteKey logged', async () => {
    // GIVEN an imported key with an alias and a ciphertext, scheduled for deletion in 7 days
    const key = await createImportedKey(local.kms, { material: newMaterial() });
    const alias = uniqueAlias('doomed');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId }));
    const ciphertext = (await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('soon unreadable') }))).CiphertextBlob!;
    const scheduled = await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    const secondsLeft = (scheduled.DeletionDate!.getTime() - (await serverNow()).getTime()) / 1000;
    expect(Math.abs(secondsLeft - 7 * DAY)).toBeLessThan(5);

    // WHEN 7 days − 10 s pass
    await local.server.advanceClock(7 * DAY - 10);
    // THEN the key is still pending deletion
    expect((await describeKey(local.kms, alias)).KeyState).toBe('PendingDeletion');
    expect(eventsOf(local.server, 'DeleteKey', key.arn)).toEqual([]);

    // WHEN the last 10 s pass
    await local.server.advanceClock(11);
    // THEN every call naming the key answers NotFoundException (D17)
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: key.keyId })), 'NotFoundException', `Key '${key.arn}' does not exist`);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: key.arn })), 'NotFoundException', `Key '${key.arn}' does not exist`);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: alias })), 'NotFoundException', `Alias ${aliasArnOf(key.arn, alias)} is not found.`);
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext, KeyId: key.keyId })), 'NotFoundException', `Key '${key.arn}' does not exist`);
    // without KeyId the blob names the key, and the answer is the same
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext })), 'NotFoundException', `Key '${key.arn}' does not exist`);
    await expectKmsError(local.kms.send(new CancelKeyDeletionCommand({ KeyId: key.keyId })), 'NotFoundException', `Key '${key.arn}' does not exist`);
    // and the lists no longer show it or its alias
    const keys = (await local.kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!;
    expect(keys.map((k) => k.KeyArn)).not.toContain(key.arn);
    const aliases = (await local.kms.send(new ListAliasesCommand({ Limit: 100 }))).Aliases!;
    expect(aliases.map((a) => a.AliasName)).not.toContain(alias);
    // and the timer logged DeleteKey once
    expect(await waitForEvents(local.server, 'DeleteKey', key.arn, 2_000)).toHaveLength(1);
    expectNoSecretsLogged(local.server);
  });

  test('expiry in every state: Enabled and Disabled go PendingImport, PendingDeletion stays, a staged material just goes', async () => {
    // GIVEN four keys whose material (or staged material) expires in one hour
    const validTo = at((await local.server.clockNow()) + 3600);
    const enabled = await createImportedKey(local.kms, { validTo });
    const disabled = await createImportedKey(local.kms, { validTo });
    await local.kms.send(new DisableKeyCommand({ KeyId: disabled.keyId }));
    const deleting = await createImportedKey(local.kms, { validTo });
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: deleting.keyId, PendingWindowInDays: 7 }));
    const staging = await createImportedKey(local.kms);
    const staged = await importMaterial(local.kms, staging.keyId, newMaterial(), { importType: 'NEW_KEY_MATERIAL', validTo });

    // WHEN the hour passes
    await local.server.advanceClock(3601);

    // THEN
    expect((await describeKey(local.kms, enabled.keyId)).KeyState).toBe('PendingImport');
    expect((await describeKey(local.kms, disabled.keyId)).KeyState).toBe('PendingImport');
    expect((await describeKey(local.kms, deleting.keyId)).KeyState).toBe('PendingDeletion');
    expect(await describeKey(local.kms, staging.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: staging.keyMaterialId });
    const stagingMaterials = (await local.kms.send(new ListKeyRotationsCommand({ KeyId: staging.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(stagingMaterials.map((r) => r.KeyMaterialId)).not.toContain(staged.KeyMaterialId);
    for (const key of [enabled, disabled, deleting]) {
      const events = eventsOf(local.server, 'DeleteExpiredKeyMaterial', key.arn);
      expect(events, key.arn).toHaveLength(1);
      expect(JSON.stringify(events[0])).toContain(key.keyMaterialId);
    }
    // a key whose material expired while pending deletion comes back PendingImport (D1)
    await local.kms.send(new CancelKeyDeletionCommand({ KeyId: deleting.keyId }));
    expect((await describeKey(local.kms, deleting.keyId)).KeyState).toBe('PendingImport');
    // and the disabled key comes back Enabled with its material (D3)
    await importMaterial(local.kms, disabled.keyId, disabled.material, { fresh: true });
    expect((await describeKey(local.kms, disabled.keyId)).KeyState).toBe('Enabled');
    expectNoSecretsLogged(local.server);
  });

  test('a superseded expiry timer does nothing, and an expiry is logged once', async () => {
    // GIVEN material expiring in 1 h, re-imported to expire in 2 h
    const now = await local.server.clockNow();
    const key = await createImportedKey(local.kms, { validTo: at(now + 3600) });
    await importMaterial(local.kms, key.keyId, key.material, { validTo: at(now + 7200) });
    // WHEN the first hour passes
    await local.server.advanceClock(3601);
    // THEN nothing happened
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('Enabled');
    expect(eventsOf(local.server, 'DeleteExpiredKeyMaterial', key.arn)).toEqual([]);
    // WHEN the second hour passes, and a day more
    await local.server.advanceClock(3600);
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('PendingImport');
    await local.server.advanceClock(DAY);
    // THEN exactly one event
    expect(eventsOf(local.server, 'DeleteExpiredKeyMaterial', key.arn)).toHaveLength(1);
  });

  test('a cancelled or re-scheduled deletion timer does nothing; the key goes once, at the new date', async () => {
    // GIVEN a deletion in 7 days, cancelled; another key re-scheduled from 7 to 30 days
    const cancelled = await createImportedKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: cancelled.keyId, PendingWindowInDays: 7 }));
    await local.kms.send(new CancelKeyDeletionCommand({ KeyId: cancelled.keyId }));
    const moved = await createImportedKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: moved.keyId, PendingWindowInDays: 7 }));
    await local.kms.send(new CancelKeyDeletionCommand({ KeyId: moved.keyId }));
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: moved.keyId, PendingWindowInDays: 30 }));
    // WHEN 7 days pass
    await local.server.advanceClock(7 * DAY + 1);
    // THEN both keys are still there
    expect((await describeKey(local.kms, cancelled.keyId)).KeyState).toBe('Disabled');
    expect((await describeKey(local.kms, moved.keyId)).KeyState).toBe('PendingDeletion');
    expect(eventsOf(local.server, 'DeleteKey', cancelled.arn)).toEqual([]);
    expect(eventsOf(local.server, 'DeleteKey', moved.arn)).toEqual([]);
    // WHEN the 30 days are over
    await local.server.advanceClock(23 * DAY);
    // THEN only the re-scheduled key is gone, logged once
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: moved.keyId })), 'NotFoundException', `Key '${moved.arn}' does not exist`);
    expect(eventsOf(local.server, 'DeleteKey', moved.arn)).toHaveLength(1);
    expect((await describeKey(local.kms, cancelled.keyId)).KeyState).toBe('Disabled');
    expect(eventsOf(local.server, 'DeleteKey', cancelled.arn)).toEqual([]);
  });
});

describe('across a restart on the same data directory', () => {
  let dataDir: string;
  const servers: LocalServer[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'byok-blackbox-restart-'));
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('an expiry armed by one process is carried out and logged by the next, without any API call', async () => {
    // GIVEN a process that imports material expiring in a few seconds, and a key that never expires
    const first = await startLocalServer({ dataDir });
    servers.push(first);
    const kms1 = recordRawResponses(first.kms());
    const meta = await createExternalKey(kms1);
    const params = await getParameters(kms1, meta.KeyId!);
    const lasting = await createImportedKey(kms1);
    const ciphertext = (await kms1.send(new EncryptCommand({ KeyId: lasting.keyId, Plaintext: Buffer.from('kept across restarts') }))).CiphertextBlob!;
    const material = newMaterial();
    const validTo = at(Math.floor(Date.now() / 1000) + 6);
    const imported = await importMaterial(kms1, meta.KeyId!, material, { params, validTo });

    // WHEN it stops before ValidTo and a new process starts on the same directory
    await first.stop();
    const stoppedBeforeExpiry = Date.now() < validTo.getTime();
    const second = await startLocalServer({ dataDir });
    servers.push(second);

    // THEN the new process logs the expiry by itself
    const [event] = await waitForEvents(second, 'DeleteExpiredKeyMaterial', meta.Arn!, Math.max(0, validTo.getTime() - Date.now()) + 10_000);
    expect(event, 'DeleteExpiredKeyMaterial logged by the restarted process').toBeDefined();
    expect(JSON.stringify(event)).toContain(imported.KeyMaterialId!);
    if (stoppedBeforeExpiry) expect(eventsOf(first, 'DeleteExpiredKeyMaterial', meta.Arn!)).toEqual([]);
    expectNoSecretsLogged(first);
    expectNoSecretsLogged(second);

    // and the state is kept: the expired key is PendingImport, the other key still decrypts
    const kms2 = recordRawResponses(second.kms());
    expect(await describeKey(kms2, meta.KeyId!)).toMatchObject({ KeyState: 'PendingImport', CurrentKeyMaterialId: imported.KeyMaterialId });
    expect(Buffer.from((await kms2.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext!).toString()).toBe('kept across restarts');
    // and the same material comes back with the same id
    expect((await importMaterial(kms2, meta.KeyId!, material, { fresh: true })).KeyMaterialId).toBe(imported.KeyMaterialId);
    await second.stop();
  });

  test('an expiry that fell due while no process ran is carried out as soon as the next one starts', async () => {
    // GIVEN material expiring in a few seconds, and no process running when it does
    const first = await startLocalServer({ dataDir });
    servers.push(first);
    const kms1 = recordRawResponses(first.kms());
    const meta = await createExternalKey(kms1);
    const params = await getParameters(kms1, meta.KeyId!);
    const validTo = at(Math.floor(Date.now() / 1000) + 3);
    const imported = await importMaterial(kms1, meta.KeyId!, newMaterial(), { params, validTo });
    await first.stop();
    await sleep(Math.max(0, validTo.getTime() - Date.now()) + 500);

    // WHEN a process starts after ValidTo
    const second = await startLocalServer({ dataDir });
    servers.push(second);

    // THEN it logs the expiry by itself, soon
    const [event] = await waitForEvents(second, 'DeleteExpiredKeyMaterial', meta.Arn!, 5_000);
    expect(event, 'DeleteExpiredKeyMaterial logged at start-up').toBeDefined();
    expect(JSON.stringify(event)).toContain(imported.KeyMaterialId!);
    expect((await describeKey(recordRawResponses(second.kms()), meta.KeyId!)).KeyState).toBe('PendingImport');
    expectNoSecretsLogged(second);
  });
});
