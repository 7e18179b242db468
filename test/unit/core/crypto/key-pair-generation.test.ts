import { createPublicKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { BoundedKeyPairGenerator, generateKeyPair, KEY_GENERATION_CONCURRENCY, keyPairGenerator } from '../../../../lambda/core/crypto/key-pair-generation';

/** A stand-in for node:crypto whose generations finish only when the test says so. */
function controlledGenerations() {
  const started: { readonly args: unknown[]; finish(value: unknown): void; fail(err: Error): void }[] = [];
  const impl = (...args: unknown[]) =>
    new Promise<unknown>((finish, fail) => {
      started.push({ args, finish, fail });
    });
  return { started, impl: impl as (...args: never[]) => Promise<unknown> };
}

/** Lets every settled promise callback run. */
const settle = () => new Promise<void>((done) => setImmediate(done));

describe('BoundedKeyPairGenerator', () => {
  test('runs at most maxConcurrent generations; the others wait and start in arrival order', async () => {
    // GIVEN
    const { started, impl } = controlledGenerations();
    const generator = new BoundedKeyPairGenerator(2, impl);
    // WHEN
    const results = [1, 2, 3, 4].map((n) => generator.generate('rsa', { modulusLength: n }));
    await settle();
    // THEN
    expect(started.map((s) => s.args[1])).toEqual([{ modulusLength: 1 }, { modulusLength: 2 }]);
    expect(generator.load).toEqual({ running: 2, waiting: 2 });

    started[1]!.finish('second');
    await settle();
    expect(started.map((s) => (s.args[1] as { modulusLength: number }).modulusLength)).toEqual([1, 2, 3]);
    expect(generator.load).toEqual({ running: 2, waiting: 1 });

    started[0]!.finish('first');
    started[2]!.finish('third');
    await settle();
    started[3]!.finish('fourth');
    expect(await Promise.all(results)).toEqual(['first', 'second', 'third', 'fourth']);
    expect(generator.load).toEqual({ running: 0, waiting: 0 });
  });

  test('a failed generation gives its slot to the next one and reports its error to its own caller', async () => {
    // GIVEN
    const { started, impl } = controlledGenerations();
    const generator = new BoundedKeyPairGenerator(1, impl);
    const first = generator.generate('ec', { namedCurve: 'P-256' });
    const second = generator.generate('ec', { namedCurve: 'P-384' });
    await settle();
    expect(started).toHaveLength(1);
    // WHEN
    started[0]!.fail(new Error('no entropy'));
    // THEN
    await expect(first).rejects.toThrow('no entropy');
    await settle();
    expect(started).toHaveLength(2);
    started[1]!.finish('pair');
    await expect(second).resolves.toBe('pair');
  });

  test('fails with RangeError for a bound that is not a positive integer', () => {
    const error = new RangeError('maxConcurrent must be a positive integer');
    expect(() => new BoundedKeyPairGenerator(0)).toThrow(error);
    expect(() => new BoundedKeyPairGenerator(1.5)).toThrow(error);
  });
});

describe('generateKeyPair (process-wide, node:crypto)', () => {
  test('passes node:crypto arguments through: DER encodings give buffers, no encodings give KeyObjects', async () => {
    // WHEN
    const rsa = await generateKeyPair('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    const ec = await generateKeyPair('ec', { namedCurve: 'P-256' });
    // THEN
    expect(createPublicKey({ key: rsa.publicKey, format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(rsa.privateKey).toBeInstanceOf(Buffer);
    expect(ec.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ec.privateKey.type).toBe('private');
  });

  test('is bounded by one less than the cores, at most 2 and at least 1', () => {
    expect(keyPairGenerator.maxConcurrent).toBe(KEY_GENERATION_CONCURRENCY);
    expect(KEY_GENERATION_CONCURRENCY).toBeGreaterThanOrEqual(1);
    expect(KEY_GENERATION_CONCURRENCY).toBeLessThanOrEqual(2);
  });
});
