/**
 * The local server's fast path for KMS API calls (D152). node:http's own JavaScript costs about 16 µs
 * per request here (its floor ~30 µs against ~14.5 µs for a bare node:net server framing by
 * Content-Length), half of what a whole Encrypt may cost for the bench's target. So the listening
 * server's connections come here first: a request of exactly the shape the SDKs and the CLI send is
 * recognized and answered on the socket; at the first thing that is not (or not yet complete), the
 * connection and its unread bytes go to node:http for good, which then behaves as it always did
 * (/health, the sandbox clock, static files, chunked bodies, 100-continue, 400, 413, timeouts…).
 *
 * Recognized — everything else is node:http's:
 *   POST / HTTP/1.1 (or POST /?<query>), then `name: value` CRLF lines: token names, visible-ASCII
 *   values (spaces and tabs around them dropped, D154), no duplicate name, at most MAX_HEADERS; a Host; exactly one Content-Length of digits
 *   within the body limit; no Transfer-Encoding, Expect, Upgrade, Cookie; Connection absent or
 *   keep-alive; the head within node's maximum header size; head and body complete in what was read.
 *
 * The answer is written as node:http writes it (status line, the answer's headers, Content-Length,
 * Date, Connection, Keep-Alive); one request is answered at a time per connection, in order.
 */
import { STATUS_CODES, type Server, maxHeaderSize, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Socket } from 'node:net';

/** A request the fast path recognized. */
export interface RecognizedRequest {
  /** The request target, `/` or `/?query`. */
  readonly target: string;
  /** Lower-case names, values without surrounding spaces (as node:http gives them). */
  readonly headers: Record<string, string>;
  /** The body decoded as UTF-8. */
  readonly body: string;
  /** Bytes of the request (head and body) in the buffer it was recognized in. */
  readonly length: number;
}

/** An answer to write: the headers in order; Content-Length is added unless present. */
export interface FastAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Far more than any SDK sends (about ten): a longer list goes to node:http. */
const MAX_HEADERS = 64;
const HEAD_END = Buffer.from('\r\n\r\n');
/** What a KMS request target may hold: `/`, or `/?` and URL query characters. */
const TARGET = /^\/(?:\?[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*)?$/;
const NOT_FAST = new Set(['transfer-encoding', 'expect', 'upgrade', 'cookie']);

/** What a head's character (a latin1 char code) may be: bits of CHARS. */
const TOKEN = 1; // in a name: RFC 9110 tchar
const UPPER = 2; // A-Z: a name holding one is lower-cased
const VALUE = 4; // in a value: visible ASCII, space, tab (obs-text and control characters are left to node:http)
const OWS = 8; // around a value, not part of it: space, tab
const CHARS = new Uint8Array(256);
for (let c = 0x20; c <= 0x7e; c++) CHARS[c] = VALUE;
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") CHARS[c.charCodeAt(0)] = VALUE | TOKEN;
for (let c = 0x41; c <= 0x5a; c++) CHARS[c] = VALUE | TOKEN | UPPER;
CHARS[0x09] = VALUE | OWS;
CHARS[0x20] = VALUE | OWS;
const COLON = 0x3a;

/**
 * Names the SDKs, the CLI and fetch send, by length: a name among them (in any case) is read as this constant
 * string, not a new one (a new string used as a property name must first be hashed and looked up — ~0.2 µs each).
 */
const COMMON: readonly (readonly string[] | undefined)[] = (() => {
  const byLength: string[][] = [];
  for (const name of [
    'host', 'content-type', 'content-length', 'connection', 'x-amz-target', 'x-amz-date', 'authorization',
    'user-agent', 'x-amz-user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-content-sha256',
    'x-amz-security-token', 'accept', 'accept-encoding', 'accept-language', 'sec-fetch-mode',
  ]) (byLength[name.length] ??= []).push(name);
  return byLength;
})();

/**
 * The COMMON name that bytes[start, end) is in any case, if any. `| 0x20` lower-cases a letter; on the other token
 * characters a COMMON name holds (digits, `-`) it is the identity, and no other token character becomes one of them.
 */
function commonName(bytes: Buffer, start: number, end: number): string | undefined {
  candidates: for (const name of COMMON[end - start] ?? []) {
    for (let i = 0; i < name.length; i++) if (((bytes[start + i] as number) | 0x20) !== name.charCodeAt(i)) continue candidates;
    return name;
  }
  return undefined;
}

/**
 * The first request in `bytes`, when it is wholly there and of the shape above; otherwise undefined
 * (the caller hands the bytes to node:http). One pass over the head's bytes: per line, the name's
 * characters up to the colon, then the value's, each checked in CHARS; names and values are sliced from the
 * head decoded once as latin1 (one character per byte, so the same offsets).
 */
export function recognizeKmsRequest(bytes: Buffer, bodyLimit: number): RecognizedRequest | undefined {
  const headEnd = bytes.indexOf(HEAD_END);
  // node counts fewer bytes of a head than this (no separators): what fits here fits node's limit.
  if (headEnd < 0 || headEnd + HEAD_END.length > maxHeaderSize) return undefined;
  const head = bytes.toString('latin1', 0, headEnd);
  const requestEnd = head.indexOf('\r\n');
  // No header line at all: no Host.
  if (requestEnd < 0) return undefined;
  const requestLine = head.slice(0, requestEnd);
  if (!requestLine.startsWith('POST ') || !requestLine.endsWith(' HTTP/1.1')) return undefined;
  const target = requestLine.slice(5, -9);
  if (!TARGET.test(target)) return undefined;

  const headers: Record<string, string> = {};
  let count = 0;
  for (let start = requestEnd + 2; start < head.length; ) {
    let end = head.indexOf('\r\n', start);
    if (end < 0) end = head.length;
    if (++count > MAX_HEADERS) return undefined;
    // The name: token characters, then the colon (none, or first: refused).
    let colon = start;
    let upper = 0;
    for (let c = CHARS[bytes[colon] as number] as number; c & TOKEN; c = CHARS[bytes[++colon] as number] as number) upper |= c & UPPER;
    if (colon === start || bytes[colon] !== COLON) return undefined;
    const name = commonName(bytes, start, colon) ?? (upper === 0 ? head.slice(start, colon) : head.slice(start, colon).toLowerCase());
    // The value: spaces and tabs around it dropped, visible ASCII, spaces and tabs inside.
    let from = colon + 1;
    let to = end;
    while (from < to && (CHARS[bytes[from] as number] as number) & OWS) from++;
    while (to > from && (CHARS[bytes[to - 1] as number] as number) & OWS) to--;
    for (let i = from; i < to; i++) if (((CHARS[bytes[i] as number] as number) & VALUE) === 0) return undefined;
    // `!== undefined` also refuses names of Object.prototype (`__proto__`, `constructor`).
    if (headers[name] !== undefined || NOT_FAST.has(name)) return undefined;
    headers[name] = head.slice(from, to);
    start = end + 2;
  }
  const declared = headers['content-length'];
  const connection = headers.connection;
  if (headers.host === undefined || declared === undefined || !/^[0-9]{1,15}$/.test(declared)) return undefined;
  if (connection !== undefined && connection.toLowerCase() !== 'keep-alive') return undefined;
  const size = Number(declared);
  const bodyStart = headEnd + HEAD_END.length;
  if (size > bodyLimit || bytes.length < bodyStart + size) return undefined;
  return { target, headers, body: bytes.toString('utf8', bodyStart, bodyStart + size), length: bodyStart + size };
}

let dateCache: string | undefined;

/** The Date header's value, as node:http computes it: once a second. */
function utcDate(): string {
  if (dateCache === undefined) {
    const now = new Date();
    dateCache = now.toUTCString();
    setTimeout(() => (dateCache = undefined), 1000 - now.getMilliseconds()).unref();
  }
  return dateCache;
}

/** The bytes node:http writes for `writeHead(status, headers…)` + `end(body)` on a keep-alive connection (or its last answer). */
export function answerBytes(answer: FastAnswer, keepAliveSeconds: number, last: boolean): string {
  const { statusCode, headers, body } = answer;
  let head = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'unknown'}\r\n`;
  for (const name in headers) {
    const value = headers[name] as string;
    // node:http's own checks: an answer it would refuse to write is refused here too.
    validateHeaderName(name);
    validateHeaderValue(name, value);
    head += `${name}: ${value}\r\n`;
  }
  if (headers['content-length'] === undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
  head += `Date: ${utcDate()}\r\n`;
  head += last ? 'Connection: close\r\n\r\n' : `Connection: keep-alive\r\nKeep-Alive: timeout=${keepAliveSeconds}\r\n\r\n`;
  return head + body;
}

export interface FastPathOptions {
  readonly bodyLimit: number;
  /** Answers one recognized request. */
  readonly answer: (request: RecognizedRequest, socket: Socket) => Promise<FastAnswer>;
  /** The answer when answering failed (logged by the server): its 500. */
  readonly failed: (error: unknown) => FastAnswer;
}

/** The connections the fast path still holds, for the server's close(). */
export interface FastConnections {
  /** From now on every answer is its connection's last; idle connections are closed now. */
  closing(): void;
  /** Requests being answered (or answered, and not yet written). */
  running(): number;
  /** Cuts every connection. */
  cutAll(): void;
}

interface Connection {
  readonly socket: Socket;
  /** Bytes read and not yet consumed (complete pipelined requests, or the start of one). */
  pending: Buffer | undefined;
  /** A request is being answered: the next waits (answers go out in order). */
  busy: boolean;
  /** The client sent its FIN. */
  ended: boolean;
  /** Answers not yet written (see writeAll), the last of them its connection's last if `last`. */
  unwritten: string;
  last: boolean;
  readonly onData: (chunk: Buffer) => void;
  readonly onEnd: () => void;
  readonly onTimeout: () => void;
  readonly onClose: () => void;
}

/** A reset connection: its 'close' follows. */
const ignore = (): void => undefined;

/**
 * Takes the listening http.Server's connections: each is read here until something is not
 * recognized, then handed to node:http's own connection listener with the bytes not consumed
 * (`unshift`, the pattern of protocol-sniffing servers).
 */
export function takeConnections(server: Server, options: FastPathOptions): FastConnections {
  const [nodeHttp] = server.listeners('connection') as [(socket: Socket) => void];
  server.removeListener('connection', nodeHttp);
  const keepAliveSeconds = Math.floor(server.keepAliveTimeout / 1000);
  const maxPending = maxHeaderSize + options.bodyLimit;
  const open = new Set<Connection>();
  let closing = false;

  const handOver = (conn: Connection): void => {
    const { socket } = conn;
    open.delete(conn);
    socket.off('data', conn.onData).off('end', conn.onEnd).off('timeout', conn.onTimeout).off('close', conn.onClose).off('error', ignore);
    socket.setTimeout(0);
    // What the fast path answered goes out before anything node:http answers.
    if (conn.unwritten !== '') {
      socket.write(conn.unwritten);
      conn.unwritten = '';
    }
    // A client that half-closed: node:http would never see the end of its request.
    if (conn.ended) {
      socket.destroySoon();
      return;
    }
    if (conn.pending !== undefined) socket.unshift(conn.pending);
    nodeHttp.call(server, socket);
  };

  // The answers of one event-loop turn are written together once every connection it read is answered (D153):
  // a write to a client that sleeps wakes it, a costly cross-CPU wake-up here; written together, the client
  // wakes once for all of them and sends its next requests together (measured: less CPU per request, more
  // requests per second, p99 no worse).
  const toWrite: Connection[] = [];
  const writeAll = (): void => {
    for (const conn of toWrite) {
      const { socket } = conn;
      if (conn.unwritten !== '' && !socket.destroyed) {
        socket.write(conn.unwritten);
        if (conn.last) socket.destroySoon();
      }
      conn.unwritten = '';
    }
    toWrite.length = 0;
  };

  const write = (conn: Connection, answer: FastAnswer): void => {
    const { socket } = conn;
    conn.busy = false;
    if (socket.destroyed) return;
    const last = closing;
    let bytes: string;
    try {
      bytes = answerBytes(answer, keepAliveSeconds, last);
    } catch (err) {
      bytes = answerBytes(options.failed(err), keepAliveSeconds, last);
    }
    if (conn.unwritten === '') {
      toWrite.push(conn);
      if (toWrite.length === 1) setImmediate(writeAll);
    }
    conn.unwritten += bytes;
    conn.last = last;
    if (last) return;
    if (socket.isPaused()) socket.resume();
    next(conn);
  };

  const next = (conn: Connection): void => {
    const bytes = conn.pending;
    if (bytes === undefined) {
      if (conn.ended && conn.unwritten !== '') conn.last = true;
      else if (conn.ended) conn.socket.end();
      return;
    }
    const request = recognizeKmsRequest(bytes, options.bodyLimit);
    if (request === undefined) return handOver(conn);
    conn.pending = request.length === bytes.length ? undefined : bytes.subarray(request.length);
    conn.busy = true;
    void options.answer(request, conn.socket).then(
      (answer) => write(conn, answer),
      (err: unknown) => write(conn, options.failed(err)),
    );
  };

  server.on('connection', (socket: Socket) => {
    const conn: Connection = {
      socket,
      pending: undefined,
      busy: false,
      ended: false,
      unwritten: '',
      last: false,
      onData: (chunk: Buffer) => {
        conn.pending = conn.pending === undefined ? chunk : Buffer.concat([conn.pending, chunk]);
        if (!conn.busy) next(conn);
        // A client sending on and on while its request runs is read no further until it is answered.
        else if (conn.pending.length > maxPending) socket.pause();
      },
      onEnd: () => {
        conn.ended = true;
        if (!conn.busy) next(conn);
      },
      // node:http's keep-alive timeout: an idle connection closes after it; a running request is never cut.
      onTimeout: () => {
        if (!conn.busy) socket.destroy();
      },
      onClose: () => open.delete(conn),
    };
    open.add(conn);
    socket.on('data', conn.onData).on('end', conn.onEnd).on('timeout', conn.onTimeout).on('close', conn.onClose).on('error', ignore);
    socket.setTimeout(server.keepAliveTimeout);
  });

  return {
    closing: () => {
      closing = true;
      for (const conn of open) {
        if (conn.busy) continue;
        if (conn.unwritten === '') conn.socket.destroy();
        else conn.last = true; // answered: written, then closed
      }
    },
    running: () => {
      let count = 0;
      for (const conn of open) if (conn.busy || conn.unwritten !== '') count++;
      return count;
    },
    cutAll: () => {
      for (const conn of open) conn.socket.destroy();
    },
  };
}
