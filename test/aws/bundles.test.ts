/**
 * Every Lambda entry really bundles with the local esbuild and the construct's settings (ESM,
 * node22, minified, source maps, the runtime's AWS SDK left out), and the bundle loads: with its
 * environment it exports a handler, without it fails fast naming the missing variable. Sizes are printed.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, test } from 'vitest';
import { BUNDLING, type EntryName, PROJECT_ROOT, entryPath } from '../../lib/constructs/service-function';
import { ENV } from '../../lambda/runtime/env-names';

const ENTRIES: readonly EntryName[] = ['kms-api', 'timer'];
// Inside the project, so that the externals (the AWS SDK) resolve from node_modules as in Lambda.
const out = join(PROJECT_ROOT, 'node_modules', '.cache', `byok-kms-bundles-${process.pid}`);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const ENVIRONMENT = {
  [ENV.KEY_TABLE]: 'keys',
  [ENV.ROOT_KEY_ARN]: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  [ENV.TIMER_GROUP]: 'timers',
  [ENV.TIMER_TARGET_ARN]: 'arn:aws:lambda:us-east-1:111122223333:function:timer',
  [ENV.TIMER_ROLE_ARN]: 'arn:aws:iam::111122223333:role/scheduler',
  [ENV.TIMER_DLQ_ARN]: 'arn:aws:sqs:us-east-1:111122223333:dlq',
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
      expect(size).toBeLessThan(1024 * 1024);

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
