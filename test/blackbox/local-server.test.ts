/**
 * The embedded-mode contract of `npm start` (design decision 7): flags and environment, clock
 * control, persistence across a restart and a crash, graceful shutdown, and `--auth enforce`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
import { DUMMY_CREDENTIALS, type LocalServer, type SigningCredentials, signedHeaders, signedSandboxHeaders, startLocalServer } from '../support/local-server';
import { tool } from '../support/tools';
import { createKey, useLocalServer } from './helpers';

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
async function clockOffset(server: LocalServer, signWith?: SigningCredentials): Promise<{ min: number; max: number }> {
  const from = Date.now();
  const now = Math.round((await server.clockNow(signWith)) * 1000);
  return { min: now - Date.now(), max: now - from };
}

/** Asserts that two bracketed offsets can be the same offset (plus `shiftMs`). */
function expectSameOffset(before: { min: number; max: number }, after: { min: number; max: number }, shiftMs = 0): void {
  expect(after.max, 'offset after').toBeGreaterThanOrEqual(before.min + shiftMs);
  expect(after.min, 'offset after').toBeLessThanOrEqual(before.max + shiftMs);
}

describe('command line', () => {
  test('--help prints the flags in aligned columns and exits 0', async () => {
    const result = await runLocal(['--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--port', '--host', '--data-dir', '--in-memory', '--clock-control', '--auth', 'KMS_PORT', 'KMS_CLOCK_CONTROL']) {
      expect(result.stdout).toContain(flag);
    }
    // and its columns line up: every option's description, and every environment variable, starts in one column
    const options = result.stdout.split('\n').filter((line) => /^ {2}-/.test(line) && !line.includes('--help'));
    expect(options.length).toBeGreaterThanOrEqual(8);
    const columns = (line: string) => `${/^ {2}\S+(?: \S+)* {2,}/.exec(line)![0].length},${line.indexOf('KMS_')}`;
    expect(new Set(options.map(columns)), options.join('\n')).toHaveLength(1);
  });

  test('fails with exit code 2 and the usage on an unknown flag or a bad value', async () => {
    for (const args of [['--bogus'], ['--port', 'eighty'], ['--auth', 'sometimes']]) {
      const result = await runLocal(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage:');
      expect(result.stderr, 'no stack trace').not.toMatch(/\n\s+at /);
    }
  });

  test('fails with exit code 1 and a clear message when the port is taken', async () => {
    const { port, release } = await occupiedPort();
    try {
      const result = await runLocal(['--port', String(port), '--host', '127.0.0.1', '--in-memory']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} is already in use`);
      // one line that says it all, no stack trace after it
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
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

  test('--allow-host adds a Host name the server answers; other names stay refused (D21)', async () => {
    const server = await startLocalServer({ inMemory: true, args: ['--allow-host', 'kms.test'] });
    try {
      const port = Number(new URL(server.endpoint).port);
      const status = (host: string) =>
        new Promise<number>((done, fail) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/health', headers: { host }, setHost: false }, (res) => {
            res.resume();
            done(res.statusCode ?? 0);
          });
          req.on('error', fail).end();
        });
      expect(await status(`kms.test:${port}`)).toBe(200);
      expect(await status(`KMS.test:${port}`)).toBe(200);
      expect(await status(`other.test:${port}`)).toBe(403);
    } finally {
      await server.stop();
    }
  });

  test('--auth enforce prints how to get a credential, not the open-mode example', async () => {
    // GIVEN / WHEN an enforcing server on a data directory, and one in memory
    const onDisk = await startLocalServer({ auth: 'enforce' });
    const inMemory = await startLocalServer({ auth: 'enforce', inMemory: true });
    try {
      // THEN
      const disk = onDisk.output().stdout;
      expect(disk).toContain(`byok-kms listening on ${onDisk.endpoint}`);
      expect(disk).toContain(`npm run -s credentials -- create --account 111122223333 --data-dir ${onDisk.dataDir}`);
      expect(disk).toContain('export AWS_ACCESS_KEY_ID=<AccessKeyId> AWS_SECRET_ACCESS_KEY=<SecretAccessKey>');
      expect(disk).not.toContain('any credentials work');
      const memory = inMemory.output().stdout;
      expect(memory).toContain('none can be issued for an');
      expect(memory).not.toContain('any credentials work');
    } finally {
      await onDisk.stop();
      await inMemory.stop();
    }
  });

  test('warns on stderr when open mode listens beyond loopback', async () => {
    const server = await startLocalServer({ inMemory: true, args: ['--host', '0.0.0.0'] });
    try {
      expect(server.output().stdout).toContain(`byok-kms listening on http://0.0.0.0:${server.port}`);
      expect(server.output().stderr).toContain(`byok-kms: WARNING: open mode on 0.0.0.0: anyone who can reach port ${server.port} of this machine can use`);
    } finally {
      await server.stop();
    }
    // and says nothing of the kind on loopback
    const loopback = await startLocalServer({ inMemory: true });
    try {
      expect(loopback.output().stderr).not.toContain('WARNING');
    } finally {
      await loopback.stop();
    }
  });

  test('prints one line per API call with action, key, status, error and request id, unless --no-request-log (D28)', async () => {
    // GIVEN a server with the log, and one without
    const logged = await startLocalServer({ inMemory: true });
    const quiet = await startLocalServer({ inMemory: true, args: ['--no-request-log'] });
    try {
      // WHEN a key is created, described, and a ciphertext that is not one is decrypted
      for (const server of [logged, quiet]) {
        const kms = server.kms();
        const key = await createKey(kms);
        await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
        await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(64, 7) })).catch(() => undefined);
      }
      // AND one more call: a line is written in the event-loop turn that answered its call, so once this
      // answer is back, every earlier line is on stdout
      await logged.kms().send(new ListKeysCommand({}));
      // THEN each call is one line, after the banner; the secret access key and bodies appear nowhere
      const lines = logged.output().stdout.split('\n').filter((line) => / req=/.test(line)).slice(0, 3);
      expect(lines).toEqual([
        expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z CreateKey 200 [\d.]+ms key=[0-9a-f-]{36} req=[0-9a-f-]{36}$/),
        expect.stringMatching(/^\S+ DescribeKey 200 [\d.]+ms key=[0-9a-f-]{36} req=[0-9a-f-]{36}$/),
        expect.stringMatching(/^\S+ Decrypt 400 InvalidCiphertextException [\d.]+ms req=[0-9a-f-]{36}$/),
      ]);
      expect(logged.output().stdout).not.toContain(DUMMY_CREDENTIALS.secretAccessKey);
      expect(logged.output().stdout.indexOf(' CreateKey ')).toBeGreaterThan(logged.output().stdout.indexOf('byok-kms listening on'));
      expect(quiet.output().stdout).not.toMatch(/ req=/);
      expect(quiet.output().stdout).toContain('request log:   off');
    } finally {
      await logged.stop();
      await quiet.stop();
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
    const res = await fetch(`${local.server.endpoint}/__sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'ValidationException', message: expect.any(String) });
    expectSameOffset(before, await clockOffset(local.server));
  });

  test("the README's curl command moves the clock as written", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const command = readme.split('\n').find((line) => line.startsWith('curl -s -X POST http://127.0.0.1:4599/__sandbox/clock'));
    expect(command, 'README shows how to move the clock with curl').toBeDefined();
    const before = await local.server.clockNow();
    const run = await tool('bash', ['-c', command!.replace('http://127.0.0.1:4599', local.server.endpoint)]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { now: number }).now - before).toBeGreaterThanOrEqual(604_800);
  });

  test('refuses what a page on another site can send: a text/plain form post, or any request with its Origin (D22)', async () => {
    // GIVEN
    const before = await clockOffset(local.server);
    const url = `${local.server.endpoint}/__sandbox/clock`;
    // WHEN an HTML form with enctype=text/plain posts JSON-looking text, and a JSON post carries a foreign Origin
    const form = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"advanceSeconds":2592000}' });
    const foreign = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://attacker.example' }, body: '{"advanceSeconds":2592000}' });
    const foreignRead = await fetch(url, { headers: { origin: 'https://attacker.example' } });
    // THEN each is a KMS-shaped 4xx and the clock has not moved
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({ __type: 'UnsupportedMediaTypeException', message: 'POST /__sandbox/clock needs Content-Type: application/json.' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ __type: 'AccessDeniedException', Message: 'Requests from another origin (https://attacker.example) may not use /__sandbox/clock.' });
    expect(foreignRead.status).toBe(403);
    expectSameOffset(before, await clockOffset(local.server));
    // AND the console's own origin may use it
    const same = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: local.server.endpoint }, body: '{"advanceSeconds":0}' });
    expect(same.status).toBe(200);
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

describe('--auth enforce with an issued credential', () => {
  let dataDir: string;
  let server: LocalServer;
  let issued: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    // GIVEN a credential issued into the data directory (the server is not running yet), then the server
    dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-enforce-'));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/credentials.ts', 'create', '--account', '111122223333', '--data-dir', dataDir]);
    const credential = JSON.parse(stdout) as { AccessKeyId: string; SecretAccessKey: string };
    issued = { accessKeyId: credential.AccessKeyId, secretAccessKey: credential.SecretAccessKey };
    server = await startLocalServer({ dataDir, auth: 'enforce', clockControl: true });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A ListKeys request signed by the SDK's own signer; `unsigned` names headers left out of the signature. */
  function signedListKeys(unsigned: string[] = [], extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', ...extra };
    return signedHeaders(server.endpoint, { method: 'POST', headers, body: '{}' }, issued, { unsignable: unsigned });
  }

  async function post(headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${server.endpoint}/`, { method: 'POST', headers, body: '{}' });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  test('the SDK with the issued credential works', async () => {
    const kms = server.kms({ ...issued });
    const key = await createKey(kms);
    expect(key.Arn).toContain(':111122223333:key/');
  });

  test('fails with InvalidSignatureException when the signature does not cover X-Amz-Target, also with the target swapped (D23)', async () => {
    // GIVEN a signature over everything but X-Amz-Target
    const headers = await signedListKeys(['x-amz-target']);
    expect(headers.authorization).not.toContain('x-amz-target');
    // WHEN sent as signed, and with another action put in
    const asSigned = await post(headers);
    const swapped = await post({ ...headers, 'x-amz-target': 'TrentService.ScheduleKeyDeletion' });
    // THEN both are refused before any action runs
    for (const res of [asSigned, swapped]) {
      expect(res).toEqual({ status: 400, body: { __type: 'InvalidSignatureException', message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization." } });
    }
    // while the complete signature still works
    expect((await post(await signedListKeys())).status).toBe(200);
  });

  test('fails with InvalidSignatureException naming any other x-amz-* header left unsigned (D23)', async () => {
    const headers = await signedListKeys(['x-amz-meta-note'], { 'x-amz-meta-note': 'unsigned' });
    expect(await post(headers)).toEqual({
      status: 400,
      body: { __type: 'InvalidSignatureException', message: 'There were headers present in the request which were not signed: x-amz-meta-note' },
    });
  });

  test('/__sandbox/clock wants a signature: unsigned or badly signed requests are refused and leave the clock (D22)', async () => {
    // GIVEN
    const before = await clockOffset(server, issued);
    const url = `${server.endpoint}/__sandbox/clock`;
    // WHEN unsigned, and signed with a secret that is not the issued one
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advanceSeconds":86400}' });
    const wrongSecret = await fetch(url, {
      method: 'POST',
      headers: await signedSandboxHeaders(server.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advanceSeconds":86400}' }, { ...issued, secretAccessKey: 'x'.repeat(40) }),
      body: '{"advanceSeconds":86400}',
    });
    const unsignedRead = await fetch(url);
    // THEN
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    expect(wrongSecret.status).toBe(400);
    expect(((await wrongSecret.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
    expect(unsignedRead.status).toBe(400);
    expectSameOffset(before, await clockOffset(server, issued));
  });

  test('/__sandbox/clock accepts a request signed with the issued credential, by the SDK signer and by curl --aws-sigv4', async () => {
    const before = await server.clockNow(issued);
    // WHEN signed by the SDK's signer
    expect((await server.advanceClock(3600, issued)) - before).toBeGreaterThanOrEqual(3600);
    // AND by curl, as the README shows
    const curl = await tool('curl', [
      '-s', '--aws-sigv4', 'aws:amz:us-east-1:kms', '--user', `${issued.accessKeyId}:${issued.secretAccessKey}`,
      '-H', 'content-type: application/json', '-d', '{"advanceSeconds":3600}', `${server.endpoint}/__sandbox/clock`,
    ]);
    // THEN
    expect(curl.code, curl.stderr).toBe(0);
    expect((JSON.parse(curl.stdout) as { now: number }).now - before).toBeGreaterThanOrEqual(7200);
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
