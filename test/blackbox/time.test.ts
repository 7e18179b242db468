/**
 * Time (D16, D17): material expires at ValidTo, the import token lasts 24 hours, keys vanish at the end
 * of the deletion window, the timers log `DeleteExpiredKeyMaterial` / `DeleteKey` as JSON lines on
 * stdout, stale timers do nothing, and timers survive a restart on the same data directory.
 *
 * Every test but one moves the service clock (`--clock-control`): `advanceClock` answers after the
 * timers that became due have run, and the server's stdout is a file (test/support/local-server.ts),
 * so what a timer logged is readable the moment the answer arrives and "logged once" or "nothing
 * logged" is a fact, not a guess. Margins before a deadline are an hour of service time, far beyond
 * any test's run time. The one real-time test says why it is one.
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
  wallClockPast,
  eventsOf,
  type LogEvent,
} from './helpers';

/**
 * Waits for a timer to log `eventName` for `arn`, in real time (no clock moves it): the bound only names a
 * timer that never fired (D120), it is not a promise about how soon.
 */
async function waitForEvent(server: LocalServer, eventName: string, arn: string): Promise<LogEvent> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const [found] = eventsOf(server, eventName, arn);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`${eventName} for ${arn} was never logged`);
    await sleep(100);
  }
}

/** The server never writes imported material, plaintext or data keys to its output. */
function expectNoSecretsLogged(server: LocalServer): void {
  const { stdout, stderr } = server.output();
  expectNoSecretIn(stdout, 'server stdout');
  expectNoSecretIn(stderr, 'server stderr');
}

/**
 * Real time cannot be paused, so a set-up that must end before a ValidTo (imports accepted, a process stopped)
 * can be overtaken by it on a loaded machine. This does the set-up with ValidTo 2 s ahead and, if it did not end
 * before ValidTo, does it again, on fresh keys made by `prepare`, with twice the margin. What follows always
 * runs, on a set-up that held: nothing is skipped, and no assertion depends on how fast the machine is.
 */
async function beforeRealValidTo<P, R>(
  prepare: () => Promise<P>,
  setUp: (prepared: P, validTo: Date) => Promise<R>,
): Promise<{ prepared: P; validTo: Date; result: R }> {
  for (let margin = 2; margin <= 64; margin *= 2) {
    const prepared = await prepare();
    const validTo = at(Math.ceil(Date.now() / 1000) + margin);
    try {
      const result = await setUp(prepared, validTo);
      if (Date.now() < validTo.getTime()) return { prepared, validTo, result };
    } catch (err) {
      // The only failure a late set-up may see: its import arrived after ValidTo (D12).
      if ((err as Error).message !== 'The validTo date must be in the future.') throw err;
    }
    console.info(`time.test: the set-up did not end within ${margin} s of real time; again with ${2 * margin} s`);
  }
  throw new Error('the set-up never finished within 64 s of real time');
}

// Real time is the point of this one test: without clock control, nothing but the wall clock makes material
// expire, in a running process (its own timer) and in one that was down when ValidTo passed (at start-up,
// before it serves). Everything else about expiry is tested with the service clock, below.
describe('in real time, without clock control', () => {
  let dataDir: string;
  const servers: LocalServer[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'byok-blackbox-real-time-'));
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const server = await startLocalServer({ dataDir });
    servers.push(server);
    return { server, kms: recordRawResponses(server.kms()) };
  };

  test('material expires at ValidTo by the wall clock: at once on read, erased and logged by the timer, and applied at start-up if it fell due while down', async () => {
    let first = await start();

    // GIVEN a key with a ciphertext whose material is re-imported to expire in a few seconds, and another key
    // whose *staged* material expires then too
    const live = await beforeRealValidTo(
      async () => {
        const key = await createImportedKey(first.kms);
        const ciphertext = (await first.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('expiring plaintext') }))).CiphertextBlob!;
        const staging = await createImportedKey(first.kms);
        const params = { key: await getParameters(first.kms, key.keyId), staging: await getParameters(first.kms, staging.keyId) };
        return { key, ciphertext, staging, params };
      },
      async ({ key, staging, params }, validTo) => {
        await importMaterial(first.kms, key.keyId, key.material, { params: params.key, validTo });
        await importMaterial(first.kms, staging.keyId, newMaterial(), { params: params.staging, importType: 'NEW_KEY_MATERIAL', validTo });
        return describeKey(first.kms, key.keyId);
      },
    );
    const { key, ciphertext, staging } = live.prepared;
    // (described before ValidTo, as beforeRealValidTo made sure)
    expect(live.result).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', CurrentKeyMaterialId: key.keyMaterialId });
    expect(live.result.ValidTo!.getTime()).toBe(live.validTo.getTime());

    // WHEN ValidTo passes
    await wallClockPast(live.validTo);

    // THEN the key reads PendingImport at once (D16), without ValidTo or ExpirationModel
    const after = await describeKey(first.kms, key.keyId);
    expect(after).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: key.keyMaterialId });
    expect(after.ValidTo).toBeUndefined();
    expect(after.ExpirationModel).toBeUndefined();
    await expectKmsError(first.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException', `${key.arn} is pending import.`);
    await expectKmsError(first.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext })), 'KMSInvalidStateException', `${key.arn} is pending import.`);
    const [entry] = (await first.kms.send(new ListKeyRotationsCommand({ KeyId: key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(entry).toMatchObject({ KeyMaterialId: key.keyMaterialId, ImportState: 'PENDING_IMPORT' });
    // and an expired staged material just goes away, the key unchanged
    expect(await describeKey(first.kms, staging.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: staging.keyMaterialId });
    const stagingMaterials = (await first.kms.send(new ListKeyRotationsCommand({ KeyId: staging.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(stagingMaterials.map((r) => r.KeyMaterialId)).toEqual([staging.keyMaterialId]);

    // and the process's own timer logs the service event, one JSON line naming the key and the material
    expect(JSON.stringify(await waitForEvent(first.server, 'DeleteExpiredKeyMaterial', key.arn))).toContain(key.keyMaterialId);

    // WHEN the same material is imported again THEN the old ciphertext decrypts again
    await importMaterial(first.kms, key.keyId, key.material, { fresh: true });
    expect((await describeKey(first.kms, key.keyId)).KeyState).toBe('Enabled');
    expect(Buffer.from((await first.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext!).toString()).toBe('expiring plaintext');

    // GIVEN material that expires in a few seconds, and the process stopped before it does
    const stopped: LocalServer[] = [];
    const down = await beforeRealValidTo(
      async () => {
        if (stopped.includes(first.server)) first = await start(); // an earlier try stopped it too late
        const meta = await createExternalKey(first.kms);
        return { meta, params: await getParameters(first.kms, meta.KeyId!), material: newMaterial() };
      },
      async ({ meta, params, material }, validTo) => {
        const imported = await importMaterial(first.kms, meta.KeyId!, material, { params, validTo });
        stopped.push(first.server);
        expect(await first.server.stop()).toBe(0);
        return imported;
      },
    );
    const downKey = down.prepared.meta;
    // WHEN a process starts on the same data directory after ValidTo
    await wallClockPast(down.validTo);
    const second = await start();

    // THEN it carried out the expiry before it served: the event precedes its banner
    const { stdout } = second.server.output();
    const [event] = eventsOf(second.server, 'DeleteExpiredKeyMaterial', downKey.Arn!);
    expect(event, 'DeleteExpiredKeyMaterial logged at start-up').toBeDefined();
    expect(JSON.stringify(event)).toContain(down.result.KeyMaterialId!);
    expect(stdout.indexOf(down.result.KeyMaterialId!)).toBeLessThan(stdout.indexOf('byok-kms listening on'));
    // and the state is kept: that key is PendingImport, the first key (restored) still decrypts
    expect(await describeKey(second.kms, downKey.KeyId!)).toMatchObject({ KeyState: 'PendingImport', CurrentKeyMaterialId: down.result.KeyMaterialId });
    expect(Buffer.from((await second.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext!).toString()).toBe('expiring plaintext');
    // and the same material comes back with the same id
    expect((await importMaterial(second.kms, downKey.KeyId!, down.prepared.material, { fresh: true })).KeyMaterialId).toBe(down.result.KeyMaterialId);

    // AND once both processes have exited (their output is then complete), each expiry was logged exactly once,
    // by the process that was running when it fell due
    expect(await second.server.stop()).toBe(0);
    const byFirst = servers.filter((s) => s !== second.server);
    expect(byFirst.flatMap((s) => eventsOf(s, 'DeleteExpiredKeyMaterial', key.arn))).toHaveLength(1);
    expect(eventsOf(second.server, 'DeleteExpiredKeyMaterial', key.arn)).toEqual([]);
    expect(byFirst.flatMap((s) => eventsOf(s, 'DeleteExpiredKeyMaterial', downKey.Arn!))).toEqual([]);
    expect(eventsOf(second.server, 'DeleteExpiredKeyMaterial', downKey.Arn!)).toHaveLength(1);
    for (const s of servers) expectNoSecretsLogged(s);
  });
});

describe('with clock control', () => {
  const local = useLocalServer({ inMemory: true, clockControl: true });

  /** The service clock in epoch milliseconds (it answers in fractional seconds). */
  const serverNowMs = async () => Math.round((await local.server.clockNow()) * 1000);

  test('the clock endpoint reports the service time and moves it forward', async () => {
    // (the first test of this block: nothing has moved this server's clock yet, so it reads real time)
    const before = Date.now();
    const now = await local.server.clockNow();
    expect(Math.round(now * 1000)).toBeGreaterThanOrEqual(before);
    expect(Math.round(now * 1000)).toBeLessThanOrEqual(Date.now());
    const moved = await local.server.advanceClock(60);
    expect(moved).toBeGreaterThanOrEqual(now + 60);
    expect(await local.server.clockNow()).toBeGreaterThanOrEqual(moved);
  });

  test('fails with ExpiredImportTokenException once the token is older than 24 hours; until then it can be reused (D13)', async () => {
    // GIVEN
    const meta = await createExternalKey(local.kms);
    const params = await getParameters(local.kms, meta.KeyId!);
    const material = newMaterial();
    // WHEN 24 h − 1 h pass, the token still imports
    await local.server.advanceClock(DAY - 3600);
    await importMaterial(local.kms, meta.KeyId!, material, { params });
    // WHEN the rest of the day passes
    await local.server.advanceClock(3601);
    // THEN
    await expectKmsError(
      importMaterial(local.kms, meta.KeyId!, material, { params }),
      'ExpiredImportTokenException',
      'The import token has expired. Use GetParametersForImport to get a new import token and public key.',
    );
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
    const before = await serverNowMs();
    const scheduled = await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    expect(scheduled.DeletionDate!.getTime()).toBeGreaterThanOrEqual(before + 7 * DAY * 1000);
    expect(scheduled.DeletionDate!.getTime()).toBeLessThanOrEqual((await serverNowMs()) + 7 * DAY * 1000);

    // WHEN 7 days − 1 h pass
    await local.server.advanceClock(7 * DAY - 3600);
    // THEN the key is still pending deletion
    expect((await describeKey(local.kms, alias)).KeyState).toBe('PendingDeletion');
    expect(eventsOf(local.server, 'DeleteKey', key.arn)).toEqual([]);

    // WHEN the last hour passes
    await local.server.advanceClock(3601);
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
    // and the timer logged DeleteKey, once even a day later
    expect(eventsOf(local.server, 'DeleteKey', key.arn)).toHaveLength(1);
    await local.server.advanceClock(DAY);
    expect(eventsOf(local.server, 'DeleteKey', key.arn)).toHaveLength(1);
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
    // GIVEN a process that imports material expiring in an hour, and a key that never expires
    const first = await startLocalServer({ dataDir, clockControl: true });
    servers.push(first);
    const kms1 = recordRawResponses(first.kms());
    const meta = await createExternalKey(kms1);
    const lasting = await createImportedKey(kms1);
    const ciphertext = (await kms1.send(new EncryptCommand({ KeyId: lasting.keyId, Plaintext: Buffer.from('kept across restarts') }))).CiphertextBlob!;
    const material = newMaterial();
    const imported = await importMaterial(kms1, meta.KeyId!, material, { validTo: at((await first.clockNow()) + 3600) });

    // WHEN it stops, and a new process on the same directory (whose clock starts at real time again) reaches ValidTo
    expect(await first.stop()).toBe(0);
    const second = await startLocalServer({ dataDir, clockControl: true });
    servers.push(second);
    expect(eventsOf(second, 'DeleteExpiredKeyMaterial', meta.Arn!)).toEqual([]);
    await second.advanceClock(3601);

    // THEN the new process's timer, armed from the store at start, logged the expiry once; the first one never did
    const events = eventsOf(second, 'DeleteExpiredKeyMaterial', meta.Arn!);
    expect(events, 'DeleteExpiredKeyMaterial logged by the restarted process').toHaveLength(1);
    expect(JSON.stringify(events[0])).toContain(imported.KeyMaterialId!);
    expect(eventsOf(first, 'DeleteExpiredKeyMaterial', meta.Arn!)).toEqual([]);
    expectNoSecretsLogged(first);
    expectNoSecretsLogged(second);

    // and the state is kept: the expired key is PendingImport, the other key still decrypts
    const kms2 = recordRawResponses(second.kms());
    expect(await describeKey(kms2, meta.KeyId!)).toMatchObject({ KeyState: 'PendingImport', CurrentKeyMaterialId: imported.KeyMaterialId });
    expect(Buffer.from((await kms2.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext!).toString()).toBe('kept across restarts');
    // and the same material comes back with the same id
    expect((await importMaterial(kms2, meta.KeyId!, material, { fresh: true })).KeyMaterialId).toBe(imported.KeyMaterialId);
    // and a day later the expiry is still logged once
    await second.advanceClock(DAY);
    expect(eventsOf(second, 'DeleteExpiredKeyMaterial', meta.Arn!)).toHaveLength(1);
    await second.stop();
  });
});
