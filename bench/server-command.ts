/**
 * How the bench starts the local server: as `npm start` does, from the JavaScript build in dist/
 * (brought up to date first: scripts/build-server.mjs); its flags are appended.
 */
import { join } from 'node:path';
// @ts-expect-error -- a plain ES module script without declarations
import { buildServer } from '../scripts/build-server.mjs';
import { PROJECT_ROOT } from '../lib/constructs/service-function';

export async function serverCommand(): Promise<string[]> {
  await (buildServer as () => Promise<boolean>)();
  return [process.execPath, join(PROJECT_ROOT, 'dist', 'local.mjs')];
}
