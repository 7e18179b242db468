/**
 * Concurrent changes to one key in the deployed runtime (many Lambda instances, one DynamoDB table):
 * the API handler on moto's DynamoDB, KMS and Scheduler, served over loopback, driven by the AWS SDK
 * with its default settings. A lost conditional write backs off and retries from a fresh read; when
 * every attempt loses, the answer is ThrottlingException, which SDKs retry (D91). No conflict is an
 * error-level log line.
 */
import { KMSClient, ListResourceTagsCommand, TagResourceCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DynamoKeyStore } from '../../lambda/adapters/dynamodb/key-store';
import { openAuthenticator } from '../../lambda/adapters/kms-json/authenticator';
import { THROTTLED_MESSAGE } from '../../lambda/core/key-writes';
import type { KeyRecord, Scope } from '../../lambda/core/model/key';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { type RunningServer, serveLocally } from '../../lambda/local/server';
import { deployedKeyWrites } from '../../lambda/runtime/aws';
import { createKey, describeKey } from '../blackbox/helpers';
import { type MotoAws, type MotoDeps, createRootKey, createScheduleGroup, motoDeps, startMotoAws } from './support/moto-aws';

const ACCOUNT = '111122223333';
const CREDENTIALS = { accessKeyId: ACCOUNT, secretAccessKey: 'open' };

/** Every line the handler and the write policy log, by level. */
function recordingLogger() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, attributes: Record<string, unknown> = {}) => void lines.push({ level, message, attributes });
  return { lines, debug: at('debug'), warn: at('warn'), error: at('error') };
}

/**
 * A DynamoKeyStore on which another writer (a second store on the same table: another Lambda
 * instance) changes key `keyId` right after each of the next `times` reads of it, so that the
 * reader's conditional write loses.
 */
class ContendedKeyStore extends DynamoKeyStore {
  times = 0;
  keyId = '';
  competingWrites = 0;
  constructor(private readonly competitor: DynamoKeyStore, ...args: ConstructorParameters<typeof DynamoKeyStore>) {
    super(...args);
  }
  override async getKey(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    const read = await super.getKey(scope, keyId);
    if (read && keyId === this.keyId && this.times > 0) {
      this.times--;
      this.competingWrites++;
      await this.competitor.putKey({ ...read, description: `competitor ${this.competingWrites}` }, { expectedRevision: read.revision });
    }
    return read;
  }
}

let aws: MotoAws;
let deps: MotoDeps & { readonly keys: ContendedKeyStore };
let server: RunningServer;
let log: ReturnType<typeof recordingLogger>;

beforeAll(async () => {
  // DynamoDB's conditional writes are atomic; moto's are only when it serves one request at a time.
  aws = await startMotoAws({ oneRequestAtATime: true });
  const base = await motoDeps(aws, { now: () => new Date() }, await createScheduleGroup(aws.scheduler), await createRootKey(aws.kms));
  log = recordingLogger();
  const keys = new ContendedKeyStore(new DynamoKeyStore(aws.dynamodb, base.tableName), aws.dynamodb, base.tableName);
  deps = { ...base, keys, keyWrites: deployedKeyWrites(log, base.random) };
  server = await serveLocally(makeKmsApiHandler(deps, { authenticate: openAuthenticator, logger: log }), { port: 0, host: '127.0.0.1', log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  await aws?.stop();
});

/** An SDK client as an application would make one: default retry settings. */
const client = () => new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: CREDENTIALS });

async function tagsOf(kms: KMSClient, keyId: string): Promise<Record<string, string>> {
  const { Tags } = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 50 }));
  return Object.fromEntries(Tags!.map((t) => [t.TagKey!, t.TagValue!]));
}

describe('a lost conditional write in the deployed handler', () => {
  test('is retried after a backoff from a fresh read: the call succeeds at once and keeps the competing change', async () => {
    // GIVEN a key that another instance will change right after each of our next three reads
    const kms = client();
    const key = await createKey(kms);
    log.lines.length = 0;
    Object.assign(deps.keys, { keyId: key.KeyId!, times: 3, competingWrites: 0 });
    // WHEN
    const out = await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'ours', TagValue: 'yes' }] }));
    // THEN three lost races, each retried after a backoff, then one write on top of the competitor's
    expect(out.$metadata.attempts).toBe(1);
    expect(await tagsOf(kms, key.KeyId!)).toEqual({ ours: 'yes' });
    expect((await describeKey(kms, key.KeyId!)).Description).toBe('competitor 3');
    const retries = log.lines.filter((l) => l.message === 'key write conflict; retrying');
    expect(retries.map((l) => [l.level, l.attributes.attempt, l.attributes.lock])).toEqual([1, 2, 3].map((n) => ['debug', n, key.Arn]));
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
    kms.destroy();
  });

  test('answers ThrottlingException (HTTP 400, AWS text) when every attempt loses, and the SDK retries it', async () => {
    // GIVEN a key that another instance changes after every read
    const kms = client();
    const key = await createKey(kms);
    log.lines.length = 0;
    Object.assign(deps.keys, { keyId: key.KeyId!, times: Number.POSITIVE_INFINITY, competingWrites: 0 });
    try {
      // WHEN
      const err = (await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'ours', TagValue: 'yes' }] })).catch((e: unknown) => e)) as {
        name: string;
        message: string;
        $metadata: { httpStatusCode?: number; attempts?: number };
      };
      // THEN the SDK classified it as retryable and used all of its default three attempts
      expect(err).toMatchObject({ name: 'ThrottlingException', message: THROTTLED_MESSAGE });
      expect(err.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 });
      expect(log.lines.filter((l) => l.level === 'warn').map((l) => [l.attributes.lock, l.attributes.attempts])).toEqual(Array(3).fill([key.Arn, 10]));
      expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
      expect(JSON.stringify(log.lines)).not.toMatch(/stack|\bat \S+ \(/);
    } finally {
      deps.keys.times = 0;
      kms.destroy();
    }
    // and nothing of ours was written
    expect(await tagsOf(kms, key.KeyId!)).toEqual({});
  });
});

/**
 * Unlike embedded mode (test/blackbox/contention.test.ts: never a conflict, every call succeeds at
 * once), the deployed runtime cannot promise that every call succeeds: how many attempts lose depends
 * on how the writers interleave, which depends on the machine's load. On a busy machine 16 writers
 * have used up both the handler's ten attempts and the SDK's three. What holds whatever the load is
 * asserted: each call either succeeds or ends, after the SDK's retries, in ThrottlingException (never
 * another error); some call succeeds (a write loses only to another that won); every acknowledged
 * change is kept, and nothing unacknowledged is written; no conflict is an error-level log line.
 */
test('16 SDK clients with default settings changing one key at once through the deployed handler: each call succeeds or is throttled, no acknowledged change lost', async () => {
  // GIVEN
  const WRITERS = 16;
  const ROUNDS = 3;
  const setup = client();
  const key = await createKey(setup);
  log.lines.length = 0;
  const clients = Array.from({ length: WRITERS }, client);
  const acknowledged: (number | undefined)[] = Array(WRITERS).fill(undefined);
  const refusals: unknown[] = [];
  // WHEN
  await Promise.all(
    clients.map(async (kms, writer) => {
      for (let round = 0; round < ROUNDS; round++) {
        try {
          await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: `writer-${writer}`, TagValue: `round-${round}` }] }));
          acknowledged[writer] = round;
        } catch (err) {
          refusals.push(err);
        }
      }
    }),
  );
  // THEN
  for (const err of refusals) {
    expect(err).toMatchObject({ name: 'ThrottlingException', message: THROTTLED_MESSAGE, $metadata: { httpStatusCode: 400 } });
  }
  expect(refusals.length).toBeLessThan(WRITERS * ROUNDS);
  const expected = acknowledged.flatMap((round, w) => (round === undefined ? [] : [[`writer-${w}`, `round-${round}`]]));
  expect(await tagsOf(setup, key.KeyId!)).toEqual(Object.fromEntries(expected));
  expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  for (const kms of [setup, ...clients]) kms.destroy();
});
