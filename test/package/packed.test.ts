/**
 * The package a user installs instead of cloning (issue 11 §4): `npm pack` of this project, installed
 * into an empty folder, runs as `npx byok-kms` with nothing but its run-time dependencies, answers the
 * AWS CLI, and its programmatic API runs the README's vitest example as written and type-checks.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeBlockAfter } from '../support/readme';
import { awsEnv, tool } from '../support/tools';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'byok-kms-package-'));
const project = join(work, 'project');
let tarball = '';
/** The Jest the README's example is run with (not a dependency of this project). */
const JEST = '30.5.2';

/** npm in `cwd`, from the npm cache where it can (the registry is asked only for what it lacks). */
async function npm(cwd: string, ...args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  for (const name of Object.keys(env)) if (name.startsWith('KMS_')) delete env[name];
  const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  // `npm pack` runs prepack, which brings dist/ and console/dist up to date first.
  const output = await npm(ROOT, 'pack', '--json', '--pack-destination', work);
  // What prepack printed ("building …") comes first on stdout, then npm's JSON.
  const packed = JSON.parse(output.slice(output.search(/^\[/m))) as { filename: string }[];
  tarball = join(work, packed[0]!.filename);
  mkdirSync(project);
  // A package.json of its own: without one npm would install into the nearest folder above that has one.
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'byok-kms-consumer', private: true })}\n`);
  await npm(project, 'install', tarball);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  test('installs with its run-time dependencies only: no TypeScript, no build tools, no sources', () => {
    const installed = (name: string) => existsSync(join(project, 'node_modules', name, 'package.json'));
    for (const name of Object.keys(PACKAGE.devDependencies)) expect(installed(name), name).toBe(false);
    for (const name of Object.keys(PACKAGE.dependencies)) expect(installed(name), name).toBe(true);
    const own = join(project, 'node_modules', 'byok-kms');
    expect(existsSync(join(own, 'dist', 'local.mjs'))).toBe(true);
    expect(existsSync(join(own, 'console', 'dist', 'index.html'))).toBe(true); // the console, prebuilt
    for (const source of ['lambda', 'lib', 'console/src', 'bin/local.ts', 'test']) expect(existsSync(join(own, source)), source).toBe(false);
  });

  test('`npx byok-kms --port 0 --in-memory` serves the AWS CLI and the console, and stops when its PID is signalled', async () => {
    const server = await npxByokKms('--port', '0', '--in-memory');
    const processes = descendantsOf(server.child.pid!); // npm's shell, the launcher, the server
    expect(processes.length).toBeGreaterThanOrEqual(2);
    try {
      const env = awsEnv('111122223333');
      const created = await tool('aws', ['kms', 'create-key', '--origin', 'EXTERNAL', '--description', 'from the package', '--endpoint-url', server.endpoint, '--output', 'json'], { env });
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const { KeyMetadata } = JSON.parse(created.stdout) as { KeyMetadata: { Arn: string; KeyState: string; Origin: string } };
      expect(KeyMetadata).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL' });
      expect(KeyMetadata.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
      const listed = await tool('aws', ['kms', 'list-keys', '--endpoint-url', server.endpoint, '--output', 'json', '--query', 'Keys[].KeyArn'], { env });
      expect(JSON.parse(listed.stdout)).toEqual([KeyMetadata.Arn]);
      const page = await fetch(`${server.endpoint}/console/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      process.kill(server.child.pid!, 'SIGTERM'); // npx's own PID: nothing may stay behind
    }
    await server.exited;
    await waitFor('every process npx started to exit', () => processes.every((pid) => !existsSync(`/proc/${pid}`)));
    await expect(fetch(`${server.endpoint}/health`)).rejects.toThrow();
  });

  test("the README's vitest example runs as written against startKms from the package, and type-checks", async () => {
    await npm(project, 'install', `vitest@${PACKAGE.devDependencies.vitest}`, `@aws-sdk/client-kms@${PACKAGE.devDependencies['@aws-sdk/client-kms']}`);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    writeFileSync(join(project, 'kms.test.ts'), codeBlockAfter(readme, "## In your own project's tests", 'ts'));

    // A user's shell: not this vitest's worker variables, no colours in the summary.
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CI: 'true', NO_COLOR: '1' };
    for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'FORCE_COLOR' || name === 'NODE_OPTIONS') delete env[name];
    const vitest = await tool(join(project, 'node_modules', '.bin', 'vitest'), ['run', '--root', project], { cwd: project, env });
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests\s+2 passed \(2\)/);
    expect(vitest.code).toBe(0);

    // The declarations shipped in dist/index.d.ts, as a TypeScript project resolving `byok-kms` would read them.
    const tsc = await tool(process.execPath, [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--skipLibCheck',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
      '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', join(project, 'kms.test.ts'),
    ], { cwd: project });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  });

  test("the README's Jest example runs as written (CommonJS: require('byok-kms'))", async () => {
    await npm(project, 'install', `jest@${JEST}`, `@aws-sdk/client-kms@${PACKAGE.devDependencies['@aws-sdk/client-kms']}`);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    writeFileSync(join(project, 'kms.test.js'), codeBlockAfter(readme, 'With Jest', 'js'));
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', CI: 'true', NO_COLOR: '1' };
    for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'FORCE_COLOR' || name === 'NODE_OPTIONS') delete env[name];
    const jest = await tool(join(project, 'node_modules', '.bin', 'jest'), ['--rootDir', project, 'kms.test.js'], { cwd: project, env });
    expect(jest.stdout + jest.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(jest.code).toBe(0);
  });
});

/** Every process below `pid`, children before grandchildren. */
function descendantsOf(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.flatMap((child) => [child, ...descendantsOf(child)]);
}

/** Polls `probe` until it holds; a hang detector, not a speed limit (D120). */
async function waitFor(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Npx {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npx byok-kms <args>` in the installed project; resolves at its banner. */
async function npxByokKms(...args: string[]): Promise<Npx> {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  for (const name of Object.keys(env)) if (name.startsWith('KMS_')) delete env[name];
  const child = spawn('npx', ['byok-kms', ...args], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const endpoint = await new Promise<string>((found, fail) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const banner = /byok-kms listening on (http:\/\/\S+)/.exec(stdout);
      if (banner) found(banner[1]!);
    });
    void exited.then(({ code, signal }) => fail(new Error(`npx byok-kms exited (${code ?? signal}) before its banner:\n${stdout}${stderr}`)));
  });
  return { child, endpoint, exited };
}
