/**
 * The in-memory cache of unwrapped key material (lambda/core/crypto/material-cache.ts): what it serves, what it
 * forgets, and that every byte it drops is zeroed (the buffer `get` returned is the cache's own copy, so a test can
 * watch it being wiped).
 */
import { describe, expect, test } from 'vitest';
import { MaterialCache } from '../../../../lambda/core/crypto/material-cache';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_ARN = 'arn:aws:kms:us-east-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab';
const NOW = Date.parse('2026-01-01T00:00:00Z');
const material = (byte: number) => new Uint8Array(32).fill(byte);
const isZeroed = (b: Uint8Array) => b.every((x) => x === 0);

describe('MaterialCache', () => {
  test('serves a private copy of what was put, until maxAgeMs or ValidTo, whichever comes first', () => {
    // GIVEN
    const cache = new MaterialCache(60_000);
    const given = material(7);
    cache.put(ARN, 'm1', given, NOW);
    cache.put(ARN, 'm2', material(8), NOW, new Date(NOW + 1_000));
    given.fill(0);
    // WHEN / THEN
    expect(cache.get(ARN, 'm1', NOW + 59_999)).toEqual(material(7));
    expect(cache.get(ARN, 'm2', NOW + 999)).toEqual(material(8));
    const served = cache.get(ARN, 'm2', NOW + 999)!;
    expect(cache.get(ARN, 'm2', NOW + 1_000)).toBeUndefined();
    expect(isZeroed(served)).toBe(true);
    expect(cache.get(ARN, 'm1', NOW + 60_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('at maxEntries, a put drops and zeroes the oldest entry only', () => {
    // GIVEN a cache of two
    const cache = new MaterialCache(60_000, 2);
    cache.put(ARN, 'm1', material(1), NOW);
    cache.put(ARN, 'm2', material(2), NOW);
    const oldest = cache.get(ARN, 'm1', NOW)!;
    // WHEN a third material is put
    cache.put(ARN, 'm3', material(3), NOW);
    // THEN
    expect(cache.size).toBe(2);
    expect(cache.get(ARN, 'm1', NOW)).toBeUndefined();
    expect(isZeroed(oldest)).toBe(true);
    expect(cache.get(ARN, 'm2', NOW)).toEqual(material(2));
    expect(cache.get(ARN, 'm3', NOW)).toEqual(material(3));
  });

  test('evict drops and zeroes one material; evictKey every material of that key and nothing of another key', () => {
    // GIVEN
    const cache = new MaterialCache();
    cache.put(ARN, 'm1', material(1), NOW);
    cache.put(ARN, 'm2', material(2), NOW);
    cache.put(ARN, 'm3', material(3), NOW);
    cache.put(OTHER_ARN, 'm1', material(4), NOW);
    const [m1, m2, m3] = ['m1', 'm2', 'm3'].map((id) => cache.get(ARN, id, NOW)!);
    // WHEN / THEN
    cache.evict(ARN, 'm1');
    expect(cache.get(ARN, 'm1', NOW)).toBeUndefined();
    expect(isZeroed(m1!)).toBe(true);
    expect(cache.size).toBe(3);
    cache.evict(ARN, 'no such material');
    expect(cache.size).toBe(3);
    cache.evictKey(ARN);
    expect(cache.size).toBe(1);
    expect([m2, m3].every((m) => isZeroed(m!))).toBe(true);
    expect(cache.get(OTHER_ARN, 'm1', NOW)).toEqual(material(4));
  });
});
