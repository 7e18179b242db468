#!/usr/bin/env node
// Builds the web console (console/ → console/dist) with Vite, only when its sources are newer than the last
// build, so `npm start` stays fast. `--force` always builds. Exit code 1 when the build fails. Without the
// sources (an installed package ships console/dist prebuilt) there is nothing to do.
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = join(root, 'console');
const distDir = join(consoleDir, 'dist');
// Written after a complete build: a build that stopped halfway leaves no stamp and is redone.
const stamp = join(distDir, '.build-stamp');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function consoleSourcesPresent() {
  return existsSync(join(consoleDir, 'src'));
}

export function consoleIsStale() {
  if (!consoleSourcesPresent()) return false;
  if (!existsSync(stamp)) return true;
  const inputs = [
    join(consoleDir, 'src'), join(consoleDir, 'index.html'), join(consoleDir, 'vite.config.ts'),
    join(consoleDir, 'tsconfig.json'), join(root, 'package-lock.json'),
  ];
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => newestMtime(input) > built);
}

export async function buildConsole({ force = false } = {}) {
  if (!consoleSourcesPresent() || (!force && !consoleIsStale())) return false;
  const started = new Date();
  const { build } = await import('vite');
  await build({ configFile: join(consoleDir, 'vite.config.ts'), root: consoleDir, logLevel: 'warn' });
  // Dated when the build started: a source saved during the build makes the next run build again.
  writeFileSync(stamp, `${started.toISOString()}\n`);
  utimesSync(stamp, started, started);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const started = Date.now();
  // Say something only when there is work: an up-to-date console is checked at every npm start.
  if (force || consoleIsStale()) console.log('building the web console into console/dist…');
  buildConsole({ force }).then((built) => {
    if (built) console.log(`console built into console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, (error) => {
    console.error('console build failed:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
