#!/usr/bin/env node
// Brings both builds up to date: the web console (console/dist) and the server (dist/). Run at
// install (postinstall), before `npm pack` (prepack) and by `npm start` (bin/start.mjs, in its own
// process: no second Node start). Each is rebuilt only when one of its inputs changed; when both are
// up to date this costs a few hundred stat calls. An installed package has no sources and builds
// nothing. `--force` always builds.
import { fileURLToPath } from 'node:url';
import { buildConsole, consoleIsStale, consoleSourcesPresent } from './build-console.mjs';
import { buildServer, serverIsStale, serverSourcesPresent } from './build-server.mjs';

/** Builds what is stale, saying so (as scripts/build-console.mjs does); silent when nothing is. Throws when a build fails. */
export async function buildAll({ force = false } = {}) {
  if (force ? consoleSourcesPresent() : consoleIsStale()) {
    const started = Date.now();
    console.log('building the web console into console/dist…');
    await buildConsole({ force });
    console.log(`console built into console/dist in ${seconds(started)}`);
  }
  if (force ? serverSourcesPresent() : serverIsStale()) {
    const started = Date.now();
    console.log('building the server into dist/…');
    await buildServer({ force });
    console.log(`server built into dist/ in ${seconds(started)}`);
  }
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildAll({ force: process.argv.includes('--force') }).catch((error) => {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  });
}
