/**
 * Small helpers shared by the black-box suites: run a local server for a file, create keys, import
 * material through the real SDK, catch KMS errors (and check on every caught error that no imported
 * material leaks into its message).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type CreateKeyCommandInput,
  type ExpirationModelType,
  type ImportKeyMaterialCommandOutput,
  type ImportType,
  type KeyMetadata,
  type KMSClient,
  type WrappingKeySpec,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect } from 'vitest';
import { startLocalServer, type LocalServer, type LocalServerOptions } from '../support/local-server';
import { wrapMaterial, type WrappingAlgorithm } from '../support/wrap-material';

export const DAY = 86_400;

/** Every material a test imported; every error caught through `kmsError` is checked against all of them. */
const secrets: Buffer[] = [];

/** 32 fresh random bytes, remembered so that no later error message may contain them. */
export function newMaterial(length = 32): Buffer {
  const material = randomBytes(length);
  rememberSecret(material);
  return material;
}

/** Remembers a secret (material, plaintext, data key) of at least 8 bytes: shorter ones would match by chance. */
export function rememberSecret(secret: Uint8Array): void {
  if (secret.length >= 8) secrets.push(Buffer.from(secret));
}

/** Throws if `text` contains any remembered secret raw, as hex (either case), base64 or base64url. */
export function expectNoSecretIn(text: string, where = 'text'): void {
  const lower = text.toLowerCase();
  for (const s of secrets) {
    const hit =
      lower.includes(s.toString('hex')) ||
      text.includes(s.toString('base64').replace(/=+$/, '')) ||
      text.includes(s.toString('base64url')) ||
      text.includes(s.toString('utf8'));
    expect(hit, `${where} contains a secret (key material or plaintext)`).toBe(false);
  }
}

let lastRawBody: string | undefined;

/**
 * Makes `kms` remember the raw body of each response, for what the SDK hides: it turns an empty error
 * message into "UnknownError". Returns the same client.
 */
export function recordRawResponses(kms: KMSClient): KMSClient {
  type Handle = (...args: unknown[]) => Promise<{ response: { body: unknown } }>;
  const handler = kms.config.requestHandler as unknown as { handle: Handle };
  const original: Handle = handler.handle.bind(handler);
  handler.handle = async (...args) => {
    lastRawBody = undefined;
    const out = await original(...args);
    const chunks: Buffer[] = [];
    for await (const chunk of out.response.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    lastRawBody = body.toString('utf8');
    out.response.body = Readable.from([body]);
    return out;
  };
  return kms;
}

/** The server of a file (or describe block) and its default client; both exist once `beforeAll` has run. */
export interface UsedServer {
  readonly server: LocalServer;
  /** Default account and Region, recording raw responses (see recordRawResponses). */
  readonly kms: KMSClient;
}

/**
 * Starts a local server before the tests of the enclosing file or describe block and stops it after
 * them. Read `server` and `kms` inside tests and hooks only: before `beforeAll` there is no server yet.
 */
export function useLocalServer(options: LocalServerOptions = { inMemory: true }): UsedServer {
  let server: LocalServer | undefined;
  let kms: KMSClient | undefined;
  beforeAll(async () => {
    server = await startLocalServer(options);
    kms = recordRawResponses(server.kms());
  });
  afterAll(async () => server?.stop());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useLocalServer: the server is not started yet (read it inside a test or hook)');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get kms() {
      return started(kms);
    },
  };
}

/** What a KMS error looks like through the SDK. */
export interface KmsSdkError extends Error {
  readonly $metadata: { readonly httpStatusCode?: number };
  readonly $fault?: string;
}

/** Awaits a call that must fail; returns the error after checking it carries no imported material. */
export async function kmsError(call: Promise<unknown>): Promise<KmsSdkError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (err) {
    const e = err as KmsSdkError;
    expectNoSecretIn(String(e.message), `${e.name} message`);
    expectNoSecretIn(JSON.stringify(e), `${e.name} error object`);
    if (lastRawBody !== undefined) expectNoSecretIn(lastRawBody, `${e.name} response body`);
    return e;
  }
  throw new Error(`expected a KMS error, but the call succeeded with ${JSON.stringify(outcome, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`);
}

/**
 * Expects the call to fail with exactly this KMS error name (and message, when given), with HTTP 400.
 * An expected empty message means a raw body without any `message` member (the client must go through
 * recordRawResponses).
 */
export async function expectKmsError(call: Promise<unknown>, name: string, message?: string | RegExp): Promise<KmsSdkError> {
  const e = await kmsError(call);
  expect(e.name, `error name (message: ${e.message})`).toBe(name);
  if (message === '') {
    expect(lastRawBody, 'raw body recorded (wrap the client with recordRawResponses)').toBeDefined();
    // AWS leaves the member out; `"message": ""` is what clients would wrongly see.
    expect(JSON.parse(lastRawBody!), 'raw error body').toEqual({ __type: name });
  } else if (typeof message === 'string') expect(e.message).toBe(message);
  else if (message) expect(e.message).toMatch(message);
  expect(e.$metadata.httpStatusCode).toBe(400);
  return e;
}

export async function createKey(kms: KMSClient, input: CreateKeyCommandInput = {}): Promise<KeyMetadata> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand(input));
  return KeyMetadata!;
}

/** One page of a KMS list operation, with its entries under a common name. */
export interface ListPage<T> {
  readonly entries: T[];
  readonly Truncated?: boolean;
  readonly NextMarker?: string;
}

export interface AllPagesOptions {
  /** When set, every truncated page must hold exactly this many entries (the Limit asked for). */
  readonly fullPages?: number;
  /** @default 1000 */
  readonly maxPages?: number;
}

/**
 * Follows Marker/NextMarker until a page is not Truncated and returns every entry, checking the paging
 * contract on the way: a NextMarker on each truncated page and none on the last.
 */
export async function allPages<T>(operation: string, fetchPage: (marker: string | undefined) => Promise<ListPage<T>>, options: AllPagesOptions = {}): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 1000); page++) {
    const out = await fetchPage(marker);
    all.push(...out.entries);
    if (!out.Truncated) {
      expect(out.NextMarker).toBeUndefined();
      return all;
    }
    expect(out.NextMarker).toBeTruthy();
    if (options.fullPages) expect(out.entries.length).toBe(options.fullPages);
    marker = out.NextMarker;
  }
  throw new Error(`${operation} never stopped`);
}

/** DescribeKey's metadata for a key id, key ARN, alias name or alias ARN. */
export async function describeKey(kms: KMSClient, keyId: string): Promise<KeyMetadata> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

export async function createExternalKey(kms: KMSClient, input: CreateKeyCommandInput = {}): Promise<KeyMetadata> {
  return createKey(kms, { Origin: 'EXTERNAL', ...input });
}

export interface ImportParameters {
  readonly ImportToken: Uint8Array;
  readonly PublicKey: Uint8Array;
  readonly algorithm: WrappingAlgorithm;
}

export async function getParameters(
  kms: KMSClient,
  keyId: string,
  algorithm: WrappingAlgorithm = 'RSAES_OAEP_SHA_256',
  spec: WrappingKeySpec = 'RSA_2048',
): Promise<ImportParameters> {
  const p = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }));
  return { ImportToken: p.ImportToken!, PublicKey: p.PublicKey!, algorithm };
}

/**
 * Import parameters already fetched, per key and algorithm: a token may be used again within its 24 hours
 * (D13), and generating RSA wrapping keys is what makes imports slow. Tests that move the service clock
 * pass `params` (or `fresh`) explicitly.
 */
const paramsCache = new Map<string, Promise<ImportParameters>>();

export interface ImportOptions {
  /** Parameters to use; otherwise the cached ones for this key and algorithm (D13), fetched once. */
  readonly params?: ImportParameters;
  /** Fetch new parameters even if some are cached. */
  readonly fresh?: boolean;
  readonly algorithm?: WrappingAlgorithm;
  /** Default KEY_MATERIAL_DOES_NOT_EXPIRE unless `validTo` is given; pass `null` to omit the member. */
  readonly expirationModel?: ExpirationModelType | null;
  readonly validTo?: Date;
  readonly importType?: ImportType;
  readonly keyMaterialId?: string;
  readonly description?: string;
}

/** GetParametersForImport (unless given) + wrap + ImportKeyMaterial. */
export async function importMaterial(kms: KMSClient, keyId: string, material: Uint8Array, options: ImportOptions = {}): Promise<ImportKeyMaterialCommandOutput> {
  const algorithm = options.algorithm ?? 'RSAES_OAEP_SHA_256';
  const cacheKey = `${keyId.slice(-36)}/${algorithm}`;
  let cached = paramsCache.get(cacheKey);
  if (!options.params && (!cached || options.fresh)) {
    cached = getParameters(kms, keyId, algorithm);
    paramsCache.set(cacheKey, cached);
    cached.catch(() => paramsCache.delete(cacheKey));
  }
  const params = options.params ?? (await cached!);
  const expirationModel =
    options.expirationModel === null ? undefined : (options.expirationModel ?? (options.validTo ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE'));
  return kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapMaterial(params.PublicKey, params.algorithm, material),
      ...(expirationModel && { ExpirationModel: expirationModel }),
      ...(options.validTo && { ValidTo: options.validTo }),
      ...(options.importType && { ImportType: options.importType }),
      ...(options.keyMaterialId && { KeyMaterialId: options.keyMaterialId }),
      ...(options.description !== undefined && { KeyMaterialDescription: options.description }),
    }),
  );
}

export interface ImportedKey {
  readonly keyId: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly keyMaterialId: string;
}

/** An EXTERNAL key with material imported (non-expiring unless `validTo` is given). */
export async function createImportedKey(
  kms: KMSClient,
  options: { validTo?: Date; expirationModel?: ExpirationModelType; material?: Buffer; description?: string } = {},
): Promise<ImportedKey> {
  const meta = await createExternalKey(kms, options.description === undefined ? {} : { Description: options.description });
  const material = options.material ?? newMaterial();
  const imported = await importMaterial(kms, meta.KeyId!, material, { validTo: options.validTo, expirationModel: options.expirationModel });
  return { keyId: meta.KeyId!, arn: meta.Arn!, material, keyMaterialId: imported.KeyMaterialId! };
}

/** `arn:aws:kms:<region>:<account>:` of a key ARN, to build alias ARNs and foreign ARNs. */
export function arnPrefix(keyArn: string): string {
  return keyArn.slice(0, keyArn.indexOf(':key/') + 1);
}

export function aliasArnOf(keyArn: string, aliasName: string): string {
  return `${arnPrefix(keyArn)}${aliasName}`;
}

/** A unique alias name for this run. */
export function uniqueAlias(label: string): string {
  return `alias/${label}-${randomBytes(4).toString('hex')}`;
}

/** Epoch seconds → Date. */
export function at(epochSeconds: number): Date {
  return new Date(epochSeconds * 1000);
}

/** The wall-clock interval a call ran in, epoch milliseconds. */
export interface Interval {
  readonly from: number;
  readonly to: number;
}

/** Runs `call` and returns its result with the interval it ran in. */
export async function timed<T>(call: () => Promise<T>): Promise<[T, Interval]> {
  const from = Date.now();
  const result = await call();
  return [result, { from, to: Date.now() }];
}

/**
 * Asserts that `actual` − `offsetMs` lies in `interval`: a timestamp the service took while the call ran (a
 * server without clock control follows the wall clock). No tolerance: a slow call widens the interval, it
 * cannot fail the check.
 */
export function expectDuring(actual: Date | undefined, interval: Interval, offsetMs = 0): void {
  expect(actual, 'timestamp').toBeInstanceOf(Date);
  const at = actual!.getTime() - offsetMs;
  const what = `${actual!.toISOString()} − ${offsetMs} ms, the call ran ${new Date(interval.from).toISOString()}…${new Date(interval.to).toISOString()}`;
  expect(at, what).toBeGreaterThanOrEqual(interval.from);
  expect(at, what).toBeLessThanOrEqual(interval.to);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the wall clock (which a server without clock control follows) is past `instant`. */
export async function wallClockPast(instant: Date): Promise<void> {
  while (Date.now() <= instant.getTime()) await sleep(instant.getTime() - Date.now() + 1);
}

export type LogEvent = Record<string, unknown>;

/** The JSON lines on the server's stdout that name `eventName` and mention `arn`. */
export function eventsOf(server: LocalServer, eventName: string, arn: string): LogEvent[] {
  const found: LogEvent[] = [];
  for (const line of server.output().stdout.split('\n')) {
    if (!line.includes(eventName) || !line.includes(arn)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`a log line naming ${eventName} is not JSON: ${line}`);
    }
    if (typeof parsed === 'object' && parsed !== null && Object.values(parsed).includes(eventName)) found.push(parsed as LogEvent);
  }
  return found;
}
