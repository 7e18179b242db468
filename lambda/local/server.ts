/**
 * The embedded mode's HTTP front (design decision 7): a node:http server that hands each request to
 * the same KMS JSON front Lambda runs (the handler's `front`, D99: no API Gateway event in between),
 * plus the few routes only the local server has:
 *
 *   GET  /health            200 {"status":"ok"} (the server listens only once the service is ready)
 *   GET  /__sandbox/clock   {"now": <epoch seconds>}                      (clock control only)
 *   POST /__sandbox/clock   {"advanceSeconds": n} → moves the clock, runs due timers, {"now": …}
 *   GET  <prefix>/…         static files (e.g. the console at /console), chosen as the console
 *                           function chooses them (lambda/adapters/static/static-files.ts)
 *
 * A KMS API call of the shape the SDKs send is read and answered by fast-path.ts on the socket, with the
 * bytes node:http would write (D152: node:http's own JavaScript is ~16 µs per request); every other
 * request, and every later one on its connection, is node:http's.
 *
 * Bodies above `bodyLimit` are answered 413 without reaching the front. The server never crashes
 * on a request: whatever escapes the front becomes a 500 KMSInternalException.
 *
 * It trusts nothing it did not announce (design decision 13): a `Host` that does not name this
 * server is refused before anything else (host-check.ts, D21); `/__sandbox/*` also wants JSON, a
 * same-origin or absent `Origin`, and whatever the API's authenticator wants (a SigV4 signature in
 * enforce mode, D22). The API sends no CORS headers: the console is served from the same origin.
 * Every refusal is a KMS-shaped error (`{"__type","message"}`, x-amzn-RequestId).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { type Authenticator, openAuthenticator } from '../adapters/kms-json/authenticator';
import { errorResponse, KMS_CONTENT_TYPE, type KmsHttpAnswer, type KmsJsonFront, REQUEST_ID_HEADER } from '../adapters/kms-json/middleware';
import { resolveStaticFile, staticFileHeaders } from '../adapters/static/static-files';
import { KmsError } from '../core/errors';
import { type FastAnswer, type RecognizedRequest, takeConnections } from './fast-path';
import { hostPolicy } from './host-check';

/** What the server serves: the KMS front of a handler (makeKmsApiHandler), called without an event. */
export interface LocalApi {
  readonly front: KmsJsonFront;
}

/** An answer the server gives itself (a refusal, the sandbox clock). */
interface LocalAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The clock-control surface: the service clock and the timers that run against it. */
export interface Sandbox {
  readonly clock: { now(): Date; advance(seconds: number): unknown };
  /** Resolves once every timer due at the clock's current time has run. */
  runDue(): Promise<void>;
}

export interface StaticRoute {
  /** URL prefix without a trailing slash, e.g. "/console". */
  readonly prefix: string;
  /** Directory whose files are served under the prefix; it must hold index.html. */
  readonly dir: string;
}

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  /** @default 1 MiB */
  readonly bodyLimit?: number;
  /** Enables /__sandbox/clock; without it those paths are 404. */
  readonly sandbox?: Sandbox;
  readonly staticRoutes?: readonly StaticRoute[];
  /** One line per unexpected failure; never request bodies. @default stderr */
  readonly log?: (line: string) => void;
  /** Who may use /__sandbox/*: the API's authenticator (SigV4 in enforce mode). @default any caller */
  readonly authenticate?: Authenticator;
  /** Host names accepted besides the bound address and the loopback names: `name` or `name:port`. */
  readonly allowedHosts?: readonly string[];
  /** Told about every API call (and every refused request) once it is answered; never sees a body. */
  readonly onRequest?: (record: RequestRecord) => void;
}

/** What the request log shows of one answered request. */
export interface RequestRecord {
  readonly requestId: string;
  /** The KMS action (X-Amz-Target without `TrentService.`), else the method and path. */
  readonly what: string;
  /** The key the call named (key ID, ARN or alias) or, for CreateKey, created. */
  readonly keyRef?: string;
  readonly status: number;
  /** `__type` of an error answer. */
  readonly error?: string;
  readonly durationMs: number;
}

export interface RunningServer {
  readonly server: Server;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** e.g. http://127.0.0.1:4599 */
  readonly endpoint: string;
  /**
   * Stops accepting connections and ends idle ones; requests already running finish, and their
   * connections close once answered. Resolves when every connection is gone; after `graceMs` the
   * connections still open are cut (`cut` is then the number of requests that had no answer yet).
   */
  close(graceMs?: number): Promise<{ cut: number }>;
}

/** How long close() waits for running requests by default. */
export const DEFAULT_CLOSE_GRACE_MS = 30_000;

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** A body this far over the limit is not drained any more: the connection is dropped. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export function serveLocally(api: LocalApi, options: ServeOptions): Promise<RunningServer> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const routes = (options.staticRoutes ?? []).map((r) => {
    const prefix = r.prefix.replace(/\/+$/, '');
    return { prefix, under: `${prefix}/`, dir: resolve(r.dir) };
  });
  let clockQueue: Promise<unknown> = Promise.resolve();

  let acceptsHost: ((host: string | undefined, localAddress: string | undefined) => boolean) | undefined;
  const authenticate = options.authenticate ?? openAuthenticator;
  const report = options.onRequest;
  const { front } = api;

  /** Answers without the KMS front (a refusal, the sandbox clock), logged by method and path. */
  const answerLocally = (req: IncomingMessage, res: ServerResponse, path: string, result: LocalAnswer, requestId: string, started: bigint): void => {
    req.resume();
    sendAnswer(res, result);
    report?.({ requestId, what: `${req.method ?? 'GET'} ${printable(path)}`, status: result.statusCode, error: errorTypeOf(result), durationMs: msSince(started) });
  };

  // On every request's path: no closure made per request, no clock read unless a request log listens.
  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const started = report === undefined ? 0n : process.hrtime.bigint();
      const requestId = randomUUID();
      // Not `new URL()`: a target like `//` or `//console/` would parse as a host name, not a path.
      const target = req.url ?? '/';
      const queryAt = target.indexOf('?');
      const path = queryAt < 0 ? target : target.slice(0, queryAt);
      const method = req.method ?? 'GET';

      if (!acceptsHost?.(req.headers.host, req.socket.localAddress)) {
        return answerLocally(req, res, path, hostRefused(req.headers.host, requestId), requestId, started);
      }

      if (path === '/health' && (method === 'GET' || method === 'HEAD')) {
        req.resume();
        return sendJson(res, 200, { status: 'ok' });
      }

      if (path === '/__sandbox/clock') {
        return answerLocally(req, res, path, await sandboxClock(req, path, method, requestId), requestId, started);
      }

      if (method === 'GET' || method === 'HEAD') {
        for (const route of routes) {
          if (path === route.prefix || path.startsWith(route.under)) {
            req.resume();
            return await serveStatic(route, path, method, queryAt < 0 ? '' : target.slice(queryAt), res);
          }
        }
      }

      const body = await readBody(req, bodyLimit);
      if (body === 'too-large') return answerLocally(req, res, path, tooLarge(requestId, bodyLimit), requestId, started);
      const headers = apiHeaders(req);
      const reply = await front
        .exchange({
          method,
          path,
          query: queryAt < 0 ? '' : target.slice(queryAt + 1),
          headers,
          body,
          requestId,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        })
        .answer();
      sendAnswer(res, reply);
      report?.(apiRecord(requestId, headers, `${method} ${printable(path)}`, reply, started));
    } catch (err) {
      failed(res, err);
    }
  };

  /** A request the fast path recognized (fast-path.ts, D152): POST with its body read; the same checks and front as onRequest. */
  const onFastRequest = async (request: RecognizedRequest, socket: Socket): Promise<FastAnswer> => {
    const started = report === undefined ? 0n : process.hrtime.bigint();
    const requestId = randomUUID();
    const { target, headers, body } = request;
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    if (!acceptsHost?.(headers.host, socket.localAddress)) {
      const refused = hostRefused(headers.host, requestId);
      report?.({ requestId, what: `POST ${printable(path)}`, status: refused.statusCode, error: errorTypeOf(refused), durationMs: msSince(started) });
      return refused;
    }
    const reply = await front
      .exchange({ method: 'POST', path, query: queryAt < 0 ? '' : target.slice(queryAt + 1), headers, body, requestId, sourceIp: socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' })
      .answer();
    report?.(apiRecord(requestId, headers, `POST ${printable(path)}`, reply, started));
    return reply;
  };

  /** What escaped a fast-path request: logged, answered 500 as `failed` answers it. */
  const fastFailed = (err: unknown): FastAnswer => {
    log(JSON.stringify({ level: 'ERROR', message: 'local server request failed', error: describe(err) }));
    const body = JSON.stringify(INTERNAL_ERROR);
    return { statusCode: 500, headers: { 'content-type': KMS_CONTENT_TYPE, 'content-length': String(body.length), [REQUEST_ID_HEADER]: randomUUID() }, body };
  };

  /** What escaped a request: a client gone away ends its connection; anything else is logged and answered 500. */
  const failed = (res: ServerResponse, err: unknown): void => {
    if (err instanceof RequestAborted) {
      res.destroy();
      return;
    }
    log(JSON.stringify({ level: 'ERROR', message: 'local server request failed', error: describe(err) }));
    if (!res.headersSent) {
      sendJson(res, 500, INTERNAL_ERROR, {
        'content-type': KMS_CONTENT_TYPE,
      });
    } else {
      res.destroy();
    }
  };

  /** GET/POST /__sandbox/clock, behind the checks of design decision 13 (D22). */
  const sandboxClock = async (req: IncomingMessage, path: string, method: string, requestId: string): Promise<LocalAnswer> => {
    const sandbox = options.sandbox;
    const fail = (status: number, type: string, message: string) => {
      req.resume();
      return errorResponse(status, type, message, requestId);
    };
    if (!sandbox) return fail(404, 'UnknownOperationException', 'Clock control is off (start with --clock-control).');
    if (method !== 'GET' && method !== 'POST') {
      const refused = fail(405, 'UnknownOperationException', 'Use GET or POST.');
      return { ...refused, headers: { ...refused.headers, allow: 'GET, POST' } };
    }
    // A page on another site can send a simple POST (a form, text/plain) to loopback: refuse it.
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${(req.headers.host ?? '').toLowerCase()}`) {
      return fail(403, 'AccessDeniedException', `Requests from another origin (${printable(origin)}) may not use ${path}.`);
    }
    if (method === 'POST' && !isJson(req.headers['content-type'])) {
      return fail(415, 'UnsupportedMediaTypeException', `POST ${path} needs Content-Type: application/json.`);
    }
    let body = '';
    if (method === 'POST') {
      const read = await readBody(req, bodyLimit);
      if (read === 'too-large') return tooLarge(requestId, bodyLimit);
      body = read;
    } else {
      req.resume();
    }
    try {
      await authenticate({ method, path, query: '', headers: lowerCaseHeaders(req), body });
    } catch (err) {
      if (!(err instanceof KmsError)) throw err;
      return errorResponse(err.fault === 'client' ? 400 : 500, err.type, err.message, requestId);
    }
    if (method === 'GET') return jsonResult(200, { now: epochSeconds(sandbox.clock.now()) }, requestId);
    const advance = parseAdvance(body);
    if (typeof advance === 'string') return errorResponse(400, 'ValidationException', advance, requestId);
    // One advance at a time: each answer reflects every timer its own advance made due.
    const done = clockQueue.then(async () => {
      sandbox.clock.advance(advance);
      await sandbox.runDue();
      return epochSeconds(sandbox.clock.now());
    });
    clockQueue = done.catch(() => undefined);
    return jsonResult(200, { now: await done }, requestId);
  };

  // While closing, every answer ends its connection, and a connection that turns idle is closed.
  let closing = false;
  const open = new Set<ServerResponse>();
  function closed(this: ServerResponse): void {
    open.delete(this);
    if (closing) setImmediate(() => server.closeIdleConnections());
  }
  const server = createServer((req, res) => {
    open.add(res);
    if (closing) res.shouldKeepAlive = false;
    res.on('close', closed);
    void onRequest(req, res);
  });
  // SDK clients keep connections alive and reuse them after idle gaps. Node closes idle ones after 5 s,
  // which races a client's next request ("socket hang up"); keep them longer, as AWS endpoints do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  // The server's connections reach node:http only once the fast path does not recognize a request (D152).
  const fast = takeConnections(server, { bodyLimit, answer: onFastRequest, failed: fastFailed });

  return new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      const port = (server.address() as AddressInfo).port;
      acceptsHost = hostPolicy({ boundHost: options.host, port, allowedHosts: options.allowedHosts });
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolveListen({
        server,
        port,
        endpoint: `http://${host}:${port}`,
        close: (graceMs = DEFAULT_CLOSE_GRACE_MS) =>
          new Promise<{ cut: number }>((done) => {
            closing = true;
            for (const res of open) if (!res.headersSent) res.shouldKeepAlive = false;
            fast.closing();
            let cut = 0;
            const deadline = setTimeout(() => {
              cut = open.size + fast.running();
              server.closeAllConnections();
              fast.cutAll();
            }, graceMs);
            deadline.unref();
            server.close(() => {
              clearTimeout(deadline);
              done({ cut });
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}

const INTERNAL_ERROR = { __type: 'KMSInternalException', message: 'An internal error occurred. Try again later.' };

function hostRefused(host: string | undefined, requestId: string): LocalAnswer {
  const named = host === undefined ? 'no Host header' : `Host '${printable(host)}'`;
  return errorResponse(403, 'AccessDeniedException', `${named} does not name this server; allow other names with --allow-host (KMS_ALLOWED_HOSTS).`, requestId);
}

/** The request log's record of an API call the front answered. */
function apiRecord(requestId: string, headers: Readonly<Record<string, string>>, methodAndPath: string, reply: KmsHttpAnswer, started: bigint): RequestRecord {
  return {
    requestId,
    what: actionOf(headers['x-amz-target']) ?? methodAndPath,
    ...(reply.keyRef !== undefined && { keyRef: reply.keyRef }),
    status: reply.statusCode,
    error: reply.errorType,
    durationMs: msSince(started),
  };
}

/** A string body, written with the head in one go; the head as name, value, name, value… (no copy of the headers object). */
function sendAnswer(res: ServerResponse, answer: LocalAnswer): void {
  const { headers, body } = answer;
  const head: string[] = [];
  for (const name in headers) head.push(name, headers[name] as string);
  head.push('content-length', String(Buffer.byteLength(body)));
  res.writeHead(answer.statusCode, head);
  res.end(body);
}

/** JSON answers of the local-only routes; they carry a request id too, like every KMS API answer. */
function sendJson(res: ServerResponse, status: number, payload: unknown, extraHeaders: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(payload));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), [REQUEST_ID_HEADER]: randomUUID(), ...extraHeaders });
  res.end(body);
}

function tooLarge(requestId: string, limit: number): LocalAnswer {
  const result = errorResponse(413, 'RequestEntityTooLargeException', `Request body is larger than the limit of ${limit} bytes.`, requestId);
  return { ...result, headers: { ...result.headers, connection: 'close' } };
}

function jsonResult(statusCode: number, payload: unknown, requestId: string): LocalAnswer {
  return { statusCode, headers: { 'content-type': 'application/json', [REQUEST_ID_HEADER]: requestId }, body: JSON.stringify(payload) };
}

/** Header names are lower case in node:http; repeated headers are joined with ",". */
function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/**
 * The headers the API sees: without the cookies, as API Gateway passes them (apart from the headers).
 * node:http's own object when it holds neither a cookie nor a repeated Set-Cookie (what clients send):
 * nothing to copy.
 */
function apiHeaders(req: IncomingMessage): Readonly<Record<string, string>> {
  const { headers } = req;
  for (const name in headers) {
    if (name === 'cookie' || typeof headers[name] !== 'string') {
      const copy = lowerCaseHeaders(req);
      delete copy.cookie;
      return copy;
    }
  }
  return headers as Record<string, string>;
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

const TARGET_PREFIX = 'TrentService.';

/** The action an X-Amz-Target names, when it looks like one (the log never prints arbitrary header text). */
function actionOf(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith(TARGET_PREFIX)) return undefined;
  const action = target.slice(TARGET_PREFIX.length);
  return /^[A-Za-z0-9]{1,64}$/.test(action) ? action : undefined;
}

/** `__type` of an error answer the server gave itself. */
function errorTypeOf(result: LocalAnswer): string | undefined {
  if (result.statusCode < 400 || !result.body) return undefined;
  try {
    const type = (JSON.parse(result.body) as { __type?: unknown }).__type;
    return typeof type === 'string' && type !== '' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** Request text fit for a log line or a message: printable ASCII only, at most 128 characters. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 128 ? `${clean.slice(0, 128)}...` : clean;
}

function msSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Reads the whole body and decodes it as UTF-8, or — past `limit` — keeps reading without storing so
 * that the client sees the 413 instead of a reset connection (up to DRAIN_LIMIT, beyond which the
 * socket is dropped). A body that came in one chunk (any small one) is decoded without a copy.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DRAIN_LIMIT) req.destroy();
    });
    req.on('end', () => {
      if (size > limit) done('too-large');
      else done(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', fail);
    req.on('close', () => {
      if (!req.complete) fail(new RequestAborted());
    });
  });
}

/** The client went away (or sent far too much) before the body was complete: nothing to answer. */
class RequestAborted extends Error {
  constructor() {
    super('request aborted');
    this.name = 'RequestAborted';
  }
}

function parseAdvance(text: string): number | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'The body must be JSON: {"advanceSeconds": <number of seconds, at least 0>}.';
  }
  const seconds = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).advanceSeconds : undefined;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    return 'advanceSeconds must be a number of seconds, at least 0.';
  }
  return seconds;
}

async function serveStatic(route: { prefix: string; dir: string }, path: string, method: string, search: string, res: ServerResponse): Promise<void> {
  const found = resolveStaticFile(route.dir, route.prefix, path);
  switch (found.kind) {
    case 'add-slash':
      res.writeHead(301, { location: `${route.prefix}/${search}`, 'content-length': '0' });
      res.end();
      return;
    case 'bad-request':
      return sendText(res, 400, 'Bad Request');
    case 'not-found':
      return sendText(res, 404, found.reason === 'no-index' ? `Not Found (nothing is built in ${route.dir})` : 'Not Found');
    case 'file':
      break;
  }
  const size = (await stat(found.file)).size;
  res.writeHead(200, { ...staticFileHeaders(found), 'content-length': String(size) });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(found.file);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', () => done());
    stream.pipe(res);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function describe(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { name: error.name, stack: error.stack } : { name: typeof error };
}
