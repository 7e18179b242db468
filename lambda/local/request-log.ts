/**
 * The local server's request log (D28): one line per API call on stdout, so a user sees that a call
 * arrived and how it ended, without a body or a secret ever being printed:
 *
 *   2026-05-01T12:00:00.123Z CreateKey 200 3.1ms key=1234abcd-12ab-34cd-56ef-1234567890ab req=8f0c1a2b-…
 *   2026-05-01T12:00:00.456Z Decrypt 400 InvalidCiphertextException 1.2ms req=…
 *   2026-05-01T12:00:00.789Z POST /elsewhere 404 UnknownOperationException 0.3ms req=…
 *
 * Fields: time, action (or method and path), HTTP status, the error's `__type` when there is one,
 * duration, `key=` the key the call named (or created), `req=` the x-amzn-RequestId. Lines are plain
 * text and never contain `"`: the JSON lines of service events stay easy to tell apart.
 *
 * Lines are gathered and written once per turn of the event loop, not once per request: stdout is
 * written synchronously on Linux, and a burst of calls then costs one write.
 */
import type { RequestRecord } from './server';

export interface RequestLog {
  record(record: RequestRecord): void;
  /** Writes what is pending now (before the process exits). */
  flush(): void;
}

export function formatRequestLine(record: RequestRecord, at: Date): string {
  const parts = [at.toISOString(), clean(record.what, true), String(record.status)];
  if (record.error !== undefined) parts.push(clean(record.error));
  parts.push(`${record.durationMs.toFixed(1)}ms`);
  if (record.keyRef !== undefined) parts.push(`key=${clean(record.keyRef)}`);
  parts.push(`req=${record.requestId}`);
  return parts.join(' ');
}

/** A request log writing through `write` (e.g. stdout), batched per event-loop turn. */
export function createRequestLog(write: (text: string) => void, now: () => Date = () => new Date()): RequestLog {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    write(text);
  };
  return {
    record(record) {
      pending.push(formatRequestLine(record, now()));
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/**
 * Printable ASCII without `"` or `\` (and without spaces, unless `spaces`), at most 200 characters:
 * text from a request never adds a field, a line or a quote to the log.
 */
function clean(text: string, spaces = false): string {
  const printable = text.replace(spaces ? /[^\x20\x21\x23-\x5b\x5d-\x7e]/g : /[^\x21\x23-\x5b\x5d-\x7e]/g, '?');
  return printable.length > 200 ? `${printable.slice(0, 200)}...` : printable;
}
