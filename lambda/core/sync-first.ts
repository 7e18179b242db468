/**
 * A value that is there at once when a port answers from memory (the embedded key cache, the material
 * cache) and promised when it must ask storage or the root key (D136). The crypto hot path goes on
 * without a microtask when it is there; a caller that awaits it gets the same value either way, and
 * an error thrown at once surfaces at that await like a rejection.
 */
export type SyncFirst<T> = T | Promise<T>;

/**
 * `next(value)`, at once when `value` is there, else once it is. Promised means any thenable, not only
 * a native Promise (a port's library may answer with its own PromiseLike): Promise.resolve adopts a
 * foreign one and hands a native one back as it is. No value held here has a `then` method.
 */
export function andThen<T, R>(value: SyncFirst<T>, next: (value: T) => SyncFirst<R>): SyncFirst<R> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function' ? Promise.resolve(value).then(next) : next(value as T);
}
