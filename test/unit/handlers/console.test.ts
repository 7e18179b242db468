import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeConsoleHandler } from '../../../lambda/handlers/console';
import { CONSOLE_CSP } from '../../../lambda/adapters/static/static-files';

// GIVEN a built console in a temporary directory, and a secret next to it
let tmp: string;
let site: string;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80]);
const BIG_JS = `export const x = ${JSON.stringify('abc'.repeat(2000))};\n`;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'byok-console-handler-'));
  site = join(tmp, 'dist');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(site, 'assets', 'index-BiJoz-AS.js'), BIG_JS);
  writeFileSync(join(site, 'assets', 'small-DtR2_JIF.css'), 'body{}');
  writeFileSync(join(site, 'assets', 'logo-AbCd1234.png'), PNG);
  writeFileSync(join(tmp, 'secret.txt'), 'secret');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Get { headers?: Record<string, string>; query?: string; stage?: string; method?: string }

/** An HTTP API payload 2.0 event as API Gateway builds it for `GET <rawPath>`. */
function event(rawPath: string, { headers = {}, query = '', stage = '$default', method = 'GET' }: Get = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: rawPath === '/console' ? 'GET /console' : 'GET /console/{proxy+}',
    rawPath,
    rawQueryString: query,
    headers: { host: 'abc.execute-api.eu-west-1.amazonaws.com', ...headers },
    requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, stage, requestId: 'r', routeKey: 'x' },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

const handler = () => makeConsoleHandler({ assetsDir: site, logger: { error: () => undefined } });
const get = (path: string, options?: Get): Promise<APIGatewayProxyStructuredResultV2> => handler()(event(path, options), {} as Context);
const headerOf = (res: APIGatewayProxyStructuredResultV2, name: string) => (res.headers ?? {})[name];

describe('makeConsoleHandler', () => {
  test('serves index.html at /console/ as text, revalidated on every load', async () => {
    // WHEN
    const res = await get('/console/');
    // THEN
    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(false);
    expect(res.body).toBe('<!doctype html><title>console</title>');
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': CONSOLE_CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      etag: expect.stringMatching(/^"[A-Za-z0-9_-]+"$/),
    });
  });

  test('serves a hashed asset with its content type, immutable', async () => {
    const res = await get('/console/assets/small-DtR2_JIF.css');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('body{}');
    expect(res.headers).toMatchObject({ 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' });
  });

  test('serves a binary file base64-encoded, byte for byte', async () => {
    const res = await get('/console/assets/logo-AbCd1234.png');
    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(true);
    expect(headerOf(res, 'content-type')).toBe('image/png');
    expect(Buffer.from(res.body!, 'base64')).toEqual(PNG);
  });

  test('gzips a large text file when the client accepts it (base64 body), and not otherwise', async () => {
    // WHEN the browser accepts gzip
    const zipped = await get('/console/assets/index-BiJoz-AS.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    // THEN
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers).toMatchObject({ 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-type': 'text/javascript; charset=utf-8' });
    expect(zipped.isBase64Encoded).toBe(true);
    expect(gunzipSync(Buffer.from(zipped.body!, 'base64')).toString('utf8')).toBe(BIG_JS);
    expect(Buffer.from(zipped.body!, 'base64').length).toBeLessThan(BIG_JS.length / 10);
    // WHEN it does not (or refuses gzip with q=0)
    for (const accept of [undefined, 'identity', 'gzip;q=0, br']) {
      const plain = await get('/console/assets/index-BiJoz-AS.js', { headers: accept ? { 'accept-encoding': accept } : {} });
      expect(headerOf(plain, 'content-encoding'), accept).toBeUndefined();
      expect(plain.body, accept).toBe(BIG_JS);
      expect(plain.isBase64Encoded).toBe(false);
    }
  });

  test('answers 304 to a browser that holds the current version, per representation', async () => {
    const h = handler();
    const first = await h(event('/console/'), {} as Context);
    const etag = headerOf(first, 'etag') as string;
    const again = await h(event('/console/', { headers: { 'if-none-match': etag } }), {} as Context);
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const zipped = await h(event('/console/assets/index-BiJoz-AS.js', { headers: { 'accept-encoding': 'gzip' } }), {} as Context);
    const plainTag = headerOf(await h(event('/console/assets/index-BiJoz-AS.js'), {} as Context), 'etag');
    expect(headerOf(zipped, 'etag')).not.toBe(plainTag);
    const stale = await h(event('/console/', { headers: { 'if-none-match': '"something-else"' } }), {} as Context);
    expect(stale.statusCode).toBe(200);
  });

  test('serves index.html for a page path of the app (single-page fallback)', async () => {
    for (const path of ['/console/keys', '/console/keys/1234abcd-12ab-34cd-56ef-1234567890ab']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.body, path).toContain('<title>console</title>');
      expect(headerOf(res, 'cache-control')).toBe('no-cache');
    }
  });

  test('redirects /console to console/ (relative: the browser keeps its prefix), keeping the query', async () => {
    const res = await get('/console', { query: 'a=1' });
    expect(res.statusCode).toBe(301);
    expect(headerOf(res, 'location')).toBe('console/?a=1');
    expect(headerOf(await get('/console'), 'location')).toBe('console/');
  });

  test('takes a named stage off the path', async () => {
    const res = await get('/prod/console/assets/small-DtR2_JIF.css', { stage: 'prod' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('body{}');
  });

  test('fails with 404 (plain text) for a missing asset instead of serving index.html', async () => {
    const res = await get('/console/assets/index-00000000.js');
    expect(res.statusCode).toBe(404);
    expect(res.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    expect(res.body).toBe('Not Found');
  });

  test('fails with 404 for traversal attempts, never sending a file outside the directory', async () => {
    for (const path of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt', '/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/console/assets/%2e%2e/%2e%2e/secret.txt']) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(404);
      expect(res.body).not.toContain('secret');
      expect(res.body).not.toContain('root:');
    }
  });

  test('fails with 400 for a path that does not decode', async () => {
    expect((await get('/console/%zz')).statusCode).toBe(400);
  });

  test('fails with 404 saying so when the function holds no built console', async () => {
    const empty = makeConsoleHandler({ assetsDir: join(tmp, 'nothing-here'), logger: { error: () => undefined } });
    const res = await empty(event('/console/'), {} as Context);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('not built');
  });

  test('fails with 405 for a method other than GET or HEAD; HEAD has the headers and no body', async () => {
    const post = await get('/console/', { method: 'POST' });
    expect(post.statusCode).toBe(405);
    expect(headerOf(post, 'allow')).toBe('GET, HEAD');
    const head = await get('/console/assets/logo-AbCd1234.png', { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(headerOf(head, 'content-type')).toBe('image/png');
    expect(head.body).toBe('');
  });
});
