/**
 * The embedded mode's Timers: one setTimeout per armed timer, against the service clock (which a
 * sandbox may move forward). Timers are hints (design decision 2): they are lost when the process
 * stops and re-armed from the store at the next start (`rearm`).
 *
 * Node fires any delay above 2^31−1 ms (about 24.8 days) at once, and a deletion window is up to
 * 30 days; so a long wait is cut into chunks, and each wake-up re-checks the clock before firing.
 * Handles are unref'd: an armed timer never keeps the process alive.
 */
import type { Clock, KeyStore, Timers } from '../../core/ports';
import { nextRotationDate } from '../../core/model/automatic-rotation';
import { deletionTimer, expiryTimer, rotationTimer, type Timer } from '../../core/timers/timer';

/** What to do when a timer is due; in the service, `(timer) => onTimerDue(deps, timer)`. */
export type TimerCallback = (timer: Timer) => Promise<unknown>;

/** A structured log line (no secrets: timer names, key ids and error names/messages only). */
export type TimerLog = (entry: Readonly<Record<string, unknown>>) => void;

export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface InProcessTimersOptions {
  /** Longest single setTimeout. @default 2^31−1 ms, Node's limit (tests lower it) */
  readonly maxDelayMs?: number;
  /** Wait before retrying a timer whose callback failed. @default 30 seconds */
  readonly retryDelayMs?: number;
  /** Attempts per timer before giving up until the next start. @default 3 */
  readonly maxAttempts?: number;
  /** @default one JSON line on stderr */
  readonly log?: TimerLog;
}

interface Entry {
  readonly timer: Timer;
  /** Epoch ms on the service clock: `timer.at`, or later for a retry. */
  readonly dueAt: number;
  readonly attempt: number;
  handle?: ReturnType<typeof setTimeout>;
}

const stderrLog: TimerLog = (entry) => void process.stderr.write(`${JSON.stringify(entry)}\n`);

export class InProcessTimers implements Timers {
  private readonly entries = new Map<string, Entry>();
  private readonly running = new Set<Promise<void>>();
  private readonly maxDelayMs: number;
  private readonly retryDelayMs: number;
  private readonly maxAttempts: number;
  private readonly log: TimerLog;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: TimerCallback,
    options: InProcessTimersOptions = {},
  ) {
    this.maxDelayMs = Math.min(Math.max(1, options.maxDelayMs ?? MAX_TIMEOUT_MS), MAX_TIMEOUT_MS);
    this.retryDelayMs = options.retryDelayMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.log = options.log ?? stderrLog;
  }

  /** Idempotent: a timer with the same name already armed is kept as it is. */
  async arm(timer: Timer): Promise<void> {
    if (this.closed || this.entries.has(timer.name)) return;
    this.add({ timer, dueAt: timer.at.getTime(), attempt: 1 });
  }

  /** Idempotent: an unknown, fired or already disarmed timer is not an error. */
  async disarm(timerName: string): Promise<void> {
    const entry = this.entries.get(timerName);
    if (!entry) return;
    clearTimeout(entry.handle);
    this.entries.delete(timerName);
  }

  /** Timers armed and not yet fired, soonest first. */
  pending(): readonly Timer[] {
    return [...this.entries.values()].sort((a, b) => a.dueAt - b.dueAt).map((e) => e.timer);
  }

  /**
   * Runs every timer that is due on the clock, in due order, and resolves once they (and any
   * callback already running) have completed. The remaining timers are re-aimed at the clock's
   * new time. Call it after moving a ControlledClock forward.
   */
  async runDue(): Promise<void> {
    // A callback may arm a timer that is already due: run those too, within reason.
    for (let pass = 0; pass < 100; pass++) {
      const now = this.clock.now().getTime();
      const due = [...this.entries.values()].filter((e) => e.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
      if (due.length === 0 && this.running.size === 0) break;
      for (const entry of due) await this.fire(entry);
      await Promise.all([...this.running]);
    }
    for (const entry of this.entries.values()) this.schedule(entry);
  }

  /**
   * Arms the timers the stored keys imply: a deletion timer for each key pending deletion, an expiry
   * timer for each imported material with a ValidTo, and a rotation timer for each key with automatic
   * rotation. Returns how many timers it armed.
   */
  async rearm(store: Pick<KeyStore, 'scanKeys'>): Promise<number> {
    const before = this.entries.size;
    for await (const key of store.scanKeys()) {
      if (key.state === 'PendingDeletion' && key.deletionDate) await this.arm(deletionTimer(key.scope, key.keyId, key.deletionDate));
      for (const m of key.materials) {
        if (m.importState === 'IMPORTED' && m.validTo) await this.arm(expiryTimer(key.scope, key.keyId, m.validTo));
      }
      if (key.automaticRotation) await this.arm(rotationTimer(key.scope, key.keyId, nextRotationDate(key.automaticRotation)));
    }
    return this.entries.size - before;
  }

  /** Disarms everything, refuses new timers, and waits for running callbacks to finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.entries.values()) clearTimeout(entry.handle);
    this.entries.clear();
    await Promise.allSettled([...this.running]);
  }

  private add(entry: Entry): void {
    this.entries.set(entry.timer.name, entry);
    this.schedule(entry);
  }

  private schedule(entry: Entry): void {
    clearTimeout(entry.handle);
    const delay = Math.min(Math.max(0, entry.dueAt - this.clock.now().getTime()), this.maxDelayMs);
    entry.handle = setTimeout(() => this.wake(entry), delay);
    entry.handle.unref();
  }

  private wake(entry: Entry): void {
    if (this.entries.get(entry.timer.name) !== entry) return; // disarmed or replaced meanwhile
    if (entry.dueAt <= this.clock.now().getTime()) void this.fire(entry);
    else this.schedule(entry); // one chunk of a long wait has passed
  }

  private fire(entry: Entry): Promise<void> {
    clearTimeout(entry.handle);
    this.entries.delete(entry.timer.name);
    const run: Promise<void> = this.invoke(entry).finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  /** Never rejects: a failing callback is logged and retried a few times, never crashes the process. */
  private async invoke(entry: Entry): Promise<void> {
    const { timer } = entry;
    try {
      await this.onDue(timer);
    } catch (err) {
      const retry = entry.attempt < this.maxAttempts && !this.closed;
      this.log({
        level: 'ERROR',
        message: retry ? 'timer callback failed; will retry' : 'timer callback failed; giving up until the next start',
        timer: timer.name,
        kind: timer.kind,
        keyId: timer.keyId,
        attempt: entry.attempt,
        error: describeError(err),
      });
      if (retry && !this.entries.has(timer.name)) {
        this.add({ timer, dueAt: this.clock.now().getTime() + this.retryDelayMs, attempt: entry.attempt + 1 });
      }
    }
  }
}

function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: typeof err, message: 'non-Error value thrown' };
}
