/**
 * A DynamoDB client for the in-process dynalite: `send` hands a command's input, as DynamoDB JSON,
 * straight to dynalite's request listener in this process and decodes the answer as the SDK does,
 * with no SDK client, middleware stack, SigV4 signature or HTTP message in between (D146). dynalite
 * parses, validates and answers the request exactly as it does over HTTP: the same storage, the same
 * errors. It fakes only what dynalite's handler uses: on the request `method`, `url`, `headers`, the
 * 'data'/'end' events and `removeAllListeners`; on the response `statusCode`, `setHeader` and `end`.
 * test/contract/dynalite-key-store.test.ts runs the KeyStore contract over it and, for reference,
 * over loopback HTTP with the SDK's own client to a dynalite the test itself makes listen; and
 * test/contract/in-process-dynamo-client.test.ts compares the two answer for answer.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';

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

/** The commands the embedded service sends (key store, key table, credential store, audit trail), by class. */
const OPERATIONS = new Map<unknown, string>([
  [CreateTableCommand, 'CreateTable'],
  [DeleteItemCommand, 'DeleteItem'],
  [DescribeTableCommand, 'DescribeTable'],
  [GetItemCommand, 'GetItem'],
  [PutItemCommand, 'PutItem'],
  [QueryCommand, 'Query'],
  [ScanCommand, 'Scan'],
]);

/**
 * dynalite insists on the shape of a SigV4 request (it checks no signature): the caller is this
 * process, which dynalite trusts as a loopback client with dummy credentials.
 */
const HEADERS_OF_EVERY_REQUEST = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-date': '20000101T000000Z',
  authorization: 'AWS4-HMAC-SHA256 Credential=embedded/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
};

export class InProcessDynamoClient {
  constructor(
    private readonly listener: RequestListener,
    private readonly gate?: ExclusiveGate,
  ) {}

  /** Sends one command; resolves to its output as the SDK's client would, or rejects with the service error by name. */
  async send(command: { readonly input: object }): Promise<Record<string, unknown>> {
    const operation = OPERATIONS.get(command.constructor);
    if (operation === undefined) throw new TypeError(`the in-process DynamoDB client does not send ${command.constructor.name}`);
    const body = JSON.stringify(command.input, toDynamoJson);
    if (this.gate) await this.gate.enter();
    let answer: { statusCode: number; requestId: string; body: string };
    try {
      answer = await this.dispatch(operation, body);
    } finally {
      this.gate?.leave();
    }
    const output = (answer.body === '' ? {} : JSON.parse(answer.body, fromDynamoJson)) as Record<string, unknown>;
    const $metadata = { httpStatusCode: answer.statusCode, requestId: answer.requestId, attempts: 1, totalRetryDelay: 0 };
    if (answer.statusCode === 200) return { $metadata, ...output };
    const type = String(output.__type ?? 'UnknownError');
    const message = output.message ?? output.Message;
    throw Object.assign(new Error(typeof message === 'string' ? message : type), {
      name: type.slice(type.lastIndexOf('#') + 1),
      $fault: answer.statusCode >= 500 ? 'server' : 'client',
      $metadata,
    });
  }

  /** Nothing to release: no sockets, no timers. */
  destroy(): void {}

  private dispatch(operation: string, body: string): Promise<{ statusCode: number; requestId: string; body: string }> {
    return new Promise((resolve, reject) => {
      const req = Object.assign(new EventEmitter(), {
        method: 'POST',
        url: '/',
        headers: { ...HEADERS_OF_EVERY_REQUEST, 'x-amz-target': `DynamoDB_20120810.${operation}` },
      });
      const headers: Record<string, string> = {};
      const res = {
        statusCode: 200,
        setHeader(name: string, value: unknown) {
          headers[name.toLowerCase()] = String(value);
        },
        end(text?: string) {
          resolve({ statusCode: res.statusCode, requestId: headers['x-amzn-requestid'] ?? '', body: text ?? '' });
        },
      };
      try {
        this.listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        req.emit('data', Buffer.from(body, 'utf8'));
        req.emit('end');
      } catch (err) {
        reject(err);
      }
    });
  }
}

/** JSON.stringify's replacer: binary values (B, BS members) as base64, as the SDK sends them. */
function toDynamoJson(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key]; // before Buffer's toJSON
  return raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') : value;
}

/**
 * JSON.parse's reviver: what the SDK's deserializer turns into other types. `B` and `BS` are only
 * ever AttributeValue members (an attribute named B holds an object, never a string), and the
 * `…DateTime` members of a table description are epoch seconds, which the SDK makes Dates.
 */
function fromDynamoJson(key: string, value: unknown): unknown {
  if (key === 'B' && typeof value === 'string') return fromBase64(value);
  if (key === 'BS' && Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? fromBase64(item) : item));
  if (key.endsWith('DateTime') && typeof value === 'number') return new Date(value * 1000);
  return value;
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
