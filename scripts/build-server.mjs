#!/usr/bin/env node
// Builds the local server (bin/local.ts and what it imports) into dist/ with esbuild, so that
// `npm start` and the packaged `byok-kms` run JavaScript instead of compiling TypeScript at every
// start (issue 11 §3). Incremental like the console build: esbuild's metafile names every input,
// and the build is redone only when one of them (or package-lock.json, or this script) is newer than
// the last complete build; checking costs a few stat calls. `--force` always builds.
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(root, 'dist');
/** Entry points, by output name. dist/ sits one level below the root, as bin/ does. */
export const SERVER_ENTRIES = { local: join(root, 'bin', 'local.ts') };
// Written after a complete build, listing its inputs: a build that stopped halfway is redone.
const stamp = join(distDir, '.build-stamp.json');

/** Packages with native code or files of their own stay in node_modules; the rest is bundled in. */
const EXTERNAL = ['dynalite', 'level', 'classic-level'];

export function serverIsStale() {
  if (!existsSync(stamp)) return true;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(stamp, 'utf8')).inputs;
  } catch {
    return true;
  }
  const built = statSync(stamp).mtimeMs;
  const watched = [...inputs.map((input) => join(root, input)), join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
  return watched.some((input) => !existsSync(input) || statSync(input).mtimeMs > built);
}

export async function buildServer({ force = false } = {}) {
  if (!force && !serverIsStale()) return false;
  const started = new Date();
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: SERVER_ENTRIES,
    outdir: distDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external: EXTERNAL,
    // Bundled CommonJS packages still call require(); give them one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/'));
  // Dated when the build started: a source saved during the build makes the next run build again.
  writeFileSync(stamp, `${JSON.stringify({ built: started.toISOString(), inputs }, null, 1)}\n`);
  utimesSync(stamp, started, started);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const started = Date.now();
  buildServer({ force }).then((built) => {
    if (built) console.log(`server built into dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, (error) => {
    console.error('server build failed:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
