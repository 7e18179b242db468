/**
 * The local server's fast path (D152) seen from a client on a raw socket: a KMS API request of the shape the
 * SDKs send is answered with the very bytes node:http writes for it, and every request the fast path does not
 * recognize reaches node:http and is answered as before, on the same connection, in order.
 *
 * A connection stays on the fast path until its first request that is not recognized; from then on node:http
 * answers it. So "what node:http answers" is read from a connection that asked GET /health first.
 */
import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import type { KmsHttpAnswer, KmsHttpRequest } from '../../../lambda/adapters/kms-json/middleware';
import { type LocalApi, type ServeOptions, serveLocally } from '../../../lambda/local/server';
import { serverUnderTest, standInApi } from '../../support/stand-in-front';

const under = serverUnderTest();
const { seen } = under;

/** A stand-in front: records each request, answers what `answer` gives (by default 200 with the action and body echoed). */
function apiOf(answer: (request: KmsHttpRequest) => Promise<KmsHttpAnswer> = echo): LocalApi {
  return standInApi(answer, seen);
}

async function echo(request: KmsHttpRequest): Promise<KmsHttpAnswer> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'fixed-request-id' },
    body: JSON.stringify({ target: request.headers['x-amz-target'], body: request.body, note: 'é€' }),
  };
}

async function start(api: LocalApi = apiOf(), extra: Partial<ServeOptions> = {}): Promise<number> {
  under.running = await serveLocally(api, { port: 0, host: '127.0.0.1', log: () => undefined, ...extra });
  return under.running.port;
}

/** A KMS API request as the SDKs send it. */
function kmsRequest(port: number, options: { action?: string; body?: string; headers?: string; host?: string } = {}): string {
  const body = options.body ?? '{"KeyId":"alias/a","Plaintext":"AAAA"}';
  return (
    'POST / HTTP/1.1\r\n' +
    `host: ${options.host ?? `127.0.0.1:${port}`}\r\n` +
    'content-type: application/x-amz-json-1.1\r\n' +
    `x-amz-target: TrentService.${options.action ?? 'Encrypt'}\r\n` +
    (options.headers ?? `content-length: ${Buffer.byteLength(body)}\r\n`) +
    'connection: keep-alive\r\n\r\n' +
    body
  );
}

const health = (port: number) => `GET /health HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`;

interface Answer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
  /** Head and body, with the Date header's value masked (it changes every second). */
  readonly bytes: string;
}

/**
 * Writes `parts` one after another on one connection (each after the previous was handed to the kernel) and
 * collects the answers until `count` final (non-1xx) answers came or the server closed the connection.
 */
function talk(port: number, parts: readonly (string | Buffer)[], count: number): Promise<{ answers: Answer[]; closed: boolean }> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const answers: Answer[] = [];
    let buffered = Buffer.alloc(0);
    let finished = false;
    const finish = (closed: boolean) => {
      if (finished) return;
      finished = true;
      socket.destroy();
      done({ answers, closed });
    };
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const status = Number(head.slice(9, 12));
        const length = status < 200 ? 0 : Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.toString('utf8', end + 4, end + 4 + length);
        answers.push({ status, head, body, bytes: `${head.replace(/\r\nDate: [^\r]+/, '\r\nDate: <date>')}\r\n\r\n${body}` });
        buffered = buffered.subarray(end + 4 + length);
        if (answers.filter((a) => a.status >= 200).length === count) return finish(false);
      }
    });
    socket.on('close', () => finish(true));
    socket.on('error', (err) => (finished ? undefined : fail(err)));
    const send = (i: number): void => {
      if (i < parts.length) socket.write(parts[i] as string | Buffer, () => setImmediate(() => send(i + 1)));
    };
    socket.on('connect', () => send(0));
  });
}

/** What node:http answers to `request`: asked on a connection that node:http already holds. */
async function nodeHttpAnswer(port: number, request: string): Promise<Answer> {
  const { answers } = await talk(port, [health(port) + request], 2);
  expect(answers[0]?.body).toBe('{"status":"ok"}');
  return answers[1] as Answer;
}

describe('the fast path answers with the bytes node:http writes', () => {
  test('for a KMS success', async () => {
    const port = await start();
    const request = kmsRequest(port);
    const fast = (await talk(port, [request], 1)).answers[0] as Answer;
    expect(fast.bytes).toBe((await nodeHttpAnswer(port, request)).bytes);
    expect(fast.head).toMatch(/^HTTP\/1\.1 200 OK\r\ncontent-type: application\/x-amz-json-1\.1\r\nx-amzn-RequestId: fixed-request-id\r\ncontent-length: \d+\r\nDate: [^\r]+\r\nConnection: keep-alive\r\nKeep-Alive: timeout=65$/);
    expect(JSON.parse(fast.body)).toEqual({ target: 'TrentService.Encrypt', body: '{"KeyId":"alias/a","Plaintext":"AAAA"}', note: 'é€' });
    expect(seen.map((r) => ({ method: r.method, path: r.path, query: r.query, sourceIp: r.sourceIp }))).toEqual(Array(2).fill({ method: 'POST', path: '/', query: '', sourceIp: '127.0.0.1' }));
    expect(seen[0]?.headers).toEqual(seen[1]?.headers);
  });

  test('for a KMS error', async () => {
    const port = await start(
      apiOf(async () => ({ statusCode: 400, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'r-1' }, body: '{"__type":"NotFoundException","message":"Key \'x\' does not exist"}', errorType: 'NotFoundException' })),
    );
    const request = kmsRequest(port, { action: 'DescribeKey', body: '{"KeyId":"x"}' });
    const fast = (await talk(port, [request], 1)).answers[0] as Answer;
    expect(fast.status).toBe(400);
    expect(fast.bytes).toBe((await nodeHttpAnswer(port, request)).bytes);
  });

  test('for a front that throws: 500 KMSInternalException, and the connection keeps serving', async () => {
    let calls = 0;
    const port = await start(
      apiOf(async (request) => {
        if (calls++ % 2 === 0) throw new Error('unexpected');
        return echo(request);
      }),
    );
    const request = kmsRequest(port);
    const { answers } = await talk(port, [request, request], 2);
    const mask = (a: Answer) => a.bytes.replace(/x-amzn-RequestId: [0-9a-f-]{36}/, 'x-amzn-RequestId: <id>');
    expect(answers.map((a) => a.status)).toEqual([500, 200]);
    expect(JSON.parse(answers[0]!.body)).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred. Try again later.' });
    expect(mask(answers[0]!)).toBe(mask(await nodeHttpAnswer(port, request)));
  });

  test('for a Host that does not name the server (D21), without reaching the front', async () => {
    const port = await start();
    const request = kmsRequest(port, { host: 'evil.example' });
    const fast = (await talk(port, [request], 1)).answers[0] as Answer;
    const mask = (a: Answer) => a.bytes.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '<id>');
    expect(fast.status).toBe(403);
    expect(JSON.parse(fast.body)).toEqual({ __type: 'AccessDeniedException', Message: "Host 'evil.example' does not name this server; allow other names with --allow-host (KMS_ALLOWED_HOSTS)." });
    expect(mask(fast)).toBe(mask(await nodeHttpAnswer(port, request)));
    expect(seen).toHaveLength(0);
  });
});

describe('what the fast path does not recognize reaches node:http, as before', () => {
  test('a chunked body', async () => {
    const port = await start();
    const request = kmsRequest(port, { body: '4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n', headers: 'transfer-encoding: chunked\r\n' });
    const { answers } = await talk(port, [request], 1);
    expect(answers[0]?.status).toBe(200);
    expect(seen.map((r) => r.body)).toEqual(['{"a":1}']);
  });

  test('Expect: 100-continue', async () => {
    const port = await start();
    const body = '{"KeyId":"k"}';
    const head = kmsRequest(port, { body: '', headers: `expect: 100-continue\r\ncontent-length: ${body.length}\r\n` });
    const { answers } = await talk(port, [head, body], 1);
    expect(answers.map((a) => a.head.split('\r\n')[0])).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK']);
    expect(seen.map((r) => r.body)).toEqual([body]);
  });

  test.each([
    ['a malformed request line', 'POST / HTTP/1.1 extra\r\nhost: H\r\ncontent-length: 0\r\n\r\n'],
    ['a header without a colon', 'POST / HTTP/1.1\r\nhost: H\r\nnot a header\r\ncontent-length: 0\r\n\r\n'],
    ['two Content-Lengths', 'POST / HTTP/1.1\r\nhost: H\r\ncontent-length: 2\r\ncontent-length: 2\r\n\r\n{}'],
  ])('%s: 400, connection closed', async (_what, text) => {
    const port = await start();
    const { answers, closed } = await talk(port, [text.replace('host: H', `host: 127.0.0.1:${port}`)], 2); // until closed
    expect(answers.map((a) => a.head.split('\r\n')[0])).toEqual(['HTTP/1.1 400 Bad Request']);
    expect(closed).toBe(true);
    expect(seen).toHaveLength(0);
  });

  test('a body over the limit: 413 RequestEntityTooLargeException, without reaching the front', async () => {
    const port = await start(apiOf(), { bodyLimit: 100 });
    const { answers } = await talk(port, [kmsRequest(port, { body: 'x'.repeat(101) })], 1);
    expect(answers[0]?.status).toBe(413);
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    expect(seen).toHaveLength(0);
  });

  test('GET /health, and a KMS request after it on the same connection', async () => {
    const port = await start();
    const { answers } = await talk(port, [health(port), kmsRequest(port)], 2);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[0]?.body).toBe('{"status":"ok"}');
    expect(seen).toHaveLength(1);
  });

  test('a head and a body split across writes, a character split between two of them', async () => {
    const port = await start();
    const body = '{"KeyId":"alias/é"}';
    const bytes = Buffer.from(kmsRequest(port, { body }));
    const inHead = bytes.indexOf('x-amz-target');
    const inChar = bytes.indexOf(0xc3) + 1;
    const { answers } = await talk(port, [bytes.subarray(0, inHead), bytes.subarray(inHead, inChar), bytes.subarray(inChar)], 1);
    expect(answers[0]?.status).toBe(200);
    expect(seen.map((r) => r.body)).toEqual([body]);
  });
});

describe('connections', () => {
  test('two requests pipelined in one write: answered in order, the second handed to the front once the first is answered', async () => {
    const events: string[] = [];
    const port = await start(
      apiOf(async (request) => {
        const action = request.headers['x-amz-target'] as string;
        events.push(`start ${action}`);
        await new Promise((r) => setImmediate(r));
        events.push(`end ${action}`);
        return echo(request);
      }),
    );
    const { answers } = await talk(port, [kmsRequest(port, { action: 'Encrypt' }) + kmsRequest(port, { action: 'Decrypt' })], 2);
    expect(answers.map((a) => (JSON.parse(a.body) as { target: string }).target)).toEqual(['TrentService.Encrypt', 'TrentService.Decrypt']);
    expect(events).toEqual(['start TrentService.Encrypt', 'end TrentService.Encrypt', 'start TrentService.Decrypt', 'end TrentService.Decrypt']);
  });

  test('far more pipelined than the fast path buffers while a request runs: all answered, in order', async () => {
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const first = new Promise<void>((r) => (arrived = r));
    const port = await start(
      apiOf(async (request) => {
        if (request.body === '{"n":0}') {
          arrived();
          await held;
        }
        return echo(request);
      }),
      { bodyLimit: 100 },
    );
    // 1,000 requests of about 170 bytes: more than one read of the socket, and than node's maximum head size (16 KiB) and the body limit
    const requests = Array.from({ length: 1000 }, (_, n) => kmsRequest(port, { body: `{"n":${n}}` }));
    const answering = talk(port, [requests.join('')], requests.length);
    await first;
    release();
    const { answers } = await answering;
    expect(answers.map((a) => (JSON.parse(a.body) as { body: string }).body)).toEqual(requests.map((_, n) => `{"n":${n}}`));
  });

  test('a pipelined request the fast path does not recognize, after one it does: both answered, in order', async () => {
    const port = await start();
    const { answers } = await talk(port, [kmsRequest(port) + health(port) + kmsRequest(port, { action: 'Decrypt' })], 3);
    expect(answers.map((a) => a.body.slice(0, 16))).toEqual(['{"target":"Trent', '{"status":"ok"}', '{"target":"Trent']);
    expect(seen.map((r) => r.headers['x-amz-target'])).toEqual(['TrentService.Encrypt', 'TrentService.Decrypt']);
  });

  test('close() lets a running fast-path request finish with Connection: close, and closes idle connections', async () => {
    // GIVEN an idle keep-alive connection, and a request the front is still working on
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const started = new Promise<void>((r) => (arrived = r));
    const port = await start(
      apiOf(async (request) => {
        if (request.headers['x-amz-target'] !== 'TrentService.Encrypt') return echo(request);
        arrived();
        await new Promise<void>((r) => (release = r));
        return echo(request);
      }),
    );
    const idle = connect({ host: '127.0.0.1', port });
    const idleClosed = new Promise<void>((r) => idle.on('close', () => r()));
    const idleAnswered = new Promise<void>((r) => idle.once('data', () => r()));
    idle.write(kmsRequest(port, { action: 'ListKeys' }));
    await idleAnswered;
    const answer = talk(port, [kmsRequest(port)], 2); // waits for the server to close it after one
    await started;
    // WHEN the server is closed, and only then the front finishes
    const closed = under.running!.close();
    await idleClosed;
    release();
    // THEN the running request got its answer, its connection closes after it, and nothing was cut
    const { answers, closed: connectionClosed } = await answer;
    expect(answers.map((a) => a.status)).toEqual([200]);
    expect(answers[0]?.head).toMatch(/\r\nConnection: close$/);
    expect(connectionClosed).toBe(true);
    expect(await closed).toEqual({ cut: 0 });
    under.running = undefined;
  });
});
