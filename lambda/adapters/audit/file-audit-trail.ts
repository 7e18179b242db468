/**
 * The embedded mode's audit trail (D104): append-only JSON-lines files in `<dataDir>/audit/`, one
 * per UTC day of the events' time (`2026-01-05.jsonl`, mode 0600).
 *
 * Durability matches the key store's: an append resolves once its line was handed to the operating
 * system (no fsync), so it survives the process being killed (`kill -9`), not necessarily a power
 * loss. Appends arriving together are written as one batch (one write call), so a busy server pays
 * one system call per batch, not per request. Reads parse each day file once and then only what
 * was appended since (the files only grow); day files older than the 90-day retention are deleted.
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readSync, statSync, unlinkSync } from 'node:fs';
import { appendFile, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuditEvent, RETENTION_DAYS } from '../../core/audit/cloudtrail-event';
import type { Scope } from '../../core/model/key';
import type { AuditPosition, AuditTrail } from '../../core/ports';
import { checkPosition, entryOf, fromStoredFields, positionOf, positionRange, scopeKey, type StoredFields, toStoredFields } from './entry-codec';

const DAY_MS = 86_400_000;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
/** Day files whose parsed entries are kept in memory (the most recently read). */
const CACHED_DAYS = 4;

interface Line extends StoredFields {
  /** scopeKey of the entry */
  readonly sc: string;
  /** the CloudTrail event, as a JSON string */
  readonly e: string;
}

interface ParsedDay {
  /** Bytes of the file parsed so far (always just after a newline). */
  offset: number;
  /** Sorted by position, ascending. */
  readonly lines: { readonly position: string; readonly line: Line }[];
}

export interface FileAuditTrailOptions {
  /** The service clock: retention is judged against it. */
  readonly now: () => Date;
}

export class FileAuditTrail implements AuditTrail {
  private readonly dir: string;
  private queue: { readonly day: string; readonly text: string; readonly settle: (err?: unknown) => void }[] = [];
  private writing = false;
  private readonly parsed = new Map<string, ParsedDay>();
  private readonly loading = new Map<string, Promise<ParsedDay>>();
  private lastPruneDay = '';

  /** Opens (and creates) `<dataDir>/audit`; mends a last line a crash left without its newline. */
  constructor(dataDir: string, private readonly options: FileAuditTrailOptions) {
    this.dir = join(dataDir, 'audit');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.dir)) {
      if (!DAY_FILE.test(name)) continue;
      const path = join(this.dir, name);
      const size = statSync(path).size;
      if (size > 0 && lastByte(path, size) !== 0x0a) appendFileSync(path, '\n');
    }
    this.prune();
  }

  append(event: AuditEvent): Promise<void> {
    const entry = entryOf(event);
    const line: Line = { sc: scopeKey(entry.scope), ...toStoredFields(entry), e: entry.cloudTrailEvent };
    return new Promise((resolve, reject) => {
      this.queue.push({ day: dayOf(entry.eventTime), text: `${JSON.stringify(line)}\n`, settle: (err) => (err ? reject(err) : resolve()) });
      if (!this.writing) void this.drain();
    });
  }

  async *read(scope: Scope, range: { readonly from: Date; readonly to: Date; readonly after?: AuditPosition }) {
    const key = scopeKey(scope);
    const { low, high } = positionRange(range.from, range.to);
    const before = range.after === undefined ? high : checkPosition(range.after);
    const days = this.days().filter((d) => d >= dayOf(range.from) && d <= dayOf(range.to)).sort().reverse();
    for (const day of days) {
      const { lines } = await this.load(day);
      for (let i = lines.length - 1; i >= 0; i--) {
        const { position, line } = lines[i]!;
        if (position > high || position >= before) continue;
        if (position < low) break;
        if (line.sc === key) yield { entry: fromStoredFields(scope, line, line.e), position };
      }
    }
  }

  /** Writes everything queued, one appendFile per day file per batch, until the queue is empty. */
  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const byDay = new Map<string, typeof batch>();
        for (const item of batch) byDay.set(item.day, [...(byDay.get(item.day) ?? []), item]);
        for (const [day, items] of byDay) {
          try {
            await appendFile(join(this.dir, `${day}.jsonl`), items.map((i) => i.text).join(''), { mode: 0o600 });
            for (const item of items) item.settle();
          } catch (err) {
            for (const item of items) item.settle(err);
          }
        }
        this.prune();
      }
    } finally {
      this.writing = false;
    }
  }

  private days(): string[] {
    return readdirSync(this.dir).flatMap((name) => DAY_FILE.exec(name)?.[1] ?? []);
  }

  /** The day's lines, parsing only what was appended since the last read; one load per day at a time. */
  private load(day: string): Promise<ParsedDay> {
    const previous = this.loading.get(day) ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(() => this.loadNow(day));
    this.loading.set(day, next);
    void next.finally(() => {
      if (this.loading.get(day) === next) this.loading.delete(day);
    }).catch(() => undefined);
    return next;
  }

  private async loadNow(day: string): Promise<ParsedDay> {
    const path = join(this.dir, `${day}.jsonl`);
    const parsed = this.parsed.get(day) ?? { offset: 0, lines: [] };
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    if (size > parsed.offset) {
      const text = await readSlice(path, parsed.offset, size);
      const end = text.lastIndexOf('\n') + 1; // a line still being written is read next time
      for (const raw of text.slice(0, end).split('\n')) {
        if (!raw) continue;
        let line: Line;
        try {
          line = JSON.parse(raw) as Line;
        } catch {
          continue; // a line torn by a crash (mended at start): skip it
        }
        insertSorted(parsed.lines, { position: positionOf(new Date(line.t), line.id), line });
      }
      parsed.offset += Buffer.byteLength(text.slice(0, end));
    }
    this.parsed.delete(day); // re-inserted: Map order is recency
    this.parsed.set(day, parsed);
    while (this.parsed.size > CACHED_DAYS) this.parsed.delete(this.parsed.keys().next().value as string);
    return parsed;
  }

  /** Deletes day files entirely outside the retention window (checked once per day of the clock). */
  private prune(): void {
    const today = dayOf(this.options.now());
    if (today === this.lastPruneDay) return;
    this.lastPruneDay = today;
    const oldest = dayOf(new Date(this.options.now().getTime() - (RETENTION_DAYS + 1) * DAY_MS));
    for (const day of this.days()) {
      if (day < oldest) {
        unlinkSync(join(this.dir, `${day}.jsonl`));
        this.parsed.delete(day);
      }
    }
  }
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Appends usually arrive in time order: insert from the end. */
function insertSorted(lines: { position: string; line: Line }[], item: { position: string; line: Line }): void {
  let i = lines.length;
  while (i > 0 && lines[i - 1]!.position > item.position) i--;
  lines.splice(i, 0, item);
}

async function readSlice(path: string, start: number, end: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}

function lastByte(path: string, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1);
    readSync(fd, buffer, 0, 1, size - 1);
    return buffer[0]!;
  } finally {
    closeSync(fd);
  }
}
