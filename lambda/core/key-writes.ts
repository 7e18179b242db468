/**
 * The KeyWrites policies (ports.ts). Every write is conditional on the revision that was read
 * (design decision 1), so two writers of one key can race; the loser re-reads and tries again.
 *
 * `retryingKeyWrites` is what the deployed runtime uses (many Lambda instances write one table): a
 * lost race waits a "full jitter" backoff (a random delay up to base × 2^retry, capped) before the
 * next attempt, so that contending writers spread out instead of colliding again at once. When the
 * attempts run out, the call answers ThrottlingException, which AWS answers for a "hot key" and
 * which every AWS SDK retries with its own, longer backoff (D91). A conflict is routine, not an error:
 * it is reported to `log` (debug and warn level), never as an error with a stack.
 */
import { StoreConflictError, ThrottlingException } from './errors';
import type { KeyWrites, RandomBytes } from './ports';

/** AWS's text for a throttled call, hot keys included. */
export const THROTTLED_MESSAGE = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';

export interface ConflictBackoff {
  /** Attempts in all, the first included, before ThrottlingException. @default 10 */
  readonly attempts?: number;
  /** Largest delay before the first retry; it doubles for each further retry. @default 10 */
  readonly baseDelayMs?: number;
  /** Largest delay before any retry. @default 1000 */
  readonly maxDelayMs?: number;
}

/** What happened to a contended write; ids only, never record contents. */
export interface ConflictLog {
  /** A lost race that will be retried after `delayMs`. */
  retrying(event: { readonly lock: string | null; readonly attempt: number; readonly delayMs: number }): void;
  /** Every attempt lost; the caller gets ThrottlingException. */
  gaveUp(event: { readonly lock: string | null; readonly attempts: number }): void;
}

export interface RetryingKeyWritesDeps {
  /** Resolves after `ms` milliseconds (setTimeout in the runtimes). */
  readonly sleep: (ms: number) => Promise<void>;
  /** Source of the jitter. */
  readonly random: RandomBytes;
  readonly log?: ConflictLog;
}

export const DEFAULT_CONFLICT_BACKOFF: Required<ConflictBackoff> = { attempts: 10, baseDelayMs: 10, maxDelayMs: 1000 };

export function retryingKeyWrites(deps: RetryingKeyWritesDeps, backoff: ConflictBackoff = {}): KeyWrites {
  const { attempts, baseDelayMs, maxDelayMs } = { ...DEFAULT_CONFLICT_BACKOFF, ...backoff };
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be a positive integer');
  const jitter = () => Buffer.from(deps.random(4)).readUInt32BE(0) / 2 ** 32; // in [0, 1)
  return {
    async run(lock, attempt) {
      for (let done = 1; ; done++) {
        try {
          return await attempt();
        } catch (err) {
          if (!(err instanceof StoreConflictError)) throw err;
          if (done >= attempts) {
            deps.log?.gaveUp({ lock, attempts });
            throw new ThrottlingException(THROTTLED_MESSAGE, { cause: err });
          }
          const delayMs = Math.floor(jitter() * Math.min(maxDelayMs, baseDelayMs * 2 ** (done - 1)));
          deps.log?.retrying({ lock, attempt: done, delayMs });
          await deps.sleep(delayMs);
        }
      }
    },
  };
}
