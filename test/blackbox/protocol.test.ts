/**
 * The AWS JSON 1.1 protocol of the running server, through raw HTTP and the real SDK: health, request
 * ids, dispatch (unknown / unsupported targets, D19), and malformed input of every kind. A malformed
 * request is always a 4xx KMS-style error and never changes stored state (design decision 8).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateRandomCommand,
  KMSClient,
  KMSServiceException,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, test } from 'vitest';
import { useLocalServer } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JSON_11 = 'application/x-amz-json-1.1';

// The default client's AKIA… access key means account 000000000000, like the unsigned raw requests below.
const local = useLocalServer();
let keyId: string;

beforeAll(async () => {
  const { KeyMetadata } = await local.kms.send(new CreateKeyCommand({ Description: 'protocol fixture' }));
  keyId = KeyMetadata!.KeyId!;
  await local.kms.send(new CreateAliasCommand({ AliasName: 'alias/protocol-fixture', TargetKeyId: keyId }));
});

interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

async function raw(target: string | undefined, body: string | Uint8Array, init: { method?: string; path?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': JSON_11, ...init.headers };
  if (target !== undefined) headers['x-amz-target'] = target;
  const method = init.method ?? 'POST';
  const res = await fetch(`${local.server.endpoint}${init.path ?? '/'}`, { method, headers, body: method === 'GET' ? undefined : body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Everything a malformed request could have touched in the caller's scope. */
async function snapshot(): Promise<string> {
  const keys = await local.kms.send(new ListKeysCommand({ Limit: 1000 }));
  const aliases = await local.kms.send(new ListAliasesCommand({ Limit: 100 }));
  const key = await local.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  return JSON.stringify({ keys: keys.Keys, aliases: aliases.Aliases, key: key.KeyMetadata });
}

/** Runs `requests` and checks that each got a 4xx KMS-style error and that no state changed. */
async function expectRefusedWithoutEffect(requests: () => Promise<RawResponse[]>): Promise<RawResponse[]> {
  const before = await snapshot();
  const responses = await requests();
  for (const res of responses) {
    expect(res.status, res.text).toBeGreaterThanOrEqual(400);
    expect(res.status, res.text).toBeLessThan(500);
    expect(res.headers.get('x-amzn-requestid')).toMatch(UUID);
    expect(typeof res.json?.__type, res.text).toBe('string');
    // AccessDeniedException spells the member `Message`, as AWS's authorization layer does (D110)
    expect(typeof (res.json?.__type === 'AccessDeniedException' ? res.json?.Message : res.json?.message), res.text).toBe('string');
  }
  expect(await snapshot()).toBe(before);
  return responses;
}

/** A small deterministic generator, so a failing fuzz case can be replayed. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('service endpoints', () => {
  test('GET /health answers 200 {"status":"ok"}', async () => {
    const res = await fetch(`${local.server.endpoint}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('the clock endpoints are 404 without --clock-control', async () => {
    expect((await fetch(`${local.server.endpoint}/__sandbox/clock`)).status).toBe(404);
    const post = await fetch(`${local.server.endpoint}/__sandbox/clock`, { method: 'POST', body: '{"advanceSeconds":86400}' });
    expect(post.status).toBe(404);
  });

  test('every response carries x-amzn-RequestId and the JSON 1.1 content type, success or error', async () => {
    // WHEN
    const ok = await raw('TrentService.ListKeys', '{}');
    const failed = await raw('TrentService.DescribeKey', '{"KeyId":"alias/does-not-exist"}');
    const noOutput = await raw('TrentService.EnableKey', JSON.stringify({ KeyId: keyId }));
    // THEN
    for (const res of [ok, failed, noOutput]) {
      expect(res.headers.get('x-amzn-requestid')).toMatch(UUID);
      expect(res.headers.get('content-type')).toBe(JSON_11);
    }
    expect(ok.status).toBe(200);
    expect(failed.status).toBe(400);
    expect(failed.json?.__type).toBe('NotFoundException');
    expect(noOutput.status).toBe(200);
    expect(new Set([ok, failed, noOutput].map((r) => r.headers.get('x-amzn-requestid'))).size).toBe(3);
  });

  test('the SDK sees the request id of a success and of a failure', async () => {
    const out = await local.kms.send(new ListKeysCommand({}));
    expect(out.$metadata.requestId).toMatch(UUID);
    const err = await local.kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KMSServiceException);
    expect((err as KMSServiceException).$metadata.requestId).toMatch(UUID);
  });

  test.each([
    ['GET /', 'GET', '/'],
    ['POST /elsewhere', 'POST', '/elsewhere'],
  ])('%s is not the KMS API: 404 with a KMS-style body', async (_what, method, path) => {
    const res = await raw('TrentService.ListKeys', '{}', { method, path });
    expect(res.status).toBe(404);
    expect(res.json?.__type).toBe('UnknownOperationException');
  });
});

/** A request sent exactly as given (fetch would normalise the target and set its own Host). */
function rawHttp(method: string, target: string, headers: Record<string, string>, body = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(local.server.endpoint);
  return new Promise((done, fail) => {
    const req = httpRequest({ host: hostname, port, method, path: target, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => {
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        const h = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') h.set(name, value);
        done({ status: res.statusCode ?? 0, headers: h, text, json });
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('Host, Origin and CORS (design decision 13)', () => {
  test('fails with 403 AccessDeniedException for a Host that does not name the server, as a DNS-rebound page sends (D21)', async () => {
    const port = new URL(local.server.endpoint).port;
    const responses = await expectRefusedWithoutEffect(async () => [
      await rawHttp('POST', '/', { host: `attacker.example:${port}`, 'content-type': JSON_11, 'x-amz-target': 'TrentService.ScheduleKeyDeletion' }, JSON.stringify({ KeyId: keyId, PendingWindowInDays: 7 })),
      await rawHttp('POST', '/', { host: `attacker.example:${port}`, 'content-type': JSON_11, 'x-amz-target': 'TrentService.GenerateDataKey' }, JSON.stringify({ KeyId: keyId, KeySpec: 'AES_256' })),
      await rawHttp('GET', '/console/', { host: `attacker.example:${port}` }),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(403);
      expect(res.json).toEqual({
        __type: 'AccessDeniedException',
        Message: `Host 'attacker.example:${port}' does not name this server; allow other names with --allow-host (KMS_ALLOWED_HOSTS).`,
      });
      expect(res.text).not.toContain('Plaintext');
    }
  });

  test('answers the loopback names with the port: localhost, 127.0.0.1 and [::1]', async () => {
    const port = new URL(local.server.endpoint).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      const res = await rawHttp('POST', '/', { host, 'content-type': JSON_11, 'x-amz-target': 'TrentService.ListKeys' }, '{}');
      expect(res.status, host).toBe(200);
    }
    // and the SDK pointed at http://localhost:<port> works
    const kms = new KMSClient({ endpoint: `http://localhost:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyId).toBe(keyId);
  });

  test('the API sends no CORS headers, to a preflight or to a request with an Origin', async () => {
    const preflight = await fetch(`${local.server.endpoint}/`, {
      method: 'OPTIONS',
      headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target,content-type' },
    });
    const call = await raw('TrentService.ListKeys', '{}', { headers: { origin: 'https://attacker.example' } });
    for (const headers of [preflight.headers, call.headers]) {
      expect([...headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
    expect(preflight.status).toBe(404);
  });
});

describe('request targets', () => {
  test.each(['//', '///', '//console/', '//health', '/%2F', '*'])('%s is not the KMS API: 404 UnknownOperationException, never a 5xx (D24)', async (target) => {
    const port = new URL(local.server.endpoint).port;
    const responses = await expectRefusedWithoutEffect(async () => [
      await rawHttp('POST', target, { host: `127.0.0.1:${port}`, 'content-type': JSON_11, 'x-amz-target': 'TrentService.ListKeys' }, '{}'),
      await rawHttp('GET', target, { host: `127.0.0.1:${port}` }),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(404);
      expect(res.json?.__type).toBe('UnknownOperationException');
      expect(res.headers.get('content-type')).toBe(JSON_11);
    }
  });
});

describe('dispatch on X-Amz-Target', () => {
  test('fails with UnsupportedOperationException for a KMS action this service lacks (D19)', async () => {
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.ReplicateKey', JSON.stringify({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }))]);
    expect(res?.status).toBe(400);
    expect(res?.json).toEqual({ __type: 'UnsupportedOperationException', message: 'ReplicateKey is not supported by this service.' });
  });

  test('fails with UnsupportedOperationException for every unimplemented KMS action', async () => {
    for (const action of ['ReplicateKey', 'UpdatePrimaryRegion', 'CreateCustomKeyStore']) {
      const res = await raw(`TrentService.${action}`, '{}');
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ __type: 'UnsupportedOperationException', message: `${action} is not supported by this service.` });
    }
  });

  test.each([
    ['an unknown action', 'TrentService.MakeCoffee'],
    ['a lower-case action', 'TrentService.listKeys'],
    ['another service', 'DynamoDB_20120810.ListTables'],
    ['no prefix', 'ListKeys'],
    ['a prototype property', 'TrentService.__proto__'],
    ['an Object method', 'TrentService.hasOwnProperty'],
    ['an empty action', 'TrentService.'],
    ['no header at all', undefined],
  ])('fails with UnknownOperationException (400) for %s', async (_what, target) => {
    const [res] = await expectRefusedWithoutEffect(async () => [await raw(target, '{}')]);
    expect(res?.status).toBe(400);
    expect(res?.json?.__type).toBe('UnknownOperationException');
  });
});

describe('malformed requests', () => {
  test.each([
    ['truncated JSON', '{"KeyId":'],
    ['not JSON at all', 'KeyId=abc'],
    ['a JSON array', '[{"KeyId":"x"}]'],
    ['a JSON string', '"x"'],
    ['JSON null', 'null'],
    ['a JSON number', '1'],
    ['two documents', '{}{}'],
    ['a lone surrogate escape in a broken document', '{"KeyId":"\\ud800'],
  ])('fail with SerializationException on %s', async (_what, body) => {
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.CreateKey', body)]);
    expect(res?.status).toBe(400);
    expect(res?.json?.__type).toBe('SerializationException');
  });

  test('fail with SerializationException on a blob that is not base64', async () => {
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.Encrypt', JSON.stringify({ KeyId: keyId, Plaintext: 'not base64!' }))]);
    expect(res?.json?.__type).toBe('SerializationException');
  });

  test('fail with ValidationException naming a missing required member', async () => {
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.ScheduleKeyDeletion', '{}')]);
    expect(res?.json).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    });
  });

  test('fail with ValidationException listing every violation', async () => {
    const body = { KeyId: '', NumberOfBytes: 0, KeySpec: 'AES_512' };
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.GenerateDataKey', JSON.stringify(body))]);
    expect(res?.json).toEqual({
      __type: 'ValidationException',
      message:
        '3 validation errors detected: ' +
        "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
    });
  });

  test('fail with ValidationException on list members, with AWS list paths', async () => {
    const body = { Tags: [{ TagKey: 'a', TagValue: 'b' }, { TagKey: '', TagValue: 'c' }], Origin: 'EXTERNAL' };
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.CreateKey', JSON.stringify(body))]);
    expect(res?.json?.message).toBe(
      "1 validation error detected: Value '' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  test('fail with ValidationException on members of the wrong JSON type', async () => {
    const [res] = await expectRefusedWithoutEffect(async () => [
      await raw('TrentService.CreateKey', JSON.stringify({ Description: 7, MultiRegion: 'no', Tags: 'none', Origin: ['EXTERNAL'] })),
    ]);
    expect(res?.json?.__type).toBe('ValidationException');
    expect(res?.json?.message).toMatch(/^4 validation errors detected: /);
    expect(res?.json?.message).toContain("Value '7' at 'description' failed to satisfy constraint: Member must be of type string");
  });

  test('fail with ValidationException for wrong types in every member of every action, implemented or not', async () => {
    // GIVEN the model's input shapes (data, not service code)
    const model = JSON.parse(readFileSync('lambda/adapters/kms-json/kms-model.json', 'utf8')) as {
      operations: Record<string, { input?: string }>;
      shapes: Record<string, { type: string; members?: Record<string, string> }>;
    };
    const wrong: Record<string, unknown> = { string: 12345, integer: 'x', long: 'x', boolean: 'yes', blob: 42, timestamp: 'tomorrow', list: {}, map: [], structure: 'struct' };
    // WHEN every member of every action gets a value of the wrong type
    const responses = await expectRefusedWithoutEffect(async () => {
      const out: RawResponse[] = [];
      for (const [action, op] of Object.entries(model.operations)) {
        const members = op.input ? (model.shapes[op.input]?.members ?? {}) : {};
        const body = Object.fromEntries(Object.entries(members).map(([name, shape]) => [name, wrong[model.shapes[shape]!.type]]));
        out.push(await raw(`TrentService.${action}`, JSON.stringify(body)));
      }
      return out;
    });
    // THEN implemented actions say ValidationException, the others UnsupportedOperationException
    const types = new Set(responses.map((r) => r.json?.__type));
    expect([...types].sort()).toEqual(['UnsupportedOperationException', 'ValidationException']);
    const createKey = responses[Object.keys(model.operations).indexOf('CreateKey')];
    expect(createKey?.json?.__type).toBe('ValidationException');
  });

  test('fail with a ValidationException that lists at most 10 of 40,000 wrong-typed members (D25)', async () => {
    // GIVEN a 0.5 MB body whose every list member has the wrong type
    const body = JSON.stringify({ KeyId: keyId, GrantTokens: Array.from({ length: 40_000 }, (_, i) => i) });
    // WHEN
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.DescribeKey', body)]);
    // THEN
    expect(res?.json?.__type).toBe('ValidationException');
    expect(res?.json?.message).toMatch(/^10 validation errors detected: /);
    expect(String(res?.json?.message).split('; ')).toHaveLength(10);
    expect(res!.text.length).toBeLessThan(10_000);
  });

  test('fail with ValidationException on out-of-range values through the SDK', async () => {
    const before = await snapshot();
    const err = (await local.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })).catch((e: unknown) => e)) as KMSServiceException;
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    const big = (await local.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4097) })).catch((e: unknown) => e)) as KMSServiceException;
    expect(big.name).toBe('ValidationException');
    expect(big.message).toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    expect(await snapshot()).toBe(before);
  });

  test('fail with ValidationException "NumberOfBytes is required." when GenerateRandom has no NumberOfBytes', async () => {
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.GenerateRandom', '{}')]);
    expect(res?.json).toEqual({ __type: 'ValidationException', message: 'NumberOfBytes is required.' });
    const err = (await local.kms.send(new GenerateRandomCommand({})).catch((e: unknown) => e)) as KMSServiceException;
    expect(err).toMatchObject({ name: 'ValidationException', message: 'NumberOfBytes is required.' });
  });

  test.each([
    ['Decrypt', {}],
    ['ReEncrypt', { DestinationKeyId: 'alias/protocol-fixture' }],
  ])('fail with a 4xx when %s has no CiphertextBlob (optional in the model since DryRunModifiers)', async (action, body) => {
    const [res] = await expectRefusedWithoutEffect(async () => [await raw(`TrentService.${action}`, JSON.stringify(body))]);
    expect(res?.status).toBe(400);
  });

  test('fail with 413 on a body over 1 MiB, and the server keeps serving', async () => {
    const body = JSON.stringify({ KeyId: keyId, Description: 'x'.repeat(2 * 1024 * 1024) });
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.UpdateKeyDescription', body)]);
    expect(res?.status).toBe(413);
    expect(res?.json?.__type).toBe('RequestEntityTooLargeException');
    expect((await fetch(`${local.server.endpoint}/health`)).status).toBe(200);
  });

  test('fail with ValidationException on a large body under the limit', async () => {
    const body = JSON.stringify({ KeyId: keyId, Description: 'x'.repeat(900 * 1024) });
    const [res] = await expectRefusedWithoutEffect(async () => [await raw('TrentService.UpdateKeyDescription', body)]);
    expect(res?.json?.__type).toBe('ValidationException');
    expect(res?.json?.message).toMatch(/at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192$/);
    expect(res!.text.length).toBeLessThan(10_000);
  });

  test('fail with a 4xx on deeply nested JSON, without crashing the server', async () => {
    const depth = 200_000;
    await expectRefusedWithoutEffect(async () => [
      await raw('TrentService.DescribeKey', `{"KeyId":"k","GrantTokens":${'['.repeat(depth)}${']'.repeat(depth)}}`),
      await raw('TrentService.DescribeKey', `{"KeyId":${'['.repeat(depth)}`),
      await raw('TrentService.Encrypt', `{"KeyId":"k","Plaintext":"AA==","EncryptionContext":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`),
    ]);
    expect((await fetch(`${local.server.endpoint}/health`)).status).toBe(200);
  });

  test('fail with a 4xx on random bytes to every implemented action, never a 5xx', async () => {
    // GIVEN reproducible random bodies (seeded); none starts like a JSON object that could be valid
    const next = xorshift(0x5eed);
    const actions = ['CreateKey', 'DescribeKey', 'ListKeys', 'Encrypt', 'Decrypt', 'ImportKeyMaterial', 'GetParametersForImport', 'ScheduleKeyDeletion', 'CreateAlias', 'TagResource', 'GenerateDataKey', 'DeleteImportedKeyMaterial'];
    // WHEN / THEN
    const responses = await expectRefusedWithoutEffect(async () => {
      const out: RawResponse[] = [];
      for (let i = 0; i < 240; i++) {
        const length = 16 + (next() % 512);
        const body = new Uint8Array(length).map(() => next() & 0xff);
        if (i % 2 === 0) body[0] = 0x7b; // '{': get past the first byte of the parser
        else if (body[0] === 0x7b || body[0] === 0x20) body[0] = 0x00;
        const action = actions[i % actions.length]!;
        const res = await raw(`TrentService.${action}`, body);
        if (res.status >= 500) throw new Error(`${action} answered ${res.status} to ${Buffer.from(body).toString('hex')}`);
        out.push(res);
      }
      return out;
    });
    expect(new Set(responses.map((r) => r.json?.__type))).toEqual(new Set(['SerializationException']));
  });

  test('fail with a 4xx on mutated valid requests, never a 5xx', async () => {
    // GIVEN valid bodies of read-only or refused actions, with bytes flipped at seeded positions
    const next = xorshift(0xc0ffee);
    const seeds: [string, string][] = [
      ['DescribeKey', JSON.stringify({ KeyId: keyId, GrantTokens: ['t'] })],
      ['ListAliases', JSON.stringify({ KeyId: keyId, Limit: 10 })],
      ['Decrypt', JSON.stringify({ CiphertextBlob: Buffer.alloc(80, 1).toString('base64'), EncryptionContext: { a: 'b' } })],
      ['GenerateRandom', JSON.stringify({ NumberOfBytes: 2000 })],
    ];
    // WHEN
    const before = await snapshot();
    for (let i = 0; i < 200; i++) {
      const [action, text] = seeds[i % seeds.length]!;
      const bytes = Buffer.from(text);
      for (let flips = 1 + (next() % 3); flips > 0; flips--) bytes[next() % bytes.length] = next() & 0xff;
      const res = await raw(`TrentService.${action}`, bytes);
      // THEN
      expect(res.status, `${action} ${bytes.toString('hex')}: ${res.text}`).toBeLessThan(500);
      expect(res.headers.get('x-amzn-requestid')).toMatch(UUID);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('__proto__ and friends', () => {
  test('a "__proto__" member supplies nothing: the required KeyId is still missing', async () => {
    const [res] = await expectRefusedWithoutEffect(async () => [
      await raw('TrentService.DescribeKey', '{"__proto__":{"KeyId":"' + keyId + '"},"constructor":{"prototype":{"KeyId":"x"}}}'),
    ]);
    expect(res?.json?.message).toBe("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  });

  test('a "__proto__" member in a structure pollutes nothing and changes nothing', async () => {
    const before = await snapshot();
    const res = await raw('TrentService.ListKeys', '{"__proto__":{"Limit":0,"polluted":true},"Limit":5}');
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await snapshot()).toBe(before);
    expect((await fetch(`${local.server.endpoint}/health`)).status).toBe(200);
  });

  test('"__proto__" and "constructor" are ordinary encryption-context keys', async () => {
    // GIVEN a ciphertext bound to a context using those names
    const context = JSON.parse('{"__proto__":"p","constructor":"c","toString":"t"}') as Record<string, string>;
    const body = JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from('hello').toString('base64'), EncryptionContext: context });
    const encrypted = await raw('TrentService.Encrypt', body.replace('"EncryptionContext":{', '"EncryptionContext":{"__proto__":"p",').replace('"__proto__":"p","__proto__":"p",', '"__proto__":"p",'));
    expect(encrypted.status, encrypted.text).toBe(200);
    const blob = Buffer.from(encrypted.json?.CiphertextBlob as string, 'base64');
    // WHEN decrypting with exactly that context, and with the "__proto__" key missing
    const same = await local.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
    const without = await local.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { constructor: 'c', toString: 't' } })).catch((e: unknown) => e);
    // THEN
    expect(Buffer.from(same.Plaintext!).toString()).toBe('hello');
    expect((without as Error).name).toBe('InvalidCiphertextException');
  });
});

describe('semantic errors keep their status', () => {
  test('a refused ScheduleKeyDeletion window is a ValidationException with the AWS message (D11)', async () => {
    const err = (await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 31 })).catch((e: unknown) => e)) as KMSServiceException;
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have minimum value of 7 and maximum value of 30.",
    );
  });
});
