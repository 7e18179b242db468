#!/usr/bin/env node
// dist/local.mjs, the `byok-kms` command (bin/local.ts): scripts/build-server.mjs copies this file there.
// It runs the server bundle beside it, dist/server.cjs, with V8's code cache (issue 11 §3, D97). Node 20 compiles a module at every start and has no compile cache of its own, so the bundle is
// a CommonJS script run through node:vm with the bytecode V8 made of it last time. The cache is named
// after a SHA-256 of the bundle and the Node version (V8 itself checks only its version, its flags and
// the source's length); a process that found none writes it once when it exits, to a temporary file
// renamed into place; where the folder is read-only, every start compiles, as before.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script, constants } from 'node:vm';

const dir = dirname(fileURLToPath(import.meta.url));
const filename = join(dir, 'server.cjs');
const source = readFileSync(filename, 'utf8');
const cacheFile = `${filename}.${createHash('sha256').update(process.version).update(source).digest('hex').slice(0, 16)}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // none yet
}
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename,
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  ...(cachedData && { cachedData }),
});
if (process.env.BYOK_KMS_CODE_CACHE_DEBUG) process.stderr.write(`code cache ${cachedData ? (script.cachedDataRejected ? 'rejected' : 'used') : 'none'}\n`);
if (cachedData === undefined || script.cachedDataRejected) {
  process.once('exit', () => {
    const partial = `${cacheFile}.${process.pid}`;
    try {
      writeFileSync(partial, script.createCachedData(), { mode: 0o644 });
      renameSync(partial, cacheFile);
    } catch {
      rmSync(partial, { force: true });
    }
  });
}
const module = { exports: {}, filename, id: filename, path: dir, loaded: false, children: [], paths: [] };
script.runInThisContext()(module.exports, createRequire(filename), module, filename, dir);
