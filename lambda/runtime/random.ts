/**
 * The RandomBytes port for both runtimes: bytes from node:crypto's CSPRNG, drawn 4 KiB at a time
 * (as randomUUID does) instead of one OpenSSL call per IV, data key or id: on the Encrypt path the
 * per-call cost showed in the profile. Every byte is handed out once, copied into a buffer of its
 * own, and wiped from the pool as it leaves.
 */
import { randomFillSync } from 'node:crypto';
import type { RandomBytes } from '../core/ports';

const POOL_SIZE = 4096;

export function pooledRandomBytes(): RandomBytes {
  const pool = new Uint8Array(POOL_SIZE);
  let offset = POOL_SIZE;
  return (length) => {
    const out = new Uint8Array(length);
    if (length > POOL_SIZE / 4) return randomFillSync(out);
    if (offset + length > POOL_SIZE) {
      randomFillSync(pool);
      offset = 0;
    }
    const drawn = pool.subarray(offset, offset + length);
    out.set(drawn);
    drawn.fill(0);
    offset += length;
    return out;
  };
}
