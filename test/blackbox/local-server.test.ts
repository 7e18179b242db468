/**
 * The embedded-mode contract of `npm start` (design decision 7): flags and environment, clock
 * control, persistence across a restart and a crash, graceful shutdown, and `--auth enforce`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EncryptCommand,
  DecryptCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { useLocalServer } from './helpers';

const DAY = 86_400;

/** Runs bin/local.ts with arguments and waits for it to exit (for start-up failures and --help). */
function runLocal(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'bin/local.ts', ...args], { env: { ...process.env, ...env }, timeout: 240_000 }, (_err, stdout, stderr) => {
      done({ code: child.exitCode, stdout, stderr });
    });
  });
}

/** A loopback port something else holds, for as long as the returned closer is not called. */
async function occupiedPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  return { port, release: () => new Promise((r) => blocker.close(() => r())) };
}

/** The server's DeleteKey line for `arn` in what it has written so far (its stdout is a file: complete up to its last answer). */
function deleteKeyLine(server: LocalServer, arn: string): string | undefined {
  return server.output().stdout.split('\n').find((line) => line.includes('"DeleteKey"') && line.includes(arn));
}

/** How far the service clock runs ahead of the wall clock, in ms, bracketed by wall-clock reads around a GET. */
async function clockOffset(server: LocalServer): Promise<{ min: number; max: number }> {
  const from = Date.now();
  const now = Math.round((await server.clockNow()) * 1000);
  return { min: now - Date.now(), max: now - from };
}

/** Asserts that two bracketed offsets can be the same offset (plus `shiftMs`). */
function expectSameOffset(before: { min: number; max: number }, after: { min: number; max: number }, shiftMs = 0): void {
  expect(after.max, 'offset after').toBeGreaterThanOrEqual(before.min + shiftMs);
  expect(after.min, 'offset after').toBeLessThanOrEqual(before.max + shiftMs);
}

describe('command line', () => {
  test('--help prints the flags and exits 0', async () => {
    const result = await runLocal(['--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--port', '--host', '--data-dir', '--in-memory', '--clock-control', '--auth', 'KMS_PORT', 'KMS_CLOCK_CONTROL']) {
      expect(result.stdout).toContain(flag);
    }
  });

  test('fails with exit code 2 and the usage on an unknown flag or a bad value', async () => {
    for (const args of [['--bogus'], ['--port', 'eighty'], ['--auth', 'sometimes']]) {
      const result = await runLocal(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage:');
    }
  });

  test('fails with exit code 1 and a clear message when the port is taken', async () => {
    const { port, release } = await occupiedPort();
    try {
      const result = await runLocal(['--port', String(port), '--host', '127.0.0.1', '--in-memory']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} is already in use`);
    } finally {
      await release();
    }
  });

  test('lets flags win over the environment', async () => {
    // GIVEN KMS_PORT names a taken port, but the harness passes --port 0
    const { port, release } = await occupiedPort();
    try {
      const server = await startLocalServer({ inMemory: true, env: { KMS_PORT: String(port), KMS_HOST: '0.0.0.0', KMS_AUTH: 'enforce' } });
      try {
        // THEN the flags were used: another port, loopback, open auth
        expect(server.port).not.toBe(port);
        expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:/);
        await expect(server.kms().send(new ListKeysCommand({}))).resolves.toBeDefined();
      } finally {
        await server.stop();
      }
    } finally {
      await release();
    }
  });

  test('prints a banner with the endpoint and a copy-paste AWS CLI command', async () => {
    const server = await startLocalServer({ inMemory: true });
    try {
      const { stdout } = server.output();
      expect(stdout).toContain(`byok-kms listening on ${server.endpoint}`);
      expect(stdout).toContain(`aws kms create-key --origin EXTERNAL --endpoint-url ${server.endpoint} --region us-east-1`);
      expect(stdout).toContain('AWS_ACCESS_KEY_ID=');
    } finally {
      await server.stop();
    }
  });

  test('KMS_CLOCK_CONTROL=1 turns clock control on', async () => {
    const server = await startLocalServer({ inMemory: true, env: { KMS_CLOCK_CONTROL: '1' } });
    try {
      expect(await server.clockNow()).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });
});

describe('clock control', () => {
  const local = useLocalServer({ inMemory: true, clockControl: true });

  test('GET tells the service time and POST moves it forward', async () => {
    // (the first test of this block: nothing has moved this server's clock yet, so it reads the wall clock)
    const start = await clockOffset(local.server);
    expectSameOffset({ min: 0, max: 0 }, start);
    const before = await local.server.clockNow();
    const after = await local.server.advanceClock(3600);
    expect(after - before).toBeGreaterThanOrEqual(3600);
    // exactly an hour ahead of the wall clock now
    expectSameOffset(start, await clockOffset(local.server), 3_600_000);
    expect(await local.server.clockNow()).toBeGreaterThanOrEqual(after);
  });

  test.each(['{"advanceSeconds":-5}', '{"advanceSeconds":"60"}', '{}', 'not json', '[60]'])('fails with 400 on %s and leaves the clock alone', async (body) => {
    const before = await clockOffset(local.server);
    const res = await fetch(`${local.server.endpoint}/__sandbox/clock`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(await res.json()).toHaveProperty('message');
    expectSameOffset(before, await clockOffset(local.server));
  });

  test('answers only after the deletion timers that became due have run', async () => {
    // GIVEN a key scheduled for deletion in 7 days
    const kms = local.server.kms();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
    await local.server.advanceClock(6 * DAY);
    await expect(kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).resolves.toMatchObject({ KeyMetadata: { KeyState: 'PendingDeletion' } });
    // WHEN the clock passes the deletion date
    await local.server.advanceClock(DAY + 60);
    // THEN its timer had recorded the deletion before the clock answered, and the key is gone
    const event = deleteKeyLine(local.server, KeyMetadata!.Arn!);
    expect(event, 'DeleteKey logged before POST /__sandbox/clock answered').toBeDefined();
    expect(JSON.parse(event!)).toMatchObject({ event: 'DeleteKey', keyArn: KeyMetadata!.Arn });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});

describe('persistence', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-persist-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('keys, aliases and ciphertexts survive a graceful restart and a SIGKILL', async () => {
    // GIVEN a key, an alias and a ciphertext written before a SIGTERM
    let server = await startLocalServer({ dataDir });
    let kms = server.kms({ accessKeyId: '111122223333' });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'durable' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/durable', TargetKeyId: KeyMetadata!.KeyId }));
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: 'alias/durable', Plaintext: Buffer.from('kept') }));
    expect(await server.stop()).toBe(0); // graceful: exit code 0

    // WHEN restarted on the same data directory
    server = await startLocalServer({ dataDir });
    kms = server.kms({ accessKeyId: '111122223333' });
    // THEN
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/durable' }))).KeyMetadata).toMatchObject({ KeyId: KeyMetadata!.KeyId, Description: 'durable' });
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('kept');

    // GIVEN a second key written just before a crash
    const { KeyMetadata: second } = await kms.send(new CreateKeyCommand({ Description: 'written before the crash' }));
    await server.kill();

    // WHEN restarted after the SIGKILL
    server = await startLocalServer({ dataDir });
    kms = server.kms({ accessKeyId: '111122223333' });
    try {
      // THEN both keys are there and the old ciphertext still decrypts
      const ids = ((await kms.send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId);
      expect(ids).toEqual(expect.arrayContaining([KeyMetadata!.KeyId, second!.KeyId]));
      expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('kept');
    } finally {
      await server.stop();
    }
  });

  test('a scheduled deletion is re-armed after a crash and happens when due', async () => {
    // GIVEN a key scheduled for deletion, then a crash
    let server = await startLocalServer({ dataDir, clockControl: true });
    let kms = server.kms();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const { DeletionDate } = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
    expect(DeletionDate).toBeInstanceOf(Date);
    await server.kill(); // timers die with the process
    // WHEN restarted (the clock offset is not kept, so the key is still pending)
    server = await startLocalServer({ dataDir, clockControl: true });
    kms = server.kms();
    try {
      await expect(kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).resolves.toMatchObject({ KeyMetadata: { KeyState: 'PendingDeletion' } });
      // THEN the re-armed timer deletes it once the clock passes the date
      await server.advanceClock(7 * DAY + 60);
      expect(deleteKeyLine(server, KeyMetadata!.Arn!), 'DeleteKey logged by the re-armed timer').toBeDefined();
      await expect(kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
    } finally {
      await server.stop();
    }
  });
});

describe('--auth enforce', () => {
  const local = useLocalServer({ inMemory: true, auth: 'enforce' });

  test('refuses credentials the service did not issue', async () => {
    await expect(local.server.kms().send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  test('refuses an unsigned request', async () => {
    const res = await fetch(local.server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
  });

  test('still answers /health', async () => {
    expect((await fetch(`${local.server.endpoint}/health`)).status).toBe(200);
  });
});
