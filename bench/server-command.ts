/**
 * How the bench starts the local server: as `npm start` does, from the JavaScript build in dist/
 * (brought up to date first: scripts/build.mjs); its flags are appended.
 */
import { join } from 'node:path';
import { buildAll } from '../scripts/build.mjs';
import { PROJECT_ROOT } from '../lib/constructs/service-function';

export async function serverCommand(): Promise<string[]> {
  await buildAll();
  return [process.execPath, join(PROJECT_ROOT, 'dist', 'local.mjs')];
}
