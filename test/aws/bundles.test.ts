/**
 * Every Lambda entry really bundles with the local esbuild and the construct's settings (ESM,
 * node22, minified, source maps, the pinned AWS SDK bundled in), and the bundle loads on its own,
 * outside the project (nothing resolves from node_modules, as in Lambda): with its environment it
 * exports a handler, without it fails fast naming the missing variable. The console
 * function's bundle gets the built console copied beside it by the construct's own commands, and
 * serves it. Sizes are printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { afterAll, describe, expect, test } from 'vitest';
import { BUNDLED_CONSOLE_DIR, CONSOLE_DIST, consoleCopyCommands } from '../../lib/constructs/console-site';
import { BUNDLING, type EntryName, PROJECT_ROOT, entryPath } from '../../lib/constructs/service-function';
import { ENV } from '../../lambda/runtime/env-names';
import { buildConsoleOnce } from '../browser/support/console-build';

const ENTRIES: readonly EntryName[] = ['kms-api', 'timer'];
// Outside the project: a bundle must not need anything from node_modules.
const out = mkdtempSync(join(tmpdir(), 'byok-kms-bundles-'));
const PINNED_SDK = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@aws-sdk/client-dynamodb']!;
afterAll(() => rmSync(out, { recursive: true, force: true }));

const ENVIRONMENT = {
  [ENV.KEY_TABLE]: 'keys',
  [ENV.ROOT_KEY_ARN]: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  [ENV.TIMER_GROUP]: 'timers',
  [ENV.TIMER_TARGET_ARN]: 'arn:aws:lambda:us-east-1:111122223333:function:timer',
  [ENV.TIMER_ROLE_ARN]: 'arn:aws:iam::111122223333:role/scheduler',
  [ENV.TIMER_DLQ_ARN]: 'arn:aws:sqs:us-east-1:111122223333:dlq',
  [ENV.AUDIT_TABLE]: 'audit',
  [ENV.EVENT_BUS]: 'events',
  AWS_REGION: 'us-east-1',
};

async function bundle(entry: EntryName, outfile: string) {
  return build({
    entryPoints: [entryPath(entry)],
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
}

describe('Lambda bundles', () => {
  for (const entry of ENTRIES) {
    test(`${entry} bundles with esbuild and loads`, async () => {
      // WHEN
      const outfile = join(out, entry, 'index.mjs');
      const result = await bundle(entry, outfile);
      // THEN
      expect(result.errors).toEqual([]);
      const size = statSync(outfile).size;
      console.log(`bundle ${entry}: ${(size / 1024).toFixed(1)} KiB (+ ${(statSync(`${outfile}.map`).size / 1024).toFixed(1)} KiB source map)`);
      expect(size).toBeLessThan(1024 * 1024); // the size budget (service-function.ts, BUNDLING)
      expect(BUNDLING.externalModules).toEqual([]);
      expect(readFileSync(outfile, 'utf8')).toContain(`"${PINNED_SDK}"`); // the SDK version the tests run against

      const saved = { ...process.env };
      try {
        Object.assign(process.env, ENVIRONMENT);
        const loaded = (await import(`${pathToFileURL(outfile).href}?ok`)) as { handler: unknown };
        expect(typeof loaded.handler).toBe('function');
        delete process.env[ENV.KEY_TABLE];
        await expect(import(`${pathToFileURL(outfile).href}?missing`)).rejects.toThrow(`environment variable ${ENV.KEY_TABLE} is not set`);
      } finally {
        process.env = saved;
      }
    });
  }
});

describe('console bundle', () => {
  test('bundles with esbuild, gets the built console copied beside it, and serves it', async () => {
    // GIVEN the console built as `cdk synth` builds it (incremental), once at a time with the browser tests
    await buildConsoleOnce();
    // WHEN the entry is bundled and the construct's afterBundling commands run on the output
    const outdir = join(out, 'console');
    const outfile = join(outdir, 'index.mjs');
    const result = await bundle('console', outfile);
    expect(result.errors).toEqual([]);
    execFileSync('bash', ['-c', consoleCopyCommands(CONSOLE_DIST, join(outdir, BUNDLED_CONSOLE_DIR)).join(' && ')], { cwd: PROJECT_ROOT });
    // THEN
    const size = statSync(outfile).size;
    const assets = readdirSync(join(outdir, BUNDLED_CONSOLE_DIR, 'assets'));
    const assetBytes = assets.reduce((sum, name) => sum + statSync(join(outdir, BUNDLED_CONSOLE_DIR, 'assets', name)).size, 0);
    console.log(`bundle console: ${(size / 1024).toFixed(1)} KiB (+ ${(statSync(`${outfile}.map`).size / 1024).toFixed(1)} KiB source map) + console files ${(assetBytes / 1024).toFixed(1)} KiB in ${assets.length} assets`);
    expect(size).toBeLessThan(256 * 1024);
    expect(readdirSync(join(outdir, BUNDLED_CONSOLE_DIR))).not.toContain('.build-stamp');

    const { handler } = (await import(pathToFileURL(outfile).href)) as {
      handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
    };
    const get = (rawPath: string, headers: Record<string, string> = {}) =>
      handler({ version: '2.0', rawPath, rawQueryString: '', headers, requestContext: { http: { method: 'GET', path: rawPath }, stage: '$default' } } as unknown as APIGatewayProxyEventV2, {} as Context);
    const index = await get('/console/');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<div id="root"></div>');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body!)?.[1];
    expect(script, 'index.html loads a script from assets/').toBeDefined();
    const js = await get(`/console/${script}`, { 'accept-encoding': 'gzip' });
    expect(js).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'content-type': 'text/javascript; charset=utf-8', 'content-encoding': 'gzip' } });
    const zipped = Buffer.from(js.body!, 'base64');
    const plain = gunzipSync(zipped);
    console.log(`console ${script}: ${(plain.length / 1024).toFixed(1)} KiB, ${(zipped.length / 1024).toFixed(1)} KiB gzipped`);
    for (const name of assets) {
      // Lambda's response payload limit is 6 MB: every file fits even for a client without gzip
      const res = await get(`/console/assets/${name}`);
      expect(res.statusCode, name).toBe(200);
      expect(JSON.stringify(res).length, name).toBeLessThan(6 * 1024 * 1024);
    }
    expect((await get('/console')).statusCode).toBe(301);
  });
});
