/**
 * An SDK request handler that hands each DynamoDB request straight to dynalite's request listener
 * in this process: the same requests and responses as over loopback HTTP, without two HTTP stacks
 * and a socket per call (about half the cost of every key read in embedded mode).
 *
 * It fakes only what dynalite's handler uses: on the request `method`, `url`, `headers`, the
 * 'data'/'end' events and `removeAllListeners`; on the response `statusCode`, `setHeader` and
 * `end`. test/contract/dynalite-key-store.test.ts runs the KeyStore contract over it and, for
 * reference, over loopback HTTP to a dynalite the test itself makes listen.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequest, HttpResponse } from '@smithy/types';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Lets requests run side by side, except while an exclusive section runs: that one waits for the
 * requests in flight to finish and holds new ones until it is done (dynalite's purge, D32).
 */
export class ExclusiveGate {
  private active = 0;
  private section: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  /** `onIdle` runs each time the last request in flight has finished. */
  constructor(private readonly onIdle?: () => void) {}

  /** Resolves when the request may start; call `leave` once it has its response. */
  async enter(): Promise<void> {
    while (this.section) await this.section;
    this.active++;
  }

  leave(): void {
    this.active--;
    if (this.active > 0) return;
    this.onIdle?.();
    this.drained?.();
  }

  async runExclusive<T>(section: () => Promise<T>): Promise<T> {
    while (this.section) await this.section;
    let release!: () => void;
    this.section = new Promise((resolve) => (release = resolve));
    try {
      if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await section();
    } finally {
      this.section = undefined;
      release();
    }
  }
}

export class InProcessHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(
    private readonly listener: RequestListener,
    private readonly gate?: ExclusiveGate,
  ) {}

  async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    if (!this.gate) return this.dispatch(request);
    await this.gate.enter();
    try {
      return await this.dispatch(request);
    } finally {
      this.gate.leave();
    }
  }

  private dispatch(request: HttpRequest): Promise<{ response: HttpResponse }> {
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
