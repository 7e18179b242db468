/**
 * The embedded mode's RootKey: AES-256-GCM under a 32-byte key kept in `<dataDir>/root-key`
 * (mode 0600, created on first start), with the canonical WrapContext as AAD (design decision 3).
 *
 * Blob, format 1:  version (1 byte = 0x01) | IV (12) | ciphertext | tag (16)
 * AAD = version byte | canonicalContext(context), so the format number is authenticated too.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IV_LENGTH, KEY_LENGTH, TAG_LENGTH, open as openSealed, seal } from '../../core/crypto/aead';
import { canonicalContext } from '../../core/crypto/encryption-context';
import { UnwrapError } from '../../core/errors';
import type { RootKey, WrapContext } from '../../core/ports';

const FORMAT = 0x01;
const HEADER_LENGTH = 1 + IV_LENGTH;
export const ROOT_KEY_FILE = 'root-key';

export class LocalRootKey implements RootKey {
  private constructor(private readonly key: Uint8Array) {}

  /**
   * The root key of a data directory (which must exist): read from `<dataDir>/root-key`, or created
   * there on first start. Refuses a file of the wrong size or one that group or others may access,
   * and a missing one when `existing` names what it wrapped (D34): a new key could not read that.
   */
  static async fromDataDir(dataDir: string, options: { readonly existing?: string } = {}): Promise<LocalRootKey> {
    const path = join(dataDir, ROOT_KEY_FILE);
    const key = await readKeyFile(path);
    if (key) return new LocalRootKey(key);
    if (options.existing !== undefined) {
      throw new Error(
        `root key ${path} is missing, but ${options.existing} exists and its key material is wrapped by that key; refusing to start ` +
          `(a new root key could not unwrap it). Restore root-key from the backup that holds this data directory, ` +
          `or start with a new, empty --data-dir.`,
      );
    }
    return new LocalRootKey(await createKeyFile(path));
  }

  /** A random key that lives as long as this object (in-memory embedded mode, tests). */
  static inMemory(): LocalRootKey {
    return new LocalRootKey(new Uint8Array(randomBytes(KEY_LENGTH)));
  }

  async wrap(plaintext: Uint8Array, context: WrapContext): Promise<Uint8Array> {
    const header = new Uint8Array(HEADER_LENGTH);
    header[0] = FORMAT;
    header.set(randomBytes(IV_LENGTH), 1);
    const { ciphertext, tag } = seal(this.key, header.subarray(1), plaintext, aad(context));
    const blob = new Uint8Array(HEADER_LENGTH + ciphertext.length + TAG_LENGTH);
    blob.set(header);
    blob.set(ciphertext, HEADER_LENGTH);
    blob.set(tag, HEADER_LENGTH + ciphertext.length);
    return blob;
  }

  async unwrap(wrapped: Uint8Array, context: WrapContext): Promise<Uint8Array> {
    if (wrapped.length < HEADER_LENGTH + TAG_LENGTH || wrapped[0] !== FORMAT) throw new UnwrapError();
    const iv = wrapped.subarray(1, HEADER_LENGTH);
    const ciphertext = wrapped.subarray(HEADER_LENGTH, wrapped.length - TAG_LENGTH);
    const tag = wrapped.subarray(wrapped.length - TAG_LENGTH);
    const plaintext = openSealed(this.key, iv, { ciphertext, tag }, aad(context));
    if (!plaintext) throw new UnwrapError();
    return plaintext;
  }
}

function aad(context: WrapContext): Uint8Array {
  const canonical = canonicalContext(context);
  const out = new Uint8Array(1 + canonical.length);
  out[0] = FORMAT;
  out.set(canonical, 1);
  return out;
}

async function readKeyFile(path: string): Promise<Uint8Array | undefined> {
  let stat;
  try {
    stat = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!stat.isFile()) throw new Error(`root key ${path} is not a regular file; refusing to start`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new Error(`root key ${path} is accessible by group or others (mode ${mode}); refusing to start. Fix it with: chmod 600 ${path}`);
  }
  const key = await readFile(path);
  if (key.length !== KEY_LENGTH) {
    throw new Error(`root key ${path} holds ${key.length} bytes, not ${KEY_LENGTH}; refusing to start (material wrapped by another key cannot be read)`);
  }
  return new Uint8Array(key);
}

/**
 * Writes a fresh key to a private temporary file, syncs it, then links it into place: the key file
 * appears whole or not at all, and a concurrent first start keeps whichever key linked first.
 */
async function createKeyFile(path: string): Promise<Uint8Array> {
  const key = new Uint8Array(randomBytes(KEY_LENGTH));
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await file.writeFile(key);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = await readKeyFile(path);
    if (winner) return winner;
    throw err;
  } finally {
    await unlink(temp);
  }
  await syncDirectory(path);
  return key;
}

async function syncDirectory(filePath: string): Promise<void> {
  if (process.platform === 'win32') return;
  const dir = await open(dirname(filePath), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
