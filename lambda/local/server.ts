/**
 * The embedded mode's HTTP front (design decision 7): a node:http server that turns each request
 * into an API Gateway HTTP API (payload 2.0) event for the same handler Lambda runs, plus the few
 * routes only the local server has:
 *
 *   GET  /health            200 {"status":"ok"} (the server listens only once the service is ready)
 *   GET  /__sandbox/clock   {"now": <epoch seconds>}                      (clock control only)
 *   POST /__sandbox/clock   {"advanceSeconds": n} → moves the clock, runs due timers, {"now": …}
 *   GET  <prefix>/…         static files (e.g. the console at /console), chosen as the console
 *                           function chooses them (lambda/adapters/static/static-files.ts)
 *
 * Bodies above `bodyLimit` are answered 413 without reaching the handler. The server never crashes
 * on a request: whatever escapes the handler becomes a 500 KMSInternalException.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { KMS_CONTENT_TYPE, REQUEST_ID_HEADER } from '../adapters/kms-json/middleware';
import { resolveStaticFile, staticFileHeaders } from '../adapters/static/static-files';

export type ProxyHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

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
}

export interface RunningServer {
  readonly server: Server;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** e.g. http://127.0.0.1:4599 */
  readonly endpoint: string;
  /** Stops accepting connections, ends idle ones, and resolves when the server is closed. */
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** A body this far over the limit is not drained any more: the connection is dropped. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export function serveLocally(handler: ProxyHandler, options: ServeOptions): Promise<RunningServer> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const routes = (options.staticRoutes ?? []).map((r) => ({ prefix: r.prefix.replace(/\/+$/, ''), dir: resolve(r.dir) }));
  let clockQueue: Promise<unknown> = Promise.resolve();

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (path === '/health' && (method === 'GET' || method === 'HEAD')) {
      req.resume();
      return sendJson(res, 200, { status: 'ok' });
    }

    if (path === '/__sandbox/clock') {
      const sandbox = options.sandbox;
      if (!sandbox) {
        req.resume();
        return sendJson(res, 404, { message: 'Clock control is off (start with --clock-control).' });
      }
      if (method === 'GET') {
        req.resume();
        return sendJson(res, 200, { now: epochSeconds(sandbox.clock.now()) });
      }
      if (method === 'POST') {
        const body = await readBody(req, bodyLimit);
        if (body === 'too-large') return tooLarge(res, requestId, bodyLimit);
        const advance = parseAdvance(body.toString('utf8'));
        if (typeof advance === 'string') return sendJson(res, 400, { message: advance });
        // One advance at a time: each answer reflects every timer its own advance made due.
        const done = clockQueue.then(async () => {
          sandbox.clock.advance(advance);
          await sandbox.runDue();
          return epochSeconds(sandbox.clock.now());
        });
        clockQueue = done.catch(() => undefined);
        return sendJson(res, 200, { now: await done });
      }
      req.resume();
      return sendJson(res, 405, { message: 'Use GET or POST.' }, { allow: 'GET, POST' });
    }

    const route = routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
    if (route && (method === 'GET' || method === 'HEAD')) {
      req.resume();
      return serveStatic(route, path, method, url.search, res);
    }

    const body = await readBody(req, bodyLimit);
    if (body === 'too-large') return tooLarge(res, requestId, bodyLimit);
    const result = await handler(toEvent(req, url, body, requestId), toContext(requestId));
    sendResult(res, result);
  };

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (err instanceof RequestAborted) {
        res.destroy();
        return;
      }
      log(JSON.stringify({ level: 'ERROR', message: 'local server request failed', error: describe(err) }));
      if (!res.headersSent) {
        sendJson(res, 500, { __type: 'KMSInternalException', message: 'An internal error occurred. Try again later.' }, {
          'content-type': KMS_CONTENT_TYPE,
        });
      } else {
        res.destroy();
      }
    });
  });
  // SDK clients keep connections alive and reuse them after idle gaps. Node closes idle ones after 5 s,
  // which races a client's next request ("socket hang up"); keep them longer, as AWS endpoints do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  return new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      const port = (server.address() as AddressInfo).port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolveListen({
        server,
        port,
        endpoint: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            // Requests still running get a moment to answer; then their connections are cut.
            setTimeout(() => server.closeAllConnections(), 2_000).unref();
          }),
      });
    });
  });
}

/** The event API Gateway HTTP API builds (payload format 2.0), for the fields the handler reads. */
function toEvent(req: IncomingMessage, url: URL, body: Buffer, requestId: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    cookies: req.headers.cookie ? req.headers.cookie.split(/;\s*/) : undefined,
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: req.headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    // Base64 keeps the bytes exactly as received, as API Gateway does for binary bodies.
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

/** No getRemainingTimeInMillis: middy then sets no early timeout (the local server has none). */
function toContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'byok-kms-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:byok-kms-local',
    memoryLimitInMB: '0',
    logGroupName: 'local',
    logStreamName: 'local',
  } as Context;
}

function sendResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}

/** JSON answers of the local-only routes; they carry a request id too, like every KMS API answer. */
function sendJson(res: ServerResponse, status: number, payload: unknown, extraHeaders: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(payload));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), [REQUEST_ID_HEADER]: randomUUID(), ...extraHeaders });
  res.end(body);
}

function tooLarge(res: ServerResponse, requestId: string, limit: number): void {
  sendJson(
    res,
    413,
    { __type: 'RequestEntityTooLargeException', message: `Request body is larger than the limit of ${limit} bytes.` },
    { 'content-type': KMS_CONTENT_TYPE, [REQUEST_ID_HEADER]: requestId, connection: 'close' },
  );
}

/**
 * Reads the whole body, or — past `limit` — keeps reading without storing so that the client sees
 * the 413 instead of a reset connection (up to DRAIN_LIMIT, beyond which the socket is dropped).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DRAIN_LIMIT) req.destroy();
    });
    req.on('end', () => done(size > limit ? 'too-large' : Buffer.concat(chunks)));
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
