#!/usr/bin/env node
// Builds the local server into dist/ with esbuild, so that `npm start`, the tests and the packaged
// `byok-kms` run JavaScript instead of compiling TypeScript at every start (issue 11 §3):
//
//   dist/local.mjs     the `byok-kms` command: scripts/server-loader.mjs, which runs
//   dist/server.cjs    bin/local.ts, with V8's code cache (dist/server.cjs.<hash>.cache, D97)
//   dist/index.mjs     lambda/local/start-kms.ts, `import { startKms } from 'byok-kms'`
//   dist/index.cjs     the same for require() (Jest's default module system)
//   dist/index.d.ts    its declarations
//
// Incremental like the console build: esbuild's metafile names every input, and the build is redone
// only when one of them (or package-lock.json, or this script) changed since the last complete
// build; checking costs a few stat calls. `--force` always builds. Without the sources (an installed
// package ships dist/ prebuilt) there is nothing to do.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(root, 'dist');
const LOCAL_ENTRY = join(root, 'bin', 'local.ts');
const API_ENTRY = join(root, 'lambda', 'local', 'start-kms.ts');
const LOADER = join(root, 'scripts', 'server-loader.mjs');
// Beside the installed dependencies it was built against: a fresh `npm ci` builds again. Written
// after a complete build, with its inputs: a build that stopped halfway is redone.
const stamp = join(root, 'node_modules', '.cache', 'byok-kms', 'server-build.json');

/**
 * Packages with native code or files of their own stay in node_modules; the rest is bundled in,
 * dynalite's JavaScript too (D145): a bundled module is in the code cache of D97, where one in
 * node_modules is found, read and compiled at every start.
 */
const EXTERNAL = ['level', 'classic-level'];
/**
 * dynalite's db module requires `level` (native LevelDB) when it loads, to have the class ready for
 * a store on disk; an in-memory store never constructs it. So dynalite gets a stand-in whose
 * `new Level(…)` requires the real one then: `--in-memory` loads no LevelDB at all.
 */
const lazyLevelForDynalite = {
  name: 'lazy-level-for-dynalite',
  setup(build) {
    build.onResolve({ filter: /^level$/ }, ({ importer }) =>
      importer.includes(`${sep}node_modules${sep}dynalite${sep}`) ? { path: 'level', namespace: 'lazy-level' } : { path: 'level', external: true },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-level' }, () => ({
      contents: "exports.Level = function Level(...args) { return new (require('level').Level)(...args); };",
      loader: 'js',
    }));
    // dynalite requires each action's modules by a computed name without extension, which esbuild's
    // bundle of those folders keys with one: the name gets its '.js'. And it requires node:https (TLS,
    // ~10 ms of every start) for an `ssl` option nobody here passes: required when a server is made.
    // The build fails if dynalite changed these lines.
    build.onLoad({ filter: /[\\/]node_modules[\\/]dynalite[\\/]index\.js$/ }, ({ path }) => {
      let contents = readFileSync(path, 'utf8');
      const edits = [
        ["require('./actions/' + action)", "require('./actions/' + action + '.js')"],
        ["require('./validations/' + action)", "require('./validations/' + action + '.js')"],
        ["https = require('https'),", "https = { createServer: (...args) => require('https').createServer(...args) },"],
      ];
      for (const [before, after] of edits) {
        if (!contents.includes(before)) throw new Error(`${path} no longer has ${before}`);
        contents = contents.replace(before, after);
      }
      return { contents, loader: 'js' };
    });
  },
};
/** Bundled CommonJS packages still call require(); ESM output gives them one. */
const REQUIRE_SHIM = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export function serverSourcesPresent() {
  return existsSync(LOCAL_ENTRY) && existsSync(API_ENTRY);
}

export function serverIsStale() {
  if (!serverSourcesPresent()) return false;
  if (!existsSync(stamp)) return true;
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(stamp, 'utf8'));
  } catch {
    return true;
  }
  const built = statSync(stamp).mtimeMs;
  if (recorded.outputs.some((output) => !existsSync(join(root, output)))) return true;
  const inputs = [...recorded.inputs.map((input) => join(root, input)), join(root, 'package-lock.json'), fileURLToPath(import.meta.url), LOADER];
  return inputs.some((file) => !existsSync(file) || statSync(file).mtimeMs > built);
}

export async function buildServer({ force = false } = {}) {
  if (!serverSourcesPresent() || (!force && !serverIsStale())) return false;
  const started = new Date();
  const { build } = await import('esbuild');
  // Minified as the Lambda bundles are: half the bytes for Node to parse at every start. ES modules
  // first, as the Lambda bundles take them too: esbuild leaves out what the server never imports
  // (of the AWS SDK: clients, credential providers, HTTP handlers), where a package's CommonJS
  // build is one file, all of it evaluated at every start.
  const common = { bundle: true, platform: 'node', target: 'node20', mainFields: ['module', 'main'], minify: true, sourcemap: true, external: EXTERNAL, metafile: true, logLevel: 'warning', absWorkingDir: root, plugins: [lazyLevelForDynalite] };
  // CommonJS has no import.meta: each CommonJS bundle gets its own file URL.
  const commonJs = {
    format: 'cjs',
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
  const results = await Promise.all([
    // CommonJS, so that the loader can hand V8 the bytecode it cached (Node 20 caches no module's).
    build({ ...common, ...commonJs, entryPoints: [LOCAL_ENTRY], outfile: join(distDir, 'server.cjs') }),
    build({ ...common, entryPoints: [API_ENTRY], outfile: join(distDir, 'index.mjs'), format: 'esm', banner: { js: REQUIRE_SHIM } }),
    build({ ...common, ...commonJs, entryPoints: [API_ENTRY], outfile: join(distDir, 'index.cjs') }),
  ]);
  const ts = (await import('typescript')).default;
  const declarations = ts.transpileDeclaration(readFileSync(API_ENTRY, 'utf8'), { fileName: 'index.ts', reportDiagnostics: true });
  if (declarations.diagnostics?.length) {
    throw new Error(`declarations of ${API_ENTRY}: ${declarations.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
  }
  writeFileSync(join(distDir, 'index.d.ts'), declarations.outputText);
  copyFileSync(LOADER, join(distDir, 'local.mjs'));
  chmodSync(join(distDir, 'local.mjs'), 0o755);
  // The code cache of the bundle just replaced is named after its old hash: nothing reads it any more.
  for (const name of readdirSync(distDir)) if (/^server\.cjs\..+\.cache/.test(name)) rmSync(join(distDir, name), { force: true });
  rmSync(join(distDir, 'local.mjs.map'), { force: true }); // of the ESM bundle dist/local.mjs was before D97

  const inputs = new Set();
  const outputs = ['dist/index.d.ts', 'dist/local.mjs'];
  for (const result of results) {
    // Only the project's own files: not packages, and not a plugin's virtual module (`lazy-level:level`),
    // which is no file, so serverIsStale() would find it missing and every start would build again.
    for (const input of Object.keys(result.metafile.inputs)) if (!input.startsWith('node_modules/') && !/^[\w-]+:/.test(input)) inputs.add(input);
    outputs.push(...Object.keys(result.metafile.outputs));
  }
  await warmCodeCache();
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `${JSON.stringify({ built: started.toISOString(), inputs: [...inputs].sort(), outputs }, null, 1)}\n`);
  // Dated when the build started: a source saved during the build makes the next run build again.
  utimesSync(stamp, started, started);
  return true;
}

/** How long the warm-up start may take to listen: a start takes well under a second, a few on a loaded machine. */
const WARM_UP_BOUND_MS = 10_000;

/**
 * Starts the server just built once, in memory on a free loopback port, and stops it as soon as it
 * listens: that start leaves the code cache of D97 behind, so the first real start after a build
 * finds it instead of compiling the bundle (and so do the many servers a test suite starts at once,
 * where none had written the cache yet). Best effort: where it cannot start or write the cache, the
 * first start compiles, as before.
 *
 * It dies with the build: it gets an IPC channel, and a server whose channel closes stops
 * (bin/local.ts), so a build killed by SIGKILL leaves no server behind, and one that exits otherwise
 * kills it on the way out. One that has not listened within `boundMs` is killed, and the build says so.
 */
export function warmCodeCache(launcher = join(distDir, 'local.mjs'), { boundMs = WARM_UP_BOUND_MS } = {}) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('KMS_')) delete env[name];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, '--port', '0', '--host', '127.0.0.1', '--in-memory', '--no-request-log'], {
      stdio: ['ignore', 'pipe', 'ignore', 'ipc'],
      env,
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const giveUp = setTimeout(() => {
      process.stderr.write(
        `byok-kms build: the code-cache warm-up start (D147) did not listen within ${boundMs / 1000} s and was killed; ` +
          'the first start after this build compiles the bundle instead\n',
      );
      child.kill('SIGKILL');
    }, boundMs);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('byok-kms listening on ')) child.kill('SIGTERM');
    });
    const done = () => {
      clearTimeout(giveUp);
      process.removeListener('exit', killOnExit);
      resolve();
    };
    child.once('error', done);
    child.once('exit', done);
  });
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
