import { describe, expect, test } from 'vitest';
import { SerialKeyWrites } from '../../../lambda/adapters/embedded/serial-key-writes';
import { StoreConflictError, ThrottlingException } from '../../../lambda/core/errors';
import { retryingKeyWrites, THROTTLED_MESSAGE } from '../../../lambda/core/key-writes';
import type { KeyWrites } from '../../../lambda/core/ports';

/** Random bytes that read as the largest 32-bit value: every jitter is the top of its range. */
const topJitter = (n: number) => new Uint8Array(n).fill(0xff);

function recordingPolicy(options: { attempts?: number } = {}) {
  const sleeps: number[] = [];
  const log: string[] = [];
  const writes = retryingKeyWrites(
    {
      sleep: async (ms) => void sleeps.push(ms),
      random: topJitter,
      log: {
        retrying: (e) => log.push(`retrying ${e.lock} after attempt ${e.attempt}`),
        gaveUp: (e) => log.push(`gave up ${e.lock} after ${e.attempts}`),
      },
    },
    { baseDelayMs: 10, maxDelayMs: 100, ...options },
  );
  return { writes, sleeps, log };
}

/** An attempt that loses `conflicts` races, then answers 'written'. */
function losing(conflicts: number) {
  let calls = 0;
  const attempt = async () => {
    calls++;
    if (calls <= conflicts) throw new StoreConflictError('k');
    return 'written';
  };
  return { attempt, calls: () => calls };
}

describe('retryingKeyWrites (deployed runtime)', () => {
  test('retries a lost race after a backoff that doubles up to the cap, and returns the winning attempt', async () => {
    // GIVEN
    const { writes, sleeps, log } = recordingPolicy();
    const { attempt, calls } = losing(5);
    // WHEN
    const out = await writes.run('arn:k', attempt);
    // THEN
    expect(out).toBe('written');
    expect(calls()).toBe(6);
    expect(sleeps).toEqual([9, 19, 39, 79, 99]); // full jitter at its top: just under 10·2^n, capped at 100
    expect(log).toEqual([1, 2, 3, 4, 5].map((n) => `retrying arn:k after attempt ${n}`));
  });

  test('draws every delay at random between zero and its bound', async () => {
    const sleeps: number[] = [];
    const writes = retryingKeyWrites({ sleep: async (ms) => void sleeps.push(ms), random: (n) => new Uint8Array(n) }, { baseDelayMs: 10 });
    await writes.run('arn:k', losing(3).attempt);
    expect(sleeps).toEqual([0, 0, 0]);
  });

  test('fails with ThrottlingException, AWS text, after the last attempt loses, and logs it as given up', async () => {
    // GIVEN
    const { writes, log } = recordingPolicy({ attempts: 4 });
    const { attempt, calls } = losing(Number.POSITIVE_INFINITY);
    // WHEN
    const err = await writes.run('arn:k', attempt).catch((e: unknown) => e);
    // THEN
    expect(err).toBeInstanceOf(ThrottlingException);
    expect(err).toMatchObject({ type: 'ThrottlingException', fault: 'client', message: THROTTLED_MESSAGE });
    expect(calls()).toBe(4);
    expect(log.at(-1)).toBe('gave up arn:k after 4');
  });

  test('passes any other error through at once', async () => {
    const { writes, sleeps } = recordingPolicy();
    let calls = 0;
    const err = await writes.run('arn:k', async () => {
      calls++;
      throw new RangeError('not a conflict');
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

describe('SerialKeyWrites (embedded runtime)', () => {
  /** An inner policy that runs attempts once and records when each starts and ends. */
  function tracing() {
    const events: string[] = [];
    const inner: KeyWrites = { run: (_lock, attempt) => attempt() };
    const step = (name: string, gate: Promise<void>) => async () => {
      events.push(`start ${name}`);
      await gate;
      events.push(`end ${name}`);
      return name;
    };
    return { events, writes: new SerialKeyWrites(inner), step };
  }

  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  }

  test('runs the changes of one key one at a time, in arrival order', async () => {
    // GIVEN
    const { events, writes, step } = tracing();
    const first = gate();
    const second = gate();
    // WHEN
    const a = writes.run('arn:k', step('a', first.opened));
    const b = writes.run('arn:k', step('b', second.opened));
    await new Promise((r) => setImmediate(r));
    // THEN
    expect(events).toEqual(['start a']);
    second.open();
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(writes.busyKeys).toBe(0);
  });

  test('runs changes of different keys, and of keys being created, side by side', async () => {
    const { events, writes, step } = tracing();
    const hold = gate();
    const a = writes.run('arn:k1', step('a', hold.opened));
    const b = writes.run('arn:k2', step('b', hold.opened));
    const c = writes.run(null, step('c', hold.opened));
    await new Promise((r) => setImmediate(r));
    expect([...events].sort()).toEqual(['start a', 'start b', 'start c']);
    hold.open();
    await Promise.all([a, b, c]);
  });

  test('a failed change reports its error to its caller and lets the next one run', async () => {
    const { writes } = tracing();
    const failed = writes.run('arn:k', async () => {
      throw new RangeError('refused');
    });
    const next = writes.run('arn:k', async () => 'next');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('next');
  });
});

describe('retryingKeyWrites: its settings and the ThrottlingException it ends with', () => {
  test.each([0, -1, 1.5, Number.NaN])('attempts %s is refused when the policy is made', (attempts) => {
    expect(() => retryingKeyWrites({ sleep: async () => undefined, random: topJitter }, { attempts })).toThrow(new RangeError('attempts must be a positive integer'));
  });

  test('one attempt is allowed: a lost race then answers ThrottlingException at once, with the conflict as its cause', async () => {
    const { writes, sleeps } = recordingPolicy({ attempts: 1 });
    const err = await writes.run('k', losing(1).attempt).catch((e: unknown) => e);
    expect(err).toEqual(new ThrottlingException(THROTTLED_MESSAGE));
    expect((err as Error).cause).toBeInstanceOf(StoreConflictError);
    expect(sleeps).toEqual([]);
  });
});
