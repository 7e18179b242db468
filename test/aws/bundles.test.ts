/**
 * Every Lambda entry really bundles with the local esbuild and the construct's settings (ESM,
 * node22, minified, source maps), and the bundle loads. Sizes are printed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, test } from 'vitest';
import { BUNDLING, type EntryName, entryPath } from '../../lib/constructs/service-function';

const ENTRIES: readonly EntryName[] = ['kms-api', 'timer'];
const out = mkdtempSync(join(tmpdir(), 'byok-kms-bundles-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  for (const entry of ENTRIES) {
    test(`${entry} bundles with esbuild`, async () => {
      // WHEN
      const outfile = join(out, entry, 'index.mjs');
      const result = await build({
        entryPoints: [entryPath(entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        sourcemap: BUNDLING.sourceMap,
        mainFields: [...BUNDLING.mainFields],
        banner: { js: BUNDLING.banner },
        logLevel: 'silent',
      });
      // THEN
      expect(result.errors).toEqual([]);
      const size = statSync(outfile).size;
      const mapSize = statSync(`${outfile}.map`).size;
      console.log(`bundle ${entry}: ${(size / 1024).toFixed(1)} KiB (+ ${(mapSize / 1024).toFixed(1)} KiB source map)`);
      expect(size).toBeGreaterThan(1024);
      expect(size).toBeLessThan(5 * 1024 * 1024);
    });
  }
});
