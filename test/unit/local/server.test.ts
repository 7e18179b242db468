/**
 * The local HTTP front on its own, with a stand-in KMS front and sandbox (loopback only, free port).
 * The real service behind it is covered by test/blackbox.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KmsHttpAnswer, KmsHttpRequest } from '../../../lambda/adapters/kms-json/middleware';
import { type LocalApi, type RequestRecord, type Sandbox, type ServeOptions, serveLocally } from '../../../lambda/local/server';
import { serverUnderTest, standInApi } from '../../support/stand-in-front';
import { MissingAuthenticationTokenException } from '../../../lambda/adapters/sigv4/errors';

const under = serverUnderTest();
let staticDir: string;
const { seen: requests } = under;

/** A stand-in for the KMS front: every request it is handed goes through `answer`. */
const apiOf = (answer: (request: KmsHttpRequest) => Promise<KmsHttpAnswer>): LocalApi => standInApi(answer);

const echo = apiOf(async (request) => {
  requests.push(request);
  return { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ ok: true }) };
});

async function start(api: LocalApi = echo, extra: Partial<ServeOptions> = {}) {
  under.running = await serveLocally(api, { port: 0, host: '127.0.0.1', staticRoutes: [{ prefix: '/console', dir: staticDir }], log: () => undefined, ...extra });
  return under.running.endpoint;
}

const JSON_POST = { method: 'POST', headers: { 'content-type': 'application/json' } } as const;

function fakeSandbox() {
  let now = 1_767_225_600_000;
  const ran: number[] = [];
  const sandbox: Sandbox = {
    clock: { now: () => new Date(now), advance: (s: number) => (now += s * 1000) },
    runDue: async () => {
      await new Promise((r) => setTimeout(r, 5));
      ran.push(now);
    },
  };
  return { sandbox, ran };
}

beforeAll(() => {
  staticDir = mkdtempSync(join(tmpdir(), 'byok-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(staticDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(tmpdir(), 'byok-secret.txt'), 'secret');
});
afterAll(() => {
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'byok-secret.txt'), { force: true });
});

describe('serveLocally', () => {
  test('answers GET /health with {"status":"ok"}', async () => {
    const endpoint = await start();
    const res = await fetch(`${endpoint}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('binds the port it was given, or a free one for port 0', async () => {
    const endpoint = await start();
    expect(under.running?.port).toBeGreaterThan(0);
    expect(endpoint).toBe(`http://127.0.0.1:${under.running?.port}`);
  });

  test('hands other requests to the KMS front: method, path, query, lower-case headers without cookies, the body as UTF-8', async () => {
    // GIVEN bytes that are not valid UTF-8
    const endpoint = await start();
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    // WHEN
    const res = await fetch(`${endpoint}/?a=1`, { method: 'POST', headers: { 'X-Amz-Target': 'TrentService.ListKeys', 'User-Agent': 'agent/1', Cookie: 'a=1; b=2' }, body });
    // THEN
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    const request = requests[0];
    expect(request).toMatchObject({ method: 'POST', path: '/', query: 'a=1', body: body.toString('utf8'), sourceIp: '127.0.0.1', userAgent: 'agent/1' });
    expect(request?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(request?.headers['x-amz-target']).toBe('TrentService.ListKeys');
    expect(request?.headers).not.toHaveProperty('cookie');
  });

  test('answers with the status, headers and body the front gave, and its request id', async () => {
    const endpoint = await start(apiOf(async (request) => ({ statusCode: 400, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': request.requestId }, body: '{"__type":"NotFoundException"}' })));
    const { port } = new URL(endpoint);
    const res = await rawRequest(port, 'POST', '/', { host: `127.0.0.1:${port}` }, '{}');
    expect(res.status).toBe(400);
    expect(res.body).toBe('{"__type":"NotFoundException"}');
    expect(res.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\ncontent-type: application\/x-amz-json-1\.1\r\nx-amzn-RequestId: [0-9a-f-]{36}\r\ncontent-length: 30\r\nDate: [^\r]+\r\nConnection: keep-alive\r\nKeep-Alive: timeout=65$/);
  });

  test('fails with 413 and a KMS-style error on a body over the limit, without calling the handler', async () => {
    const endpoint = await start(echo, { bodyLimit: 1024 });
    const res = await fetch(`${endpoint}/`, { method: 'POST', body: 'x'.repeat(1025) });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await res.json()).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    expect(requests).toHaveLength(0);
    // and keeps serving
    expect((await fetch(`${endpoint}/health`)).status).toBe(200);
  });

  test('fails with 500 KMSInternalException when the front throws, and keeps serving', async () => {
    const endpoint = await start(
      apiOf(async () => {
        throw new Error('unexpected');
      }),
    );
    const res = await fetch(`${endpoint}/`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred. Try again later.' });
    expect((await fetch(`${endpoint}/health`)).status).toBe(200);
  });

  test('survives a client that goes away mid-body', async () => {
    const endpoint = await start();
    const { port } = new URL(endpoint);
    await new Promise<void>((done) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-length': '1000' } });
      req.on('error', () => done());
      req.write('{"partial":');
      setTimeout(() => {
        req.destroy();
        done();
      }, 20);
    });
    expect((await fetch(`${endpoint}/health`)).status).toBe(200);
  });
});

describe('close()', () => {
  test('lets a running request finish, answers it with Connection: close, then resolves', async () => {
    // GIVEN a request the front is still working on
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const started = new Promise<void>((r) => (arrived = r));
    const endpoint = await start(
      apiOf(async () => {
        arrived();
        await new Promise<void>((r) => (release = r));
        return { statusCode: 200, headers: {}, body: '{"done":true}' };
      }),
    );
    const { port } = new URL(endpoint);
    const answer = rawRequest(port, 'POST', '/', { host: `127.0.0.1:${port}` }, '{}');
    await started;
    // WHEN the server is closed, and only then the front finishes
    const closed = under.running!.close();
    release();
    // THEN the request got its answer, and nothing was cut
    expect(await answer).toMatchObject({ status: 200, body: '{"done":true}', connection: 'close' });
    expect(await closed).toEqual({ cut: 0 });
    under.running = undefined;
  });

  test('cuts what is still running once the grace period is over, and says how many', async () => {
    let arrived: () => void = () => undefined;
    const seen = new Promise<void>((r) => (arrived = r));
    const endpoint = await start(
      apiOf(() => {
        arrived();
        return new Promise(() => undefined); // never answers
      }),
    );
    const { port } = new URL(endpoint);
    const answer = rawRequest(port, 'POST', '/', { host: `127.0.0.1:${port}` }, '{}').then(() => 'answered', () => 'cut');
    await seen;
    expect(await under.running!.close(0)).toEqual({ cut: 1 });
    expect(await answer).toBe('cut');
    under.running = undefined;
  });
});

describe('/__sandbox/clock', () => {
  test('is 404 without clock control', async () => {
    const endpoint = await start();
    expect((await fetch(`${endpoint}/__sandbox/clock`)).status).toBe(404);
    const post = await fetch(`${endpoint}/__sandbox/clock`, { ...JSON_POST, body: '{"advanceSeconds":1}' });
    expect(post.status).toBe(404);
    expect(await post.json()).toEqual({ __type: 'UnknownOperationException', message: 'Clock control is off (start with --clock-control).' });
  });

  test('tells the service time and moves it forward after running due timers', async () => {
    // GIVEN
    const { sandbox, ran } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    // WHEN
    const before = (await (await fetch(`${endpoint}/__sandbox/clock`)).json()) as { now: number };
    const res = await fetch(`${endpoint}/__sandbox/clock`, { ...JSON_POST, body: JSON.stringify({ advanceSeconds: 86_400.5 }) });
    // THEN
    expect(before.now).toBe(1_767_225_600);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ now: 1_767_225_600 + 86_400.5 });
    expect(ran).toEqual([(1_767_225_600 + 86_400.5) * 1000]);
  });

  test('runs concurrent advances one after another', async () => {
    const { sandbox } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    const post = (s: number) => fetch(`${endpoint}/__sandbox/clock`, { ...JSON_POST, body: JSON.stringify({ advanceSeconds: s }) }).then((r) => r.json() as Promise<{ now: number }>);
    const answers = await Promise.all([post(10), post(20), post(30)]);
    expect(answers.map((a) => a.now).sort()).toEqual([1_767_225_610, 1_767_225_630, 1_767_225_660]);
  });

  test.each(['', 'nope', '[]', '{}', '{"advanceSeconds":-1}', '{"advanceSeconds":"5"}', '{"advanceSeconds":null}'])('fails with 400 on the body %j', async (body) => {
    const { sandbox, ran } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    const res = await fetch(`${endpoint}/__sandbox/clock`, { ...JSON_POST, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'ValidationException', message: expect.any(String) });
    expect(ran).toHaveLength(0);
  });

  test.each([
    ['no Content-Type', {}],
    ['text/plain (what an HTML form can send)', { 'content-type': 'text/plain' }],
    ['a form encoding', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('fails with 415 on a POST with %s, without moving the clock', async (_what, headers) => {
    const { sandbox, ran } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    const res = await fetch(`${endpoint}/__sandbox/clock`, { method: 'POST', headers, body: '{"advanceSeconds":60}' });
    expect(res.status).toBe(415);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({ __type: 'UnsupportedMediaTypeException', message: 'POST /__sandbox/clock needs Content-Type: application/json.' });
    expect(ran).toHaveLength(0);
  });

  test('accepts application/json with a charset and a same-origin Origin', async () => {
    const { sandbox, ran } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    const res = await fetch(`${endpoint}/__sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'Application/JSON; charset=utf-8', origin: endpoint },
      body: '{"advanceSeconds":60}',
    });
    expect(res.status).toBe(200);
    expect(ran).toHaveLength(1);
  });

  test.each(['https://evil.example', 'null', 'http://localhost:1'])('fails with 403 for a foreign Origin %s, GET and POST', async (origin) => {
    const { sandbox, ran } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    const post = await fetch(`${endpoint}/__sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{"advanceSeconds":60}' });
    expect(post.status).toBe(403);
    expect(await post.json()).toEqual({ __type: 'AccessDeniedException', Message: `Requests from another origin (${origin}) may not use /__sandbox/clock.` });
    expect((await fetch(`${endpoint}/__sandbox/clock`, { headers: { origin } })).status).toBe(403);
    expect(ran).toHaveLength(0);
  });

  test('asks the authenticator, and answers its refusal as the API does', async () => {
    const { sandbox, ran } = fakeSandbox();
    const seen: string[] = [];
    const endpoint = await start(echo, {
      sandbox,
      authenticate: async (request) => {
        seen.push(`${request.method} ${request.path} ${request.body}`);
        throw new MissingAuthenticationTokenException();
      },
    });
    const res = await fetch(`${endpoint}/__sandbox/clock`, { ...JSON_POST, body: '{"advanceSeconds":60}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    expect((await fetch(`${endpoint}/__sandbox/clock`)).status).toBe(400);
    expect(seen).toEqual(['POST /__sandbox/clock {"advanceSeconds":60}', 'GET /__sandbox/clock ']);
    expect(ran).toHaveLength(0);
  });
});

describe('Host check (D21)', () => {
  test.each(['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST:PORT', '[::1]:PORT'])('answers Host %s', async (host) => {
    const endpoint = await start();
    const { port } = new URL(endpoint);
    expect((await rawRequest(port, 'GET', '/health', { host: host.replace('PORT', port) })).status).toBe(200);
  });

  test.each(['evil.example:PORT', 'localhost', 'localhost.:PORT', '127.0.0.1:1', 'evil.localhost:PORT', '127.0.0.1:PORT@evil', ''])(
    'fails with 403 AccessDeniedException for Host %j, on every path',
    async (host) => {
      const { sandbox, ran } = fakeSandbox();
      const endpoint = await start(echo, { sandbox });
      const { port } = new URL(endpoint);
      for (const [method, path] of [['GET', '/health'], ['POST', '/'], ['GET', '/console/'], ['POST', '/__sandbox/clock']] as const) {
        const res = await rawRequest(port, method, path, { host: host.replace('PORT', port), 'content-type': 'application/json' }, '{"advanceSeconds":60}');
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(JSON.parse(res.body)).toMatchObject({ __type: 'AccessDeniedException', Message: expect.stringContaining('does not name this server') });
      }
      expect(requests).toHaveLength(0);
      expect(ran).toHaveLength(0);
    },
  );

  test('answers names given in allowedHosts, with or without a port', async () => {
    const endpoint = await start(echo, { allowedHosts: ['kms.internal', 'proxy.example:8080'] });
    const { port } = new URL(endpoint);
    expect((await rawRequest(port, 'GET', '/health', { host: `kms.internal:${port}` })).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/health', { host: 'proxy.example:8080' })).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/health', { host: `proxy.example:${port}` })).status).toBe(403);
  });

  test('with a wildcard bind, answers the address a connection arrived at', async () => {
    const endpoint = await start(echo, { host: '0.0.0.0' });
    const port = new URL(endpoint).port;
    expect((await rawRequest(port, 'GET', '/health', { host: `127.0.0.1:${port}` })).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/health', { host: `10.11.12.13:${port}` })).status).toBe(403);
  });
});

describe('request targets', () => {
  test.each(['//', '///', '//console/', '//health', '*', 'http://127.0.0.1/'])('hands %s to the front as a path, never a host', async (target) => {
    const endpoint = await start();
    const { port } = new URL(endpoint);
    const res = await rawRequest(port, 'POST', target, { host: `127.0.0.1:${port}` }, '{}');
    expect(res.status).toBe(200);
    expect(requests.map((r) => r.path)).toEqual([target]);
  });
});

describe('request records', () => {
  test('tell the action, key, status, error type and request id of each API call, and of refusals', async () => {
    // GIVEN a front answering one success and one error
    const records: RequestRecord[] = [];
    const api = apiOf(async (request): Promise<KmsHttpAnswer> =>
      request.headers['x-amz-target'] === 'TrentService.Decrypt'
        ? { statusCode: 400, headers: { 'x-amzn-RequestId': 'r' }, body: '{"__type":"InvalidCiphertextException"}', errorType: 'InvalidCiphertextException' }
        : { statusCode: 200, headers: {}, body: '{}', ...(request.headers['x-amz-target'] === 'TrentService.ListKeys' && { keyRef: 'alias/a' }) },
    );
    const endpoint = await start(api, { onRequest: (r) => records.push(r) });
    const { port } = new URL(endpoint);
    // WHEN
    await fetch(`${endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' });
    await fetch(`${endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'TrentService.Decrypt' }, body: '{}' });
    await fetch(`${endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'TrentService.Not an action!' }, body: '{}' });
    await rawRequest(port, 'GET', '/health', { host: 'evil.example' });
    await fetch(`${endpoint}/health`);
    // THEN one record per API call and refusal, none for /health
    expect(records.map(({ what, keyRef, status, error }) => ({ what, keyRef, status, error }))).toEqual([
      { what: 'ListKeys', keyRef: 'alias/a', status: 200, error: undefined },
      { what: 'Decrypt', keyRef: undefined, status: 400, error: 'InvalidCiphertextException' },
      { what: 'POST /', keyRef: undefined, status: 200, error: undefined },
      { what: 'GET /health', keyRef: undefined, status: 403, error: 'AccessDeniedException' },
    ]);
    for (const r of records) {
      expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('static routes', () => {
  test('serve files with their content type', async () => {
    const endpoint = await start();
    const js = await fetch(`${endpoint}/console/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    expect((await fetch(`${endpoint}/console/assets/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  test('serve index.html for unknown paths under the prefix', async () => {
    const endpoint = await start();
    for (const path of ['/console/', '/console/keys/abc', '/console/index.html']) {
      const res = await fetch(`${endpoint}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('<title>console</title>');
    }
  });

  test('answer 404 for a missing asset instead of index.html, with the same headers as the console function', async () => {
    const endpoint = await start();
    const missing = await fetch(`${endpoint}/console/assets/gone-AbCd1234.js`);
    expect(missing.status).toBe(404);
    const index = await fetch(`${endpoint}/console/`);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
  });

  test('redirect the bare prefix to the prefix with a slash', async () => {
    const endpoint = await start();
    const res = await fetch(`${endpoint}/console`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/console/');
  });

  test('never serve a file outside the directory', async () => {
    // GIVEN a file next to the static directory
    const endpoint = await start();
    const { port } = new URL(endpoint);
    // WHEN paths try to climb out (sent raw: fetch would normalise them)
    for (const path of ['/console/../byok-secret.txt', '/console/%2e%2e/byok-secret.txt', '/console/..%2fbyok-secret.txt', '/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      const body = await rawGet(port, path);
      // THEN
      expect(body).not.toContain('secret');
      expect(body).not.toContain('root:');
    }
  });

  test('leave other paths to the front', async () => {
    const endpoint = await start();
    await fetch(`${endpoint}/consolex`);
    expect(requests).toHaveLength(1);
  });
});

/** A request sent as given: fetch would normalise the target and set its own Host. */
function rawRequest(port: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; head: string; body: string; connection?: string }> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      const head = [`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) head.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => done({ status: res.statusCode ?? 0, head: head.join('\r\n'), body: text, connection: res.headers.connection }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

function rawGet(port: string, path: string): Promise<string> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => done(`${res.statusCode} ${text}`));
    });
    req.on('error', fail);
    req.end();
  });
}
