/**
 * recognizeKmsRequest (fast-path.ts, D152) rule by rule: each row is a request head (and body) and what the
 * recognizer makes of it — the headers it reads, or undefined (the bytes go to node:http). Every refusal rule
 * of the file's header comment has rows here, so a rewrite of the recognizer must accept and refuse the same.
 */
import { maxHeaderSize } from 'node:http';
import { describe, expect, test } from 'vitest';
import { recognizeKmsRequest } from '../../../lambda/local/fast-path';

const LIMIT = 1024;
const BODY = '{"KeyId":"k"}';
const BASE = ['Host: localhost:4000', 'Content-Type: application/x-amz-json-1.1', 'X-Amz-Target: TrentService.Encrypt'];

/** A request: the request line, the header lines (a Content-Length of the body unless `length` says otherwise), the body. */
function request(lines: readonly string[], options: { requestLine?: string; length?: string | null; body?: string } = {}): Buffer {
  const body = options.body ?? BODY;
  const length = options.length === undefined ? [`Content-Length: ${Buffer.byteLength(body)}`] : options.length === null ? [] : [`Content-Length: ${options.length}`];
  const head = [options.requestLine ?? 'POST / HTTP/1.1', ...lines, ...length].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.from(body, 'utf8')]);
}

const ACCEPTED: ReadonlyArray<readonly [string, Buffer, Record<string, string>]> = [
  [
    'the SDK shape',
    request(BASE),
    { host: 'localhost:4000', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt', 'content-length': '13' },
  ],
  ['a query target', request(['Host: h'], { requestLine: 'POST /?a=b&c=%20d:e@f/g?h HTTP/1.1' }), { host: 'h', 'content-length': '13' }],
  ['names lower-cased', request(['HOST: h', 'X-AMZ-DATE: 20260101T000000Z']), { host: 'h', 'x-amz-date': '20260101T000000Z', 'content-length': '13' }],
  ['every token character in a name', request(['Host: h', "!#$%&'*+-.^_`|~09az: v"]), { host: 'h', "!#$%&'*+-.^_`|~09az": 'v', 'content-length': '13' }],
  ['spaces and tabs around values removed', request(['Host: \t h \t ', 'X-A:v']), { host: 'h', 'x-a': 'v', 'content-length': '13' }],
  ['inner spaces, tabs, colons and every visible character kept', request(['Host: h', 'X-A: a \tb:c ~!"#']), { host: 'h', 'x-a': 'a \tb:c ~!"#', 'content-length': '13' }],
  ['an empty value', request(['Host:', 'X-A:   ']), { host: '', 'x-a': '', 'content-length': '13' }],
  [
    'names of the length of common ones, differing in one character',
    request(['hosT: h', 'x-amz-targex: a', 'X-AMZ-DATE_: b', 'content_type: c', 'Accept-Encoding: d']),
    { host: 'h', 'x-amz-targex': 'a', 'x-amz-date_': 'b', content_type: 'c', 'accept-encoding': 'd', 'content-length': '13' },
  ],
  ['Connection: keep-alive, any case', request(['Host: h', 'Connection: Keep-Alive']), { host: 'h', connection: 'Keep-Alive', 'content-length': '13' }],
  ['Content-Length 0 and no body', request(['Host: h'], { body: '' }), { host: 'h', 'content-length': '0' }],
  ['Content-Length with leading zeros', request(['Host: h'], { length: '013' }), { host: 'h', 'content-length': '013' }],
  ['a body at the limit', request(['Host: h'], { body: 'x'.repeat(LIMIT) }), { host: 'h', 'content-length': String(LIMIT) }],
  [
    'MAX_HEADERS (64) headers',
    request(['Host: h', ...Array.from({ length: 62 }, (_, i) => `X-${i}: v`)]),
    Object.fromEntries([['host', 'h'], ...Array.from({ length: 62 }, (_, i) => [`x-${i}`, 'v']), ['content-length', '13']]),
  ],
  [
    'other prototype-looking names that are not lower-case names of Object.prototype',
    request(['Host: h', 'toString: v', 'hasOwnProperty: w']),
    { host: 'h', tostring: 'v', hasownproperty: 'w', 'content-length': '13' },
  ],
];

const BIG_HEAD = request(['Host: h', `X-Big: ${'v'.repeat(maxHeaderSize)}`]);

const REFUSED: ReadonlyArray<readonly [string, Buffer]> = [
  // method, target, version
  ['GET', request(BASE, { requestLine: 'GET / HTTP/1.1' })],
  ['lower-case post', request(BASE, { requestLine: 'post / HTTP/1.1' })],
  ['HTTP/1.0', request(BASE, { requestLine: 'POST / HTTP/1.0' })],
  ['a path', request(BASE, { requestLine: 'POST /health HTTP/1.1' })],
  ['an absolute target', request(BASE, { requestLine: 'POST http://h/ HTTP/1.1' })],
  ['an empty target', request(BASE, { requestLine: 'POST  HTTP/1.1' })],
  ['no target', request(BASE, { requestLine: 'POST HTTP/1.1' })],
  ['a space in the query', request(BASE, { requestLine: 'POST /?a b HTTP/1.1' })],
  ['a fragment', request(BASE, { requestLine: 'POST /?a#b HTTP/1.1' })],
  ['two spaces before the version', request(BASE, { requestLine: 'POST /  HTTP/1.1' })],
  // names
  ['a space in a name', request([...BASE, 'X A: v'])],
  ['a space before the colon', request([...BASE, 'X-A : v'])],
  ['a separator in a name', request([...BASE, 'X(A): v'])],
  ['obs-text in a name', request([...BASE, 'X-\xe9: v'])],
  ['a control character in a name', request([...BASE, 'X-\x01: v'])],
  ['no colon', request([...BASE, 'X-A v'])],
  ['the colon first', request([...BASE, ': v'])],
  ['a line starting with a space (obs-fold)', request([...BASE, ' folded'])],
  ['a line starting with a tab (obs-fold)', request([...BASE, '\tX-A: v'])],
  // values
  ['obs-text in a value', request([...BASE, 'X-A: caf\xe9'])],
  ['obs-text (NBSP) inside a value', request([...BASE, 'X-A: a\xa0b'])],
  ['DEL in a value', request([...BASE, 'X-A: a\x7fb'])],
  ['NUL in a value', request([...BASE, 'X-A: a\x00b'])],
  ['a control character in a value', request([...BASE, 'X-A: a\x01b'])],
  ['a lone CR inside a value', request([...BASE, 'X-A: a\rb'])],
  ['a lone LF inside a value', request([...BASE, 'X-A: a\nb'])],
  // Until D154 String#trim dropped these at a value's ends and the request was answered: they are not visible
  // ASCII (node:http refuses some of them), so now node:http judges them.
  ['VT at a value\'s start', request([...BASE, 'X-A: \x0bv'])],
  ['FF at a value\'s end', request([...BASE, 'X-A: v\x0c'])],
  ['NBSP at a value\'s end', request([...BASE, 'X-A: v\xa0'])],
  ['a lone CR at a value\'s end', request([...BASE, 'X-A: v\r'])],
  ['a lone LF at a value\'s end', request([...BASE, 'X-A: v\n'])],
  ['a lone LF ending a line', request(['Host: h\nX-A: v', 'X-Amz-Target: TrentService.Encrypt'])],
  // duplicates
  ['a duplicate name', request([...BASE, 'X-A: 1', 'X-A: 2'])],
  ['a duplicate name in another case', request([...BASE, 'x-a: 1', 'X-A: 2'])],
  ['two Hosts', request([...BASE, 'host: other'])],
  ['two Content-Lengths', request([...BASE, 'Content-Length: 13'])],
  ['two equal Content-Lengths in another case', request([...BASE, 'content-length: 13'])],
  // Object.prototype
  ['__proto__', request([...BASE, '__proto__: v'])],
  ['constructor', request([...BASE, 'constructor: v'])],
  ['Constructor', request([...BASE, 'Constructor: v'])],
  // NOT_FAST
  ['Transfer-Encoding', request([...BASE, 'Transfer-Encoding: chunked'])],
  ['Expect', request([...BASE, 'Expect: 100-continue'])],
  ['Upgrade', request([...BASE, 'Upgrade: websocket'])],
  ['Cookie', request([...BASE, 'Cookie: a=b'])],
  ['COOKIE', request([...BASE, 'COOKIE: a=b'])],
  // Connection
  ['Connection: close', request([...BASE, 'Connection: close'])],
  ['Connection: keep-alive, Upgrade', request([...BASE, 'Connection: keep-alive, Upgrade'])],
  ['Connection: empty', request([...BASE, 'Connection:'])],
  ['Connection: keepalive', request([...BASE, 'Connection: keepalive'])],
  // Content-Length
  ['no Content-Length', request(BASE, { length: null, body: '' })],
  ['an empty Content-Length', request(BASE, { length: '', body: '' })],
  ['a signed Content-Length', request(BASE, { length: '+13' })],
  ['a negative Content-Length', request(BASE, { length: '-1', body: '' })],
  ['a hexadecimal Content-Length', request(BASE, { length: '0xd' })],
  ['a decimal point in Content-Length', request(BASE, { length: '13.0' })],
  ['a Content-Length list', request(BASE, { length: '13, 13' })],
  ['a Content-Length of 16 digits', request(BASE, { length: '0000000000000013' })],
  ['an exponent in Content-Length', request(BASE, { length: '1e1', body: 'x'.repeat(10) })],
  // Host, limits, completeness
  ['no Host', request(BASE.slice(1))],
  ['a body over the limit', request(['Host: h'], { body: 'x'.repeat(LIMIT + 1) })],
  ['an incomplete body', request(BASE, { length: '14' })],
  ['an incomplete head', Buffer.from('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n')],
  ['a head over maxHeaderSize', BIG_HEAD],
  ['MAX_HEADERS + 1 (65) headers', request(['Host: h', ...Array.from({ length: 63 }, (_, i) => `X-${i}: v`)])],
  ['no headers at all', Buffer.from('POST / HTTP/1.1\r\n\r\n')],
];

describe('recognizeKmsRequest', () => {
  test.each(ACCEPTED)('accepts %s', (_, bytes, headers) => {
    const recognized = recognizeKmsRequest(bytes, LIMIT);
    expect(recognized?.headers).toEqual(headers);
    expect(Object.getPrototypeOf(recognized?.headers)).toBe(Object.prototype);
    expect(recognized?.length).toBe(bytes.length);
  });

  test.each(REFUSED)('refuses %s', (_, bytes) => {
    expect(recognizeKmsRequest(bytes, LIMIT)).toBeUndefined();
  });

  test('reads the target, the body as UTF-8, and only the first of pipelined requests', () => {
    const first = request(['Host: h'], { requestLine: 'POST /?x=1 HTTP/1.1', body: '{"a":"é€"}' });
    const recognized = recognizeKmsRequest(Buffer.concat([first, request(BASE)]), LIMIT);
    expect(recognized).toEqual({ target: '/?x=1', headers: { host: 'h', 'content-length': '13' }, body: '{"a":"é€"}', length: first.length });
  });

  test('a head of exactly maxHeaderSize bytes (with its CRLFCRLF) is read; one byte more is not', () => {
    const fill = (size: number): Buffer => {
      const bare = request(['Host: h', 'X-F: '], { body: '' }).length;
      return request(['Host: h', `X-F: ${'v'.repeat(size - bare)}`], { body: '' });
    };
    expect(recognizeKmsRequest(fill(maxHeaderSize), LIMIT)).toBeDefined();
    expect(recognizeKmsRequest(fill(maxHeaderSize + 1), LIMIT)).toBeUndefined();
  });
});
