/**
 * An SDK request handler that hands each DynamoDB request straight to dynalite's request listener
 * in this process: the same requests and responses as over loopback HTTP, without two HTTP stacks
 * and a socket per call (about half the cost of every key read in embedded mode).
 *
 * It fakes only what dynalite's handler uses: on the request `method`, `url`, `headers`, the
 * 'data'/'end' events and `removeAllListeners`; on the response `statusCode`, `setHeader` and
 * `end`. test/contract/dynalite-key-store.test.ts runs the KeyStore contract over both transports.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequest, HttpResponse } from '@smithy/types';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export class InProcessHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(private readonly listener: RequestListener) {}

  handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    return new Promise((resolve, reject) => {
      const req = Object.assign(new EventEmitter(), {
        method: request.method,
        url: pathWithQuery(request),
        headers: lowerCaseHeaders(request.headers),
      });
      const headers: Record<string, string> = {};
      const res = {
        statusCode: 200,
        setHeader(name: string, value: unknown) {
          headers[name.toLowerCase()] = String(value);
        },
        end(body?: string | Uint8Array) {
          const bytes = body === undefined ? new Uint8Array(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
          resolve({ response: { statusCode: res.statusCode, headers, body: bytes } });
        },
      };
      try {
        this.listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        const body = bodyBytes(request.body);
        if (body.length > 0) req.emit('data', body);
        req.emit('end');
      } catch (err) {
        reject(err);
      }
    });
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}

function pathWithQuery(request: HttpRequest): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, v ?? '');
  }
  const qs = query.toString();
  return qs ? `${request.path}?${qs}` : request.path;
}

function lowerCaseHeaders(headers: HttpRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // The SDK's JSON codec hands over a Uint8Array subclass; view its bytes without converting them.
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('unsupported request body for the in-process DynamoDB transport');
}
