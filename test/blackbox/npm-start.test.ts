/**
 * `npm start` as a terminal runs it (D27): npm, the launcher (bin/start.mjs) and the server share the terminal's
 * process group, and Ctrl-C is SIGINT to that whole group. One Ctrl-C must let a request in flight finish and end
 * with exit code 0; a second Ctrl-C must exit at once. The request is held in flight deterministically: it sends
 * `Expect: 100-continue`, and its body only after the server has said it is stopping.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SIGINT_BIT = 1n << 1n; // signal 2 in /proc's pending masks

interface NpmStart {
  readonly child: ChildProcess;
  readonly endpoint: URL;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): { stdout: string; stderr: string };
}

/** `npm start -- <args>` in a process group of its own, as a terminal starts a foreground job. */
async function npmStart(...args: string[]): Promise<NpmStart> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('KMS_')) delete env[name];
  const child = spawn('npm', ['start', '--', '--port', '0', '--host', '127.0.0.1', ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  process.once('exit', () => killGroup(child, 'SIGKILL'));
  const endpoint = await waitFor('the banner', () => /byok-kms listening on (http:\/\/\S+)/.exec(stdout)?.[1], 120_000);
  return { child, endpoint: new URL(endpoint), exited, output: () => ({ stdout, stderr }) };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal); // the whole group, as the terminal's Ctrl-C does
  } catch {
    // already gone
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The server process: the descendant of npm that runs dist/local.mjs (bin/local.ts, built). */
function serverPid(npm: ChildProcess): number {
  const table = execFileSync('ps', ['-o', 'pid=,pgid=,args=', '-g', String(npm.pid)], { encoding: 'utf8' });
  const line = table.split('\n').find((l) => l.includes('dist/local.mjs'));
  if (!line) throw new Error(`no server process in the group of ${npm.pid}:\n${table}`);
  return Number(line.trim().split(/\s+/)[0]);
}

/** True once no SIGINT is pending for the process: the kernel has delivered it (its handler has run). */
function sigintDelivered(pid: number): true | undefined {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const pending = ['SigPnd', 'ShdPnd'].map((field) => BigInt(`0x${new RegExp(`^${field}:\\s*([0-9a-f]+)`, 'm').exec(status)![1]}`));
  return pending.every((mask) => (mask & SIGINT_BIT) === 0n) ? true : undefined;
}

/** Starts a CreateKey whose headers the server has (it answered 100 Continue); the body goes when `send` is called. */
function createKeyInFlight(endpoint: URL): Promise<{ send: () => void; answer: Promise<{ status: number; body: string }> }> {
  const body = JSON.stringify({ Description: 'in flight during Ctrl-C' });
  return new Promise((started, fail) => {
    let finish: (value: { status: number; body: string }) => void = () => undefined;
    let broken: (err: Error) => void = () => undefined;
    const answer = new Promise<{ status: number; body: string }>((done, failAnswer) => {
      finish = done;
      broken = failAnswer;
    });
    const req = request(
      {
        host: endpoint.hostname,
        port: endpoint.port,
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => finish({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('continue', () => started({ send: () => req.end(body), answer }));
    req.on('error', (err) => {
      broken(err);
      fail(err);
    });
    req.flushHeaders();
  });
}

describe('npm start in a terminal', { timeout: 180_000 }, () => {
  test('one Ctrl-C lets the request in flight finish, then npm exits 0', async () => {
    // GIVEN npm start, and a request the server is already handling
    const npm = await npmStart('--in-memory');
    const inFlight = await createKeyInFlight(npm.endpoint);
    // WHEN the terminal's Ctrl-C reaches npm, the launcher and the server
    killGroup(npm.child, 'SIGINT');
    await waitFor('the stopping notice', () => (npm.output().stderr.includes('finishing open requests') ? true : undefined));
    inFlight.send();
    // THEN the request is answered in full, the key exists, and everything exits 0
    const answer = await inFlight.answer;
    expect(answer.status, answer.body).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ KeyMetadata: { Description: 'in flight during Ctrl-C', KeyState: 'Enabled' } });
    expect(await npm.exited).toEqual({ code: 0, signal: null });
    const { stdout, stderr } = npm.output();
    expect(stderr).toContain('byok-kms: stopped');
    expect(stderr).not.toContain('exiting now');
    expect(stdout).toMatch(/ CreateKey 200 [\d.]+ms key=[0-9a-f-]{36} req=[0-9a-f-]{36}\n/);
  });

  test('a second Ctrl-C exits at once, without waiting for the request in flight', async () => {
    // GIVEN npm start stopping, with a request that will never send its body
    const npm = await npmStart('--in-memory');
    const inFlight = await createKeyInFlight(npm.endpoint);
    const dropped = inFlight.answer.then(() => 'answered', () => 'dropped');
    const server = serverPid(npm.child);
    killGroup(npm.child, 'SIGINT');
    await waitFor('the stopping notice', () => (npm.output().stderr.includes('finishing open requests') ? true : undefined));
    await waitFor('the first SIGINT to reach the server', () => sigintDelivered(server));
    // WHEN the user presses Ctrl-C again
    killGroup(npm.child, 'SIGINT');
    // THEN the server exits at once with 128 + SIGINT, and npm reports it
    expect((await npm.exited).code).toBe(130);
    expect(npm.output().stderr).toContain('byok-kms: SIGINT again, exiting now');
    expect(await dropped).toBe('dropped');
  });

  test('the server stops by itself when the launcher is killed', async () => {
    // GIVEN npm start
    const npm = await npmStart('--in-memory');
    const server = serverPid(npm.child);
    const launcher = Number(readFileSync(`/proc/${server}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    // WHEN the launcher dies without a word (SIGKILL)
    process.kill(launcher, 'SIGKILL');
    await npm.exited;
    // THEN the server notices and stops gracefully instead of lingering on its port
    await waitFor('the server to exit', () => {
      try {
        process.kill(server, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    expect(npm.output().stderr).toContain('byok-kms: npm start has gone: finishing open requests');
  });
});
