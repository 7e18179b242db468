#!/usr/bin/env node
/**
 * `npm start`: runs the server (bin/local.ts) as a child, and hands every signal that reaches this
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

const here = dirname(fileURLToPath(import.meta.url));
const server = spawn(process.execPath, ['--import', 'tsx', join(here, 'local.ts'), ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (server.connected) server.send({ stop: signal });
  });
}

server.on('error', (err) => {
  process.stderr.write(`byok-kms: cannot start ${process.execPath}: ${err.message}\n`);
  process.exit(1);
});
server.on('exit', (code, signal) => process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
