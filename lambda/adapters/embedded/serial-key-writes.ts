/**
 * The embedded mode's KeyWrites (design decision 10): this process is the only writer of its store
 * (the LevelDB lock admits one), so the read-modify-writes of one key simply run one after another,
 * in arrival order, and no conditional write of one caller can lose to another's. Different keys
 * still change in parallel. `inner` (the deployed runtime's retry policy) stays behind the queue as a
 * safety net; nothing in this process is expected to reach it.
 *
 * An attempt must not change the same key again from inside itself: it would wait for itself.
 */
import type { KeyWrites } from '../../core/ports';

export class SerialKeyWrites implements KeyWrites {
  /** Per key: the end of its queue (never rejects). A key leaves the map when its queue drains. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly inner: KeyWrites) {}

  run<T>(lock: string | null, attempt: () => Promise<T>): Promise<T> {
    if (lock === null) return this.inner.run(null, attempt); // a key being created: nobody else knows it yet
    const previous = this.tails.get(lock) ?? Promise.resolve();
    const result = previous.then(() => this.inner.run(lock, attempt));
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(lock, tail);
    void tail.then(() => {
      if (this.tails.get(lock) === tail) this.tails.delete(lock);
    });
    return result;
  }

  /** Keys with a change running or queued (for tests). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
