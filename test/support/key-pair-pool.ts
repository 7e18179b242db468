/**
 * node:crypto's generateKeyPair and generateKeyPairSync for mutation runs only (test/support/mutation-set-up.ts, D122): it hands out
 * key pairs that node:crypto generated earlier for the very same arguments, each at most once per test file, and
 * generates (and records) a new one when the pool has none left. A test cannot tell: every pair is a real
 * output of node:crypto for those arguments, and no two calls in one test file get the same pair. Arguments it
 * cannot compare exactly (anything but strings, numbers, booleans, buffers and plain objects of them) are
 * always generated. The pool is a folder of JSON lines, one file per argument list; its pairs are test keys.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

type Crypto = typeof import('node:crypto');
type Encoded = { s: string } | { b: string } | { k: 'public' | 'private'; der: string };
type Pair = { publicKey: unknown; privateKey: unknown };

/** The argument list as canonical JSON, or undefined when it holds something JSON would not keep exactly. */
export function canonicalArgs(value: unknown): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  if (Buffer.isBuffer(value)) return JSON.stringify({ buffer: value.toString('base64') });
  if (Array.isArray(value)) {
    const items = value.map(canonicalArgs);
    return items.includes(undefined) ? undefined : `[${items.join(',')}]`;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined) // node:crypto reads an undefined option as an absent one
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, canonicalArgs(v)] as const);
    return entries.some(([, v]) => v === undefined) ? undefined : `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  }
  return undefined;
}

/** node:crypto's generateKeyPair (callback and promisified forms) and generateKeyPairSync, drawing on the pool in `dir`. */
export function pooledKeyPairGeneration(crypto: Crypto, dir: string): Pick<Crypto, 'generateKeyPair' | 'generateKeyPairSync'> {
  mkdirSync(dir, { recursive: true });
  const handedOut = new Map<string, number>(); // per pool file: how many of its pairs this test file used
  const read = new Map<string, string[]>();
  const linesOf = (file: string, needed: number) => {
    let lines = read.get(file);
    if (lines === undefined || lines.length <= needed) {
      lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
      read.set(file, lines);
    }
    return lines;
  };

  const encode = (part: unknown): Encoded => {
    if (typeof part === 'string') return { s: part };
    if (Buffer.isBuffer(part)) return { b: part.toString('base64') };
    const key = part as import('node:crypto').KeyObject;
    const der = key.type === 'private' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' });
    return { k: key.type === 'private' ? 'private' : 'public', der: der.toString('base64') };
  };
  const decode = (part: Encoded): unknown => {
    if ('s' in part) return part.s;
    if ('b' in part) return Buffer.from(part.b, 'base64');
    const der = Buffer.from(part.der, 'base64');
    return part.k === 'private' ? crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) : crypto.createPublicKey({ key: der, format: 'der', type: 'spki' });
  };

  /** A recorded pair for these arguments that this test file has not had yet, or where to record a new one. */
  const take = (args: unknown[]): { pair: Pair } | { file?: string } => {
    const given = [...args];
    while (given.length > 0 && given.at(-1) === undefined) given.pop(); // generateKeyPair('ed25519', undefined, cb)
    const canonical = canonicalArgs(given);
    if (canonical === undefined) return {};
    const file = join(dir, `${crypto.createHash('sha256').update(canonical).digest('hex')}.jsonl`);
    const used = handedOut.get(file) ?? 0;
    handedOut.set(file, used + 1);
    const line = linesOf(file, used)[used];
    if (line === undefined) return { file };
    const { publicKey, privateKey } = JSON.parse(line) as { publicKey: Encoded; privateKey: Encoded };
    return { pair: { publicKey: decode(publicKey), privateKey: decode(privateKey) } };
  };
  const record = (file: string | undefined, pair: Pair) => {
    if (file) appendFileSync(file, `${JSON.stringify({ publicKey: encode(pair.publicKey), privateKey: encode(pair.privateKey) })}\n`);
    return pair;
  };

  const realAsync = promisify(crypto.generateKeyPair) as (...a: unknown[]) => Promise<Pair>;
  const generate = async (args: unknown[]): Promise<Pair> => {
    const found = take(args);
    return 'pair' in found ? found.pair : record(found.file, await realAsync(...args));
  };
  const generateSync = (...args: unknown[]): Pair => {
    const found = take(args);
    return 'pair' in found ? found.pair : record(found.file, (crypto.generateKeyPairSync as (...a: unknown[]) => Pair)(...args));
  };

  const callbackForm = (...args: unknown[]) => {
    const callback = args.pop() as (err: Error | null, publicKey?: unknown, privateKey?: unknown) => void;
    generate(args).then(
      ({ publicKey, privateKey }) => callback(null, publicKey, privateKey),
      (err: Error) => callback(err),
    );
  };
  return {
    generateKeyPair: Object.assign(callbackForm, { [promisify.custom]: (...args: unknown[]) => generate(args) }) as unknown as Crypto['generateKeyPair'],
    generateKeyPairSync: generateSync as unknown as Crypto['generateKeyPairSync'],
  };
}
