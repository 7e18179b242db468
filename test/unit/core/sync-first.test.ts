/** andThen (lambda/core/sync-first.ts): a value that is there goes on at once; any thenable is waited for. */
import { describe, expect, test } from 'vitest';
import { andThen } from '../../../lambda/core/sync-first';

/** A PromiseLike that is no native Promise, as another library's promise would be. */
function foreignThenable<T>(settle: { value: T } | { error: Error }): PromiseLike<T> {
  return {
    then(onFulfilled, onRejected) {
      return Promise.resolve().then(() => ('error' in settle ? Promise.reject(settle.error) : settle.value)).then(onFulfilled, onRejected);
    },
  };
}

describe('andThen', () => {
  test('a value that is there is handed on at once, and what next answers is the answer', () => {
    const seen: number[] = [];
    const answer = andThen(41, (n) => {
      seen.push(n);
      return n + 1;
    });
    expect(seen).toEqual([41]); // before any microtask
    expect(answer).toBe(42);
  });

  test('a native promise is waited for', async () => {
    const answer = andThen(Promise.resolve(41), (n) => n + 1);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toBe(42);
  });

  test('a thenable that is no native Promise is waited for too, not handed on as a value', async () => {
    const seen: unknown[] = [];
    const answer = andThen(foreignThenable({ value: 41 }) as unknown as Promise<number>, (n) => {
      seen.push(n);
      return n + 1;
    });
    expect(seen).toEqual([]);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toBe(42);
    expect(seen).toEqual([41]);
  });

  test('a rejecting thenable rejects the answer, and next is not called', async () => {
    const seen: unknown[] = [];
    const answer = andThen(foreignThenable<number>({ error: new Error('storage is down') }) as unknown as Promise<number>, (n) => seen.push(n));
    await expect(answer).rejects.toThrow('storage is down');
    expect(seen).toEqual([]);
  });

  test('undefined and null are values, handed on at once', () => {
    expect(andThen<undefined, string>(undefined, (v) => `got ${String(v)}`)).toBe('got undefined');
    expect(andThen<null, string>(null, (v) => `got ${String(v)}`)).toBe('got null');
  });
});
