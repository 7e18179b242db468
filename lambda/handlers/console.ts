/**
 * The console function: serves the built web console (console/dist, copied into the bundle) for
 * API Gateway HTTP API payload 2.0 GET requests under /console, with the same file choice and
 * headers as the embedded server (lambda/adapters/static/static-files.ts).
 *
 * Each file is read once per container and kept; text files are gzipped once when the client
 * accepts it (API Gateway HTTP APIs do not compress). Binary and compressed bodies go out base64
 * encoded (isBase64Encoded), text as is. An ETag lets a revalidating browser get a 304.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type StaticFile, isCompressible, resolveStaticFile, staticFileHeaders } from '../adapters/static/static-files';

export interface ConsoleLogger {
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface ConsoleHandlerOptions {
  /** Directory holding the built console (index.html, assets/). */
  readonly assetsDir: string;
  /** URL prefix the console is served under, without a trailing slash. @default '/console' */
  readonly prefix?: string;
  /** Failures to read a file. @default stderr */
  readonly logger?: ConsoleLogger;
}

export type ConsoleHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Below this size gzip saves too little to be worth a base64 body. */
const MIN_COMPRESS_BYTES = 1024;

interface Loaded {
  readonly body: Buffer;
  readonly etag: string;
  gzipped?: Buffer;
}

export function makeConsoleHandler(options: ConsoleHandlerOptions): ConsoleHandler {
  const root = resolve(options.assetsDir);
  const prefix = (options.prefix ?? '/console').replace(/\/+$/, '');
  const logger = options.logger ?? { error: (message, attributes) => void process.stderr.write(`${JSON.stringify({ level: 'ERROR', message, ...attributes })}\n`) };
  const loaded = new Map<string, Promise<Loaded>>();

  const load = (file: string): Promise<Loaded> => {
    let entry = loaded.get(file);
    if (!entry) {
      entry = readFile(file).then((body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }));
      entry.catch(() => loaded.delete(file)); // a failed read is retried by the next request
      loaded.set(file, entry);
    }
    return entry;
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>().handler(async (event) => {
    const method = event.requestContext.http.method;
    if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed', { allow: 'GET, HEAD' });

    const resolution = resolveStaticFile(root, prefix, pathOf(event));
    switch (resolution.kind) {
      case 'add-slash':
        // Relative, so the redirect keeps whatever prefix the browser used (a stage, a custom-domain base path).
        return {
          statusCode: 301,
          headers: { location: `${prefix.slice(prefix.lastIndexOf('/') + 1)}/${event.rawQueryString ? `?${event.rawQueryString}` : ''}` },
          body: '',
        };
      case 'bad-request':
        return text(400, 'Bad Request');
      case 'not-found':
        return text(404, resolution.reason === 'no-index' ? 'Not Found (the console is not built into this function)' : 'Not Found');
      case 'file':
        break;
    }

    let file: Loaded;
    try {
      file = await load(resolution.file);
    } catch (err) {
      logger.error('console file unreadable', { file: resolution.relative, errorName: (err as Error).name });
      return text(500, 'Internal Server Error');
    }
    return answer(resolution, file, event, method === 'HEAD');
  });
}

function answer(resolution: StaticFile, file: Loaded, event: APIGatewayProxyEventV2, head: boolean): APIGatewayProxyStructuredResultV2 {
  const compressible = isCompressible(resolution.contentType);
  const gzip = compressible && file.body.length >= MIN_COMPRESS_BYTES && acceptsGzip(event);
  // Each representation has its own strong ETag: the gzipped bytes are not the plain ones.
  const etag = gzip ? `${file.etag.slice(0, -1)}-gz"` : file.etag;
  const headers: Record<string, string> = { ...staticFileHeaders(resolution), etag, ...(compressible ? { vary: 'accept-encoding' } : {}) };
  if (noneMatch(event, etag)) return { statusCode: 304, headers, body: '' };
  if (head) return { statusCode: 200, headers: gzip ? { ...headers, 'content-encoding': 'gzip' } : headers, body: '' };

  if (gzip) {
    file.gzipped ??= gzipSync(file.body, { level: 9 });
    return { statusCode: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: file.gzipped.toString('base64'), isBase64Encoded: true };
  }
  if (isText(resolution.contentType)) return { statusCode: 200, headers, body: file.body.toString('utf8'), isBase64Encoded: false };
  return { statusCode: 200, headers, body: file.body.toString('base64'), isBase64Encoded: true };
}

/** The path under the API's root: a named stage's `/<stage>` prefix is taken off (the `$default` stage has none). */
function pathOf(event: APIGatewayProxyEventV2): string {
  const { rawPath } = event;
  const stage = event.requestContext.stage;
  if (stage && stage !== '$default' && rawPath.startsWith(`/${stage}/`)) return rawPath.slice(stage.length + 1);
  return rawPath;
}

/** UTF-8 text goes out as is; everything else (images, fonts, wasm) base64 encoded. */
function isText(contentType: string): boolean {
  return contentType.includes('charset=utf-8') || contentType === 'image/svg+xml';
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function acceptsGzip(event: APIGatewayProxyEventV2): boolean {
  const accept = header(event, 'accept-encoding') ?? '';
  return accept.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

function noneMatch(event: APIGatewayProxyEventV2, etag: string): boolean {
  const value = header(event, 'if-none-match');
  if (!value) return false;
  return value.trim() === '*' || value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function text(statusCode: number, body: string, extra: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...extra },
    body,
  };
}
