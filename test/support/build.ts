/**
 * vitest global set-up: the black-box harness runs the server as `npm start` does, from dist/ (D94),
 * so dist/ (and the console) are brought up to date from the sources under test first — a few stat
 * calls when nothing changed.
 */
import { buildAll } from '../../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await buildAll();
}
