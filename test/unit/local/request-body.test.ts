/**
 * The local server's hot path (no copy of node:http's headers, a one-chunk body decoded at once): a body that
 * arrives in several chunks (a multi-byte character split between them) reaches the front intact,
 * and cookies never reach it, whichever way the client sends them.
 */
import { request as httpRequest } from 'node:http';
import { expect, test } from 'vitest';
import { serveLocally } from '../../../lambda/local/server';
import { serverUnderTest, standInApi } from '../../support/stand-in-front';

const under = serverUnderTest();
const { seen } = under;

async function start(): Promise<URL> {
  under.running = await serveLocally(
    standInApi(async () => ({ statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{}' }), seen),
    { port: 0, host: '127.0.0.1', log: () => undefined },
  );
  return new URL(under.running.endpoint);
}

/** POSTs `parts` as separate HTTP chunks (chunked transfer encoding: one 'data' event each on the server). */
function postInChunks(url: URL, parts: Buffer[], headers: Record<string, string | string[]> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'transfer-encoding': 'chunked', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    for (const part of parts) req.write(part);
    req.end();
  });
}

test('a body in several chunks, a UTF-8 character split between two of them, reaches the front exactly', async () => {
  const url = await start();
  const text = '{"Plaintext":"x","EncryptionContext":{"k":"é€𝄞"}}';
  const bytes = Buffer.from(text, 'utf8');
  const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
  const cut2 = bytes.indexOf(0xf0) + 2; // inside the four bytes of 𝄞
  expect(await postInChunks(url, [bytes.subarray(0, cut), bytes.subarray(cut, cut2), bytes.subarray(cut2)])).toBe(200);
  expect(seen).toHaveLength(1);
  expect(seen[0]!.body).toBe(text);
});

test('cookies never reach the front, sent once or repeated, and the other headers do', async () => {
  const url = await start();
  expect(await postInChunks(url, [Buffer.from('{}')], { cookie: ['a=1', 'b=2'], 'x-amz-target': 'TrentService.ListKeys' })).toBe(200);
  expect(await postInChunks(url, [Buffer.from('{}')], { 'x-amz-target': 'TrentService.ListKeys' })).toBe(200);
  expect(seen.map((r) => r.headers.cookie)).toEqual([undefined, undefined]);
  expect(seen.map((r) => r.headers['x-amz-target'])).toEqual(['TrentService.ListKeys', 'TrentService.ListKeys']);
});
