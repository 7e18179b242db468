import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, test } from 'vitest';
import { type Authenticator, openAuthenticator } from '../../../lambda/adapters/kms-json/authenticator';
import { DependencyTimeoutException, InvalidCiphertextException, KMSInternalException, NotFoundException, UnwrapError } from '../../../lambda/core/errors';
import type { AnyOperation } from '../../../lambda/core/operations/types';
import type { RequestContext } from '../../../lambda/core/ports';
import { UnrecognizedClientException } from '../../../lambda/adapters/sigv4/errors';
import { makeKmsApiHandler } from '../../../lambda/handlers/kms-api';
import { MemoryAuditTrail } from '../../../lambda/adapters/audit/memory-audit-trail';
import type { AuditTrail } from '../../../lambda/core/ports';
import { memoryDeps } from '../../support/memory-deps';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Logged { message: string; attributes: Record<string, unknown> }

function setup(ops: Record<string, AnyOperation>, authenticate: Authenticator = openAuthenticator) {
  const logged: Logged[] = [];
  const calls: { ctx: RequestContext; input: unknown }[] = [];
  const operations = new Map<string, AnyOperation>(
    Object.entries(ops).map(([name, op]) => [name, async (deps, ctx, input) => {
      calls.push({ ctx, input });
      return op(deps, ctx, input);
    }]),
  );
  const handler = makeKmsApiHandler(memoryDeps(), {
    authenticate,
    logger: { error: (message, attributes) => logged.push({ message, attributes }) },
    operations,
  });
  const invoke = async (target: string | undefined, body: string, extra: Partial<APIGatewayProxyEventV2> & { method?: string; headers?: Record<string, string> } = {}) => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: extra.rawPath ?? '/',
      rawQueryString: '',
      headers: { ...(target === undefined ? {} : { 'x-amz-target': target }), 'content-type': 'application/x-amz-json-1.1', ...extra.headers },
      requestContext: { http: { method: extra.method ?? 'POST', path: extra.rawPath ?? '/' }, stage: '$default' },
      body: extra.isBase64Encoded ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded: extra.isBase64Encoded ?? false,
    } as unknown as APIGatewayProxyEventV2;
    const result = await handler(event, {} as Context);
    const parsed = result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined;
    return { ...result, json: parsed };
  };
  return { invoke, logged, calls };
}

describe('makeKmsApiHandler', () => {
  test('runs the operation with the decoded input and the caller scope, and encodes its output', async () => {
    // GIVEN
    const { invoke, calls } = setup({ GenerateRandom: async () => ({ Plaintext: new Uint8Array([1, 2]) }) });
    // WHEN
    const res = await invoke('TrentService.GenerateRandom', '{"NumberOfBytes":2}', {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=111122223333/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=00' },
    });
    // THEN
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ Plaintext: 'AQI=' });
    expect(res.headers?.['content-type']).toBe('application/x-amz-json-1.1');
    expect(res.headers?.['x-amzn-RequestId']).toMatch(UUID);
    expect(calls[0]).toEqual({ ctx: { scope: { partition: 'aws', account: '111122223333', region: 'eu-west-1' } }, input: { NumberOfBytes: 2 } });
  });

  test('answers an action without modelled output with an empty body', async () => {
    const { invoke } = setup({ EnableKey: async () => undefined });
    const res = await invoke('TrentService.EnableKey', '{"KeyId":"k"}');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers?.['x-amzn-RequestId']).toMatch(UUID);
  });

  test('decodes a base64-encoded event body', async () => {
    const { invoke, calls } = setup({ DescribeKey: async () => ({}) });
    await invoke('TrentService.DescribeKey', '{"KeyId":"k"}', { isBase64Encoded: true });
    expect(calls[0]?.input).toEqual({ KeyId: 'k' });
  });

  test('fails with UnsupportedOperationException for a KMS action this service lacks (D19)', async () => {
    const { invoke } = setup({});
    const res = await invoke('TrentService.Sign', '{}');
    expect(res.statusCode).toBe(400);
    expect(res.json).toEqual({ __type: 'UnsupportedOperationException', message: 'Sign is not supported by this service.' });
  });

  test.each([
    ['an unknown action', 'TrentService.MakeCoffee'],
    ['another service prefix', 'DynamoDB_20120810.ListTables'],
    ['a prototype name', 'TrentService.__proto__'],
    ['an inherited name', 'TrentService.constructor'],
    ['no header', undefined],
  ])('fails with UnknownOperationException for %s', async (_what, target) => {
    const { invoke, calls } = setup({ ListKeys: async () => ({}) });
    const res = await invoke(target, '{}');
    expect(res.statusCode).toBe(400);
    expect(res.json?.__type).toBe('UnknownOperationException');
    expect(calls).toHaveLength(0);
  });

  test('fails with ValidationException before the operation runs', async () => {
    const { invoke, calls } = setup({ DescribeKey: async () => ({}) });
    const res = await invoke('TrentService.DescribeKey', '{}');
    expect(res.statusCode).toBe(400);
    expect(res.json).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    });
    expect(calls).toHaveLength(0);
  });

  test('fails with SerializationException on a body that is not a JSON object', async () => {
    const { invoke } = setup({ ListKeys: async () => ({}) });
    for (const body of ['{', '[1]', 'null', '\u00ff\u00fe']) {
      const res = await invoke('TrentService.ListKeys', body);
      expect(res.statusCode).toBe(400);
      expect(res.json?.__type).toBe('SerializationException');
    }
  });

  test('leaves out the message member of an error AWS sends without text', async () => {
    const { invoke } = setup({
      Decrypt: async () => {
        throw new InvalidCiphertextException();
      },
    });
    const res = await invoke('TrentService.Decrypt', '{"CiphertextBlob":"AAAA"}');
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('{"__type":"InvalidCiphertextException"}');
  });

  test('renders a KmsError from the operation with its type, message and status', async () => {
    const { invoke, logged } = setup({
      DescribeKey: async () => {
        throw new NotFoundException("Key 'arn:aws:kms:us-east-1:000000000000:key/k' does not exist");
      },
      ListKeys: async () => {
        throw new DependencyTimeoutException('The store did not answer in time.');
      },
    });
    const notFound = await invoke('TrentService.DescribeKey', '{"KeyId":"k"}');
    expect(notFound.statusCode).toBe(400);
    expect(notFound.json).toEqual({ __type: 'NotFoundException', message: "Key 'arn:aws:kms:us-east-1:000000000000:key/k' does not exist" });
    expect(logged).toHaveLength(0); // client errors are the caller's business
    const timeout = await invoke('TrentService.ListKeys', '{}');
    expect(timeout.statusCode).toBe(503);
    expect(timeout.json?.__type).toBe('DependencyTimeoutException');
  });

  test('hides any other error behind KMSInternalException and logs it by name and stack', async () => {
    // GIVEN an operation failing with an error whose message must not reach the client
    const { invoke, logged } = setup({
      ListKeys: async () => {
        throw new UnwrapError({ cause: new Error('root key file unreadable') });
      },
    });
    // WHEN
    const res = await invoke('TrentService.ListKeys', '{"Limit":5}');
    // THEN
    expect(res.statusCode).toBe(500);
    expect(res.json).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred. Try again later.' });
    expect(logged).toHaveLength(1);
    expect(logged[0]?.attributes).toMatchObject({ requestId: res.headers?.['x-amzn-RequestId'], action: 'ListKeys', error: { name: 'UnwrapError' } });
    expect(JSON.stringify(logged)).not.toContain('"Limit"');
  });

  test('logs a server-side KmsError too', async () => {
    const { invoke, logged } = setup({
      ListKeys: async () => {
        throw new KMSInternalException(undefined, { cause: new Error('disk full') });
      },
    });
    const res = await invoke('TrentService.ListKeys', '{}');
    expect(res.statusCode).toBe(500);
    expect(logged[0]?.attributes).toMatchObject({ error: { name: 'KMSInternalException', cause: { name: 'Error' } } });
  });

  test('lets the authenticator refuse before the target is looked at', async () => {
    // GIVEN
    const refuse: Authenticator = async () => {
      throw new UnrecognizedClientException();
    };
    const { invoke } = setup({}, refuse);
    // WHEN
    const res = await invoke('TrentService.NoSuchThing', 'not json');
    // THEN
    expect(res.statusCode).toBe(400);
    expect(res.json?.__type).toBe('UnrecognizedClientException');
  });

  test('passes the raw body and lower-case headers to the authenticator', async () => {
    let seen: unknown;
    const { invoke } = setup({ ListKeys: async () => ({}) }, async (request) => {
      seen = request;
      return openAuthenticator(request);
    });
    await invoke('TrentService.ListKeys', '{ "Limit" : 1 }', { headers: { 'X-Amz-Date': '20260101T000000Z' }, isBase64Encoded: true });
    expect(seen).toMatchObject({ method: 'POST', path: '/', body: '{ "Limit" : 1 }', headers: { 'x-amz-date': '20260101T000000Z', 'x-amz-target': 'TrentService.ListKeys' } });
  });

  test.each([
    ['GET /', 'GET', '/'],
    ['POST /other', 'POST', '/other'],
  ])('answers %s with 404 and a KMS-style body', async (_what, method, rawPath) => {
    const { invoke, calls } = setup({ ListKeys: async () => ({}) });
    const res = await invoke('TrentService.ListKeys', '{}', { method, rawPath });
    expect(res.statusCode).toBe(404);
    expect(res.json?.__type).toBe('UnknownOperationException');
    expect(res.headers?.['x-amzn-RequestId']).toMatch(UUID);
    expect(calls).toHaveLength(0);
  });

  test('uses the Lambda request id when there is one', async () => {
    const handler = makeKmsApiHandler(memoryDeps(), { authenticate: openAuthenticator, logger: { error: () => undefined }, operations: new Map() });
    const event = { rawPath: '/', headers: {}, requestContext: { http: { method: 'POST' } }, body: '{}' } as unknown as APIGatewayProxyEventV2;
    const res = await handler(event, { awsRequestId: '0f0f0f0f-0000-4000-8000-000000000000' } as Context);
    expect(res.headers?.['x-amzn-RequestId']).toBe('0f0f0f0f-0000-4000-8000-000000000000');
  });

  // The in-memory trail keeps a record synchronously (D130); a trail may also throw or reject: either way the record was not written.
  test.each([
    ['throws', (): void => { throw new RangeError('full'); }],
    ['rejects', async (): Promise<void> => { throw new RangeError('full'); }],
  ])('answers KMSInternalException when the audit trail %s, for a call that succeeded and one that failed', async (_how, append) => {
    const logged: Logged[] = [];
    const memory = new MemoryAuditTrail();
    const trail: AuditTrail = { append, read: (scope, range) => memory.read(scope, range) };
    const handler = makeKmsApiHandler(memoryDeps(), {
      authenticate: openAuthenticator,
      logger: { error: (message, attributes) => logged.push({ message, attributes }) },
      operations: new Map<string, AnyOperation>([
        ['GenerateRandom', async () => ({ Plaintext: new Uint8Array([1, 2]) })],
        ['DescribeKey', async () => { throw new NotFoundException('Key not found.'); }],
      ]),
      audit: trail,
    });
    for (const [target, body] of [['TrentService.GenerateRandom', '{"NumberOfBytes":2}'], ['TrentService.DescribeKey', '{"KeyId":"alias/none"}']] as const) {
      const event = { rawPath: '/', headers: { 'x-amz-target': target }, requestContext: { http: { method: 'POST' } }, body } as unknown as APIGatewayProxyEventV2;
      const res = await handler(event, {} as Context);
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body ?? '')).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred. Try again later.' });
    }
    // The success's record fails as its answer is made (logged as the request's failure), the failure's as its error is rendered.
    expect(logged.map((l) => [l.message, l.attributes.exposed])).toEqual([
      ['KMS API request failed', 'KMSInternalException'],
      ['KMS API call could not be recorded in the audit trail', undefined],
      ['KMS API request failed', 'KMSInternalException'],
    ]);
  });
});
