import { describe, expect, test } from 'vitest';
import { pooledRandomBytes } from '../../../lambda/runtime/random';

describe('pooledRandomBytes', () => {
  test('gives buffers of the asked length, each its own, never the same bytes twice across refills', () => {
    // GIVEN
    const random = pooledRandomBytes();
    // WHEN 3,000 draws of 12 bytes (about nine pools' worth)
    const drawn = Array.from({ length: 3000 }, () => random(12));
    // THEN
    expect(drawn.every((b) => b.length === 12 && b.byteOffset === 0 && b.buffer.byteLength === 12)).toBe(true);
    expect(new Set(drawn.map((b) => Buffer.from(b).toString('hex'))).size).toBe(3000);
  });

  test('draws large requests directly, and they are random too', () => {
    const random = pooledRandomBytes();
    const [a, b] = [random(4096), random(4096)];
    expect(a.length).toBe(4096);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(a.some((x) => x !== 0)).toBe(true);
  });

  test('a wiped result does not affect later ones', () => {
    const random = pooledRandomBytes();
    random(32).fill(0);
    expect(random(32).some((x) => x !== 0)).toBe(true);
  });
});
