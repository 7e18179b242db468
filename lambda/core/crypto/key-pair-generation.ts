/**
 * The one way this service generates asymmetric key pairs (wrapping key pairs for
 * GetParametersForImport, and RSA/ECC keys and data key pairs of any later key family).
 *
 * node:crypto's async generateKeyPair runs on libuv's thread pool (4 threads by default), the same
 * pool that serves file and LevelDB I/O and DNS lookups. Eight clients looping RSA_4096
 * GetParametersForImport once filled that pool and a DescribeKey waited 1.5 s for a thread. So
 * generations queue here, first come first served, at most `maxConcurrent` at a time: the event
 * loop is never blocked and the pool always keeps threads for everything else (D90).
 *
 * Use `generateKeyPair` from this module for every key type (rsa, rsa-pss, ec, ed25519, x25519, dh,
 * …): it takes exactly node:crypto's arguments and resolves to what node:crypto's callback would
 * receive (KeyObjects, or encoded buffers/strings when encodings are given). Never call node:crypto's
 * generateKeyPair or generateKeyPairSync directly (lint refuses both outside this file).
 */
import { generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const generateUnbounded = promisify(nodeGenerateKeyPair);

/** node:crypto's generateKeyPair, promisified, with all of its overloads (type, options, encodings). */
export type GenerateKeyPair = typeof generateUnbounded;

/** A generator that lets at most `maxConcurrent` generations run at once; the rest wait in order. */
export class BoundedKeyPairGenerator {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** The bounded generator: same arguments and result as node:crypto's, promisified. */
  readonly generate: GenerateKeyPair;

  constructor(
    readonly maxConcurrent: number,
    /** What does the work; node:crypto unless a test passes something it controls. */
    generateImpl: (...args: never[]) => Promise<unknown> = generateUnbounded as (...args: never[]) => Promise<unknown>,
  ) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError('maxConcurrent must be a positive integer');
    this.generate = ((...args: never[]) => this.run(() => generateImpl(...args))) as GenerateKeyPair;
  }

  /** Generations running now, and waiting for a slot. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.maxConcurrent) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the releasing call hands its slot over
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * Half of libuv's default pool of 4, and never more than the cores minus one, so that generation
 * cannot take the CPU the event loop needs: 1 on a 2-core machine (and in a 1-vCPU Lambda).
 */
export const KEY_GENERATION_CONCURRENCY = Math.max(1, Math.min(2, availableParallelism() - 1));

/** The process-wide generator: one thread pool per process, so one bound per process. */
export const keyPairGenerator = new BoundedKeyPairGenerator(KEY_GENERATION_CONCURRENCY);

/** node:crypto's generateKeyPair (promisified), bounded process-wide. See the module comment. */
export const generateKeyPair: GenerateKeyPair = keyPairGenerator.generate;
