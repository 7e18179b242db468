/** How the bench starts the local server: as `npm start` does (its flags are appended). */
export function serverCommand(): string[] {
  return [process.execPath, '--import', 'tsx', 'bin/local.ts'];
}
