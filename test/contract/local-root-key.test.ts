/** LocalRootKey: the RootKey contract, in memory and on a data directory, plus its key-file rules. */
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalRootKey, ROOT_KEY_FILE } from '../../lambda/adapters/embedded/local-root-key';
import { rootKeyContract } from './root-key.contract';

let base: string;
let dirs = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kms-root-key-'));
});
afterAll(async () => rm(base, { recursive: true, force: true }));

async function freshDir(): Promise<string> {
  const dir = join(base, `d${dirs++}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

const CONTEXT = { purpose: 'test', keyId: 'k' };

rootKeyContract('LocalRootKey in memory', async () => LocalRootKey.inMemory());
rootKeyContract('LocalRootKey on a data directory', async () => LocalRootKey.fromDataDir(await freshDir()));

describe('LocalRootKey key file', () => {
  test('is created on first start with mode 0600 and 32 bytes, and nothing else is left behind', async () => {
    // GIVEN
    const dir = await freshDir();
    // WHEN
    await LocalRootKey.fromDataDir(dir);
    // THEN
    const file = await stat(join(dir, ROOT_KEY_FILE));
    expect(file.mode & 0o777).toBe(0o600);
    expect(file.size).toBe(32);
    expect(await readdir(dir)).toEqual([ROOT_KEY_FILE]);
  });

  test('persists: a later instance on the same directory unwraps what an earlier one wrapped', async () => {
    // GIVEN
    const dir = await freshDir();
    const wrapped = await (await LocalRootKey.fromDataDir(dir)).wrap(Buffer.from('secret'), CONTEXT);
    // WHEN
    const later = await LocalRootKey.fromDataDir(dir);
    // THEN
    expect(Buffer.from(await later.unwrap(wrapped, CONTEXT)).toString()).toBe('secret');
  });

  test('concurrent first starts on one directory agree on one key', async () => {
    // GIVEN
    const dir = await freshDir();
    // WHEN
    const roots = await Promise.all(Array.from({ length: 8 }, () => LocalRootKey.fromDataDir(dir)));
    // THEN
    const wrapped = await roots[0]!.wrap(Buffer.from('x'), CONTEXT);
    for (const root of roots) expect(Buffer.from(await root.unwrap(wrapped, CONTEXT)).toString()).toBe('x');
    expect(await readdir(dir)).toEqual([ROOT_KEY_FILE]);
  });

  test.each([0o640, 0o604, 0o660, 0o700 | 0o007])('fails to start when the key file has mode %o', async (mode) => {
    // GIVEN
    const dir = await freshDir();
    await LocalRootKey.fromDataDir(dir);
    await chmod(join(dir, ROOT_KEY_FILE), mode);
    // WHEN / THEN
    await expect(LocalRootKey.fromDataDir(dir)).rejects.toThrow(/accessible by group or others .*chmod 600/);
  });

  test.each([0, 31, 33])('fails to start when the key file holds %i bytes', async (size) => {
    // GIVEN
    const dir = await freshDir();
    await writeFile(join(dir, ROOT_KEY_FILE), Buffer.alloc(size, 1), { mode: 0o600 });
    // WHEN / THEN
    await expect(LocalRootKey.fromDataDir(dir)).rejects.toThrow(new RegExp(`holds ${size} bytes, not 32; refusing to start`));
  });

  test('fails to start when the key file is a symbolic link', async () => {
    // GIVEN
    const dir = await freshDir();
    const elsewhere = join(await freshDir(), 'key');
    await writeFile(elsewhere, Buffer.alloc(32, 1), { mode: 0o600 });
    await symlink(elsewhere, join(dir, ROOT_KEY_FILE));
    // WHEN / THEN
    await expect(LocalRootKey.fromDataDir(dir)).rejects.toThrow(/not a regular file/);
  });

  test('different directories have different keys', async () => {
    const [a, b] = [await LocalRootKey.fromDataDir(await freshDir()), await LocalRootKey.fromDataDir(await freshDir())];
    await expect(b.unwrap(await a.wrap(Buffer.from('x'), CONTEXT), CONTEXT)).rejects.toThrow('could not unwrap');
  });
});
