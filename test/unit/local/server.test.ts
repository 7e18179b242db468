/**
 * The local HTTP front on its own, with a stand-in handler and sandbox (loopback only, free port).
 * The real service behind it is covered by test/blackbox.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type ProxyHandler, type RunningServer, type Sandbox, serveLocally } from '../../../lambda/local/server';

let running: RunningServer | undefined;
let staticDir: string;
const events: APIGatewayProxyEventV2[] = [];

const echo: ProxyHandler = async (event) => {
  events.push(event);
  return { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ ok: true }) };
};

async function start(handler: ProxyHandler = echo, extra: { sandbox?: Sandbox; bodyLimit?: number } = {}) {
  running = await serveLocally(handler, { port: 0, host: '127.0.0.1', staticRoutes: [{ prefix: '/console', dir: staticDir }], log: () => undefined, ...extra });
  return running.endpoint;
}

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
afterEach(async () => {
  await running?.close();
  running = undefined;
  events.length = 0;
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
    expect(running?.port).toBeGreaterThan(0);
    expect(endpoint).toBe(`http://127.0.0.1:${running?.port}`);
  });

  test('hands other requests to the handler as a payload 2.0 event, body bytes intact', async () => {
    // GIVEN bytes that are not valid UTF-8
    const endpoint = await start();
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    // WHEN
    const res = await fetch(`${endpoint}/?a=1`, { method: 'POST', headers: { 'X-Amz-Target': 'TrentService.ListKeys' }, body });
    // THEN
    expect(res.status).toBe(200);
    const event = events[0];
    expect(event).toMatchObject({ version: '2.0', rawPath: '/', rawQueryString: 'a=1', isBase64Encoded: true, requestContext: { http: { method: 'POST', path: '/' } } });
    expect(event?.headers['x-amz-target']).toBe('TrentService.ListKeys');
    expect(Buffer.from(event?.body ?? '', 'base64')).toEqual(body);
  });

  test('fails with 413 and a KMS-style error on a body over the limit, without calling the handler', async () => {
    const endpoint = await start(echo, { bodyLimit: 1024 });
    const res = await fetch(`${endpoint}/`, { method: 'POST', body: 'x'.repeat(1025) });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await res.json()).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    expect(events).toHaveLength(0);
    // and keeps serving
    expect((await fetch(`${endpoint}/health`)).status).toBe(200);
  });

  test('fails with 500 KMSInternalException when the handler throws, and keeps serving', async () => {
    const endpoint = await start(async () => {
      throw new Error('unexpected');
    });
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

describe('/__sandbox/clock', () => {
  test('is 404 without clock control', async () => {
    const endpoint = await start();
    expect((await fetch(`${endpoint}/__sandbox/clock`)).status).toBe(404);
    expect((await fetch(`${endpoint}/__sandbox/clock`, { method: 'POST', body: '{"advanceSeconds":1}' })).status).toBe(404);
  });

  test('tells the service time and moves it forward after running due timers', async () => {
    // GIVEN
    const { sandbox, ran } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    // WHEN
    const before = (await (await fetch(`${endpoint}/__sandbox/clock`)).json()) as { now: number };
    const res = await fetch(`${endpoint}/__sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 86_400.5 }) });
    // THEN
    expect(before.now).toBe(1_767_225_600);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ now: 1_767_225_600 + 86_400.5 });
    expect(ran).toEqual([(1_767_225_600 + 86_400.5) * 1000]);
  });

  test('runs concurrent advances one after another', async () => {
    const { sandbox } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    const post = (s: number) => fetch(`${endpoint}/__sandbox/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: s }) }).then((r) => r.json() as Promise<{ now: number }>);
    const answers = await Promise.all([post(10), post(20), post(30)]);
    expect(answers.map((a) => a.now).sort()).toEqual([1_767_225_610, 1_767_225_630, 1_767_225_660]);
  });

  test.each(['', 'nope', '[]', '{}', '{"advanceSeconds":-1}', '{"advanceSeconds":"5"}', '{"advanceSeconds":null}'])('fails with 400 on the body %j', async (body) => {
    const { sandbox, ran } = fakeSandbox();
    const endpoint = await start(echo, { sandbox });
    const res = await fetch(`${endpoint}/__sandbox/clock`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(await res.json()).toHaveProperty('message');
    expect(ran).toHaveLength(0);
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

  test('leave other paths to the handler', async () => {
    const endpoint = await start();
    await fetch(`${endpoint}/consolex`);
    expect(events).toHaveLength(1);
  });
});

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
