/**
 * `npm run bench` (not part of `npm test`): byok-kms's embedded server beside its transport floor
 * and its peer, in one run, on one loopback, driven by one load generator (bench/load.mjs, in a
 * process of its own: D93) at concurrency 16:
 *
 *   byok-kms   the embedded server as `npm start` runs it (in memory, open mode, no request log:
 *              `--request-log` keeps it on)
 *   floor      a bare node:http server answering the same bytes byok-kms answered (bench/floor.mjs)
 *   moto       moto_server's KMS
 *
 * For Encrypt, Decrypt, GenerateDataKey, DescribeKey and GetParametersForImport it prints req/s,
 * p50 and p99 of each, and the ratios byok-kms/floor and byok-kms/moto; then Encrypt while eight
 * clients loop RSA_4096 GetParametersForImport beside it (issue 7 §3, 11 §5), the time from process
 * start to a ready endpoint for byok-kms and moto, and the kms-api Lambda bundle's size and cold
 * import time. Every request is the same raw AWS JSON 1.1 request for all three (a fixed SigV4-shaped
 * Authorization header: moto routes on it, byok-kms in open mode reads only its scope).
 *
 * byok-kms and the floor run in BENCH_ROUNDS short pairs per row, and the ratios to the floor are
 * the median of the pairs' ratios, with their range (D141; the arithmetic is bench/report.ts).
 * It exits 1 when a target of issue 11 is missed: Encrypt, Decrypt and GenerateDataKey at ≥ 50 % of
 * the floor's req/s and ≥ 10× moto's, with a p99 within 2× of the floor's; start to ready ≤ 0.4 s.
 *
 *   npm run bench      BENCH_SECONDS (default 7) per row and server, in BENCH_ROUNDS (7) pairs of
 *                      byok-kms and floor rounds (moto: 3 rounds), after BENCH_WARMUP_SECONDS (2)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { BUNDLING, PROJECT_ROOT, entryPath } from '../lib/constructs/service-function';
import { ENV } from '../lambda/runtime/env-names';
import { HEADER, type Measured, median, missedTargets, ms, rowsFor, type Summary, summarize, table, TARGETS } from './report';
import { serverCommand } from './server-command';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 7);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/** byok-kms and the floor: each row's BENCH_SECONDS split into this many paired rounds (D141). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** moto: each row's BENCH_SECONDS in this many rounds, after the first pairs (D141). */
const MOTO_ROUNDS = Math.min(3, ROUNDS);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || !(SECONDS > 0)) throw new Error('BENCH_ROUNDS must be a whole number ≥ 1 and BENCH_SECONDS > 0');
const CONNECTIONS = 16;
const STARTS = 3;
const IMPORT_LOOPS = 8;

const GATED = new Set(['Encrypt', 'Decrypt', 'GenerateDataKey']);

/** SigV4-shaped, never verified: moto reads the service and Region from it, byok-kms (open mode) the scope. */
const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000';
const headersFor = (action: string) => ({
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': `TrentService.${action}`,
  'x-amz-date': '20260101T000000Z',
  authorization: AUTHORIZATION,
});

interface Endpoint {
  readonly name: 'byok-kms' | 'floor' | 'moto';
  readonly url: string;
  stop(): Promise<void>;
}

// ---- processes -------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const hard = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(hard);
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` every 5 ms until it answers 200; resolves to the seconds since `startedAt`. */
async function readyAfter(url: string, startedAt: number, child: ChildProcess): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return (performance.now() - startedAt) / 1000;
    } catch {
      // not listening yet
    }
    if (performance.now() - startedAt > 60_000) throw new Error(`${url} was not ready within 60 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function startByok(): Promise<Endpoint & { readySeconds: number }> {
  const port = await freePort();
  const [command, ...args] = await serverCommand();
  const startedAt = performance.now();
  // Without the request log, whose line per call the floor and moto do not write either (it goes
  // to stdout, here nowhere); `npm run bench -- --request-log` measures with it, as npm start runs.
  const requestLog = process.argv.includes('--request-log') ? [] : ['--no-request-log'];
  const child = track(
    spawn(command!, [...args, '--port', String(port), '--in-memory', ...requestLog], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  const readySeconds = await readyAfter(`${url}/health`, startedAt, child).catch((err: Error) => {
    throw new Error(`${err.message}\n${stderr}`);
  });
  return { name: 'byok-kms', url, readySeconds, stop: () => stopChild(child) };
}

async function startMoto(): Promise<Endpoint & { readySeconds: number }> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = track(spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' }));
  child.once('error', (err) => {
    console.error(`moto_server could not start (${err.message}); install it: pip install 'moto[server]'`);
    process.exit(2);
  });
  const url = `http://127.0.0.1:${port}`;
  const readySeconds = await readyAfter(`${url}/moto-api/`, startedAt, child);
  return { name: 'moto', url, readySeconds, stop: () => stopChild(child) };
}

async function startFloor(bodies: Record<string, string>): Promise<Endpoint> {
  const child = track(spawn(process.execPath, [join(PROJECT_ROOT, 'bench', 'floor.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] }));
  child.stdin!.end(JSON.stringify(bodies));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the floor server exited with code ${code}`)));
  });
  return { name: 'floor', url, stop: () => stopChild(child) };
}

/** Median start-to-ready over STARTS fresh processes; the last one is kept for the load. */
async function startMeasured<T extends { readySeconds: number; stop(): Promise<void> }>(start: () => Promise<T>): Promise<{ kept: T; seconds: number[] }> {
  const seconds: number[] = [];
  for (let i = 1; ; i++) {
    const started = await start();
    seconds.push(started.readySeconds);
    if (i === STARTS) return { kept: started, seconds };
    await started.stop();
  }
}

// ---- requests --------------------------------------------------------------------------------

async function call(url: string, action: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: headersFor(action), body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

async function callOk<T>(url: string, action: string, body: unknown): Promise<T> {
  const { status, text } = await call(url, action, body);
  if (status !== 200) throw new Error(`${url} ${action} answered ${status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The five benchmarked requests against one service, on keys created there. */
async function requestsFor(url: string): Promise<Map<string, unknown>> {
  const plaintext = randomBytes(256).toString('base64');
  const { KeyMetadata: key } = await callOk<{ KeyMetadata: { KeyId: string } }>(url, 'CreateKey', {});
  const { KeyMetadata: external } = await callOk<{ KeyMetadata: { KeyId: string } }>(url, 'CreateKey', { Origin: 'EXTERNAL' });
  const { CiphertextBlob } = await callOk<{ CiphertextBlob: string }>(url, 'Encrypt', { KeyId: key.KeyId, Plaintext: plaintext });
  return new Map<string, unknown>([
    ['Encrypt', { KeyId: key.KeyId, Plaintext: plaintext }],
    ['Decrypt', { CiphertextBlob }],
    ['GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256' }],
    ['DescribeKey', { KeyId: key.KeyId }],
    ['GetParametersForImport', { KeyId: external.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }],
  ]);
}

/** bench/load.mjs at CONNECTIONS for `seconds`, in a process of its own. */
async function measure(url: string, action: string, body: unknown, seconds: number): Promise<Measured> {
  const spec = JSON.stringify({ url, headers: headersFor(action), body: JSON.stringify(body), connections: CONNECTIONS, seconds });
  const child = track(spawn(process.execPath, [join(PROJECT_ROOT, 'bench', 'load.mjs'), spec], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`the load generator failed against ${url} (${action}), exit code ${code}`);
  const result = JSON.parse(out) as { ok: number; failed: number; seconds: number; p50: number | null; p99: number | null };
  return { rps: result.ok / result.seconds, p50: result.p50 ?? Number.NaN, p99: result.p99 ?? Number.NaN, failed: result.failed };
}

// ---- the Lambda bundle -----------------------------------------------------------------------

const LAMBDA_ENV = {
  [ENV.KEY_TABLE]: 'keys',
  [ENV.ROOT_KEY_ARN]: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  [ENV.TIMER_GROUP]: 'timers',
  [ENV.TIMER_TARGET_ARN]: 'arn:aws:lambda:us-east-1:111122223333:function:timer',
  [ENV.TIMER_ROLE_ARN]: 'arn:aws:iam::111122223333:role/scheduler',
  [ENV.TIMER_DLQ_ARN]: 'arn:aws:sqs:us-east-1:111122223333:dlq',
  [ENV.AUDIT_TABLE]: 'audit',
  [ENV.EVENT_BUS]: 'events',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The kms-api bundle as the construct builds it; its size, and the median cold import in fresh processes. */
async function lambdaBundle(): Promise<{ bytes: number; importMs: number }> {
  // Inside the project, so that the externals (the AWS SDK) resolve from node_modules as in Lambda.
  const dir = join(PROJECT_ROOT, 'node_modules', '.cache', `byok-kms-bench-${process.pid}`);
  const outfile = join(dir, 'index.mjs');
  mkdirSync(dir, { recursive: true });
  try {
    await build({
      entryPoints: [entryPath('kms-api')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target,
      minify: BUNDLING.minify,
      sourcemap: BUNDLING.sourceMap,
      mainFields: [...BUNDLING.mainFields],
      external: [...BUNDLING.externalModules],
      banner: { js: BUNDLING.banner },
      logLevel: 'silent',
    });
    const script = `const t = performance.now(); const m = await import(${JSON.stringify(outfile)}); if (typeof m.handler !== 'function') process.exit(1); process.stdout.write(String(performance.now() - t));`;
    const times: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...LAMBDA_ENV } }).toString()));
    }
    return { bytes: statSync(outfile).size, importMs: median(times) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the run -------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const missed: string[] = [];

  const byok = await startMeasured(startByok);
  const moto = await startMeasured(startMoto);
  const endpoints: Endpoint[] = [byok.kept, moto.kept];
  try {
    const byokRequests = await requestsFor(byok.kept.url);
    const motoRequests = await requestsFor(moto.kept.url);
    // The floor answers exactly what byok-kms answered.
    const bodies: Record<string, string> = {};
    for (const [action, body] of byokRequests) bodies[`TrentService.${action}`] = (await call(byok.kept.url, action, body)).text;
    const floor = await startFloor(bodies);
    endpoints.push(floor);

    const rows: string[][] = [];
    const results = new Map<string, Summary>();
    for (const [action, byokBody] of byokRequests) {
      const motoBody = motoRequests.get(action);
      // Warm-up (JIT, connections, caches); key generation has nothing to warm.
      if (action !== 'GetParametersForImport') {
        for (const [endpoint, body] of [[floor, byokBody], [byok.kept, byokBody], [moto.kept, motoBody]] as const) await measure(endpoint.url, action, body, WARMUP_SECONDS);
      }
      // D141: byok-kms and the floor in ROUNDS short pairs, one right after the other, their order
      // swapped every round (byok-kms, floor; floor, byok-kms; …), each pair giving one ratio: what
      // the shared cores do meanwhile hits both sides of a pair alike, and the verdict is the median
      // pair's, so one spoilt pair (or one lucky one) does not decide it. moto runs after each of the first pairs.
      const byokRounds: Measured[] = [];
      const floorRounds: Measured[] = [];
      const motoRounds: Measured[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const pair = round % 2 === 0 ? [byokRounds, floorRounds] : [floorRounds, byokRounds];
        for (const into of pair) into.push(await measure(into === byokRounds ? byok.kept.url : floor.url, action, byokBody, SECONDS / ROUNDS));
        if (round < MOTO_ROUNDS) motoRounds.push(await measure(moto.kept.url, action, motoBody, SECONDS / MOTO_ROUNDS));
      }
      const summary = summarize({ byok: byokRounds, floor: floorRounds, moto: motoRounds });
      results.set(action, summary);
      rows.push(...rowsFor(action, summary));
      if (GATED.has(action)) missed.push(...missedTargets(action, summary));
    }

    // Encrypt while clients loop RSA_4096 GetParametersForImport beside it.
    const external = (byokRequests.get('GetParametersForImport') as { KeyId: string }).KeyId;
    let importing = true;
    let imports = 0;
    const loops = Array.from({ length: IMPORT_LOOPS }, async () => {
      while (importing) {
        await callOk(byok.kept.url, 'GetParametersForImport', { KeyId: external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_4096' });
        imports++;
      }
    });
    const underImport = await measure(byok.kept.url, 'Encrypt', byokRequests.get('Encrypt'), SECONDS);
    importing = false;
    await Promise.all(loops);
    const plainEncrypt = results.get('Encrypt')!.byok;

    const bundle = await lambdaBundle();
    const loadAfter = loadavg();

    const cpu = cpus();
    console.log(
      `\nbyok-kms benchmark: ${CONNECTIONS} connections, bench/load.mjs in a process of its own; per row, after ${WARMUP_SECONDS} s of warm-up each, ` +
        `byok-kms and the floor in ${ROUNDS} pairs of ${(SECONDS / ROUNDS).toFixed(2)} s rounds, moto in ${MOTO_ROUNDS} rounds of ${(SECONDS / MOTO_ROUNDS).toFixed(2)} s between them`,
    );
    console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}; load average ${loadBefore[0]!.toFixed(2)} before, ${loadAfter[0]!.toFixed(2)} after`);
    console.log(`(the load generator and the server under test share these cores)\n`);
    console.log(`(req/s, p50, p99: each server's median round; vs floor and p99 vs floor: the median of the ${ROUNDS} pairs' ratios, their range in brackets; vs moto: of the medians)\n`);
    console.log(table(HEADER, rows));
    console.log(
      `\nEncrypt beside ${IMPORT_LOOPS} clients looping RSA_4096 GetParametersForImport: ${underImport.rps.toFixed(0)} req/s, p50 ${ms(underImport.p50)} ms, ` +
        `p99 ${ms(underImport.p99)} ms (alone: ${plainEncrypt.rps.toFixed(0)} req/s, p99 ${ms(plainEncrypt.p99)} ms); ${imports} RSA_4096 key pairs meanwhile` +
        (underImport.failed > 0 ? `; ${underImport.failed} Encrypt requests failed` : ''),
    );
    const starts = (s: readonly number[]) => `${median(s).toFixed(3)} s (median of ${s.map((v) => v.toFixed(3)).join(', ')})`;
    console.log(`start to ready (process start to 200 on /health; moto: on /moto-api/): byok-kms ${starts(byok.seconds)}, moto ${starts(moto.seconds)}`);
    console.log(`kms-api Lambda bundle: ${(bundle.bytes / 1024).toFixed(1)} KiB, cold import in a fresh Node process ${bundle.importMs.toFixed(0)} ms (median of ${STARTS})`);
    if (underImport.failed > 0) missed.push(`Encrypt beside key generation: ${underImport.failed} requests failed`);
    if (median(byok.seconds) > TARGETS.startSeconds) missed.push(`start to ready ${median(byok.seconds).toFixed(3)} s (target ≤ 0.4 s)`);

    if (missed.length > 0) {
      console.log(`\nMISSED ${missed.length} target(s):\n${missed.map((m) => `  - ${m}`).join('\n')}`);
      process.exitCode = 1;
    } else {
      console.log('\nEvery target met.');
    }
  } finally {
    for (const endpoint of endpoints) await endpoint.stop();
  }
}

await main();
