#!/usr/bin/env node
/**
 * `npm start` and the packaged `byok-kms` command: brings the builds up to date (in a clone; an
 * installed package ships them built), then runs the server (dist/local.mjs, bin/local.ts bundled:
 * no TypeScript compiled at start, issue 11 §3) as a child, and hands every signal that reaches this
 * process to it as a stop request over IPC, never as a signal (D27).
 *
 * Why a launcher: Ctrl-C makes the terminal send SIGINT to every process of its foreground group —
 * npm, this launcher and the server alike — and npm sends its child one more. A server that counted
 * npm's copy too would see two signals for one Ctrl-C and take the second for "exit at once".
 * Here the server counts only the signals sent to it; what npm forwards (or what is sent to npm or
 * to this launcher alone) reaches it as a request to stop gracefully, which never escalates. So one
 * Ctrl-C finishes open requests and exits 0, and a second Ctrl-C still exits at once, with no
 * timing window involved. The package.json script `exec`s this file so that no shell sits between
 * npm and it: a shell that saw the SIGINT would end itself by SIGINT after the server exited 0.
 *
 * The launcher exits with the server's exit code (128 + n when the server died of signal n).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from '../scripts/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  await buildAll();
} catch (err) {
  process.stderr.write(`byok-kms: build failed: ${err instanceof Error ? err.message : err}\n`);
  process.exit(1);
}

const server = spawn(process.execPath, [join(root, 'dist', 'local.mjs'), ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (server.connected) server.send({ stop: signal });
  });
}

// `npx byok-kms` runs this under `sh -c`, and a SIGTERM to npx ends that shell without passing the
// signal on: a launcher whose parent went away stops the server as if asked (the check is one getppid).
const parent = process.ppid;
const orphaned = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(orphaned);
  if (server.connected) server.send({ stop: 'SIGHUP' });
}, 250);
orphaned.unref();

server.on('error', (err) => {
  process.stderr.write(`byok-kms: cannot start ${process.execPath}: ${err.message}\n`);
  process.exit(1);
});
server.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
