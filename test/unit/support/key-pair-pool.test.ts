import * as crypto from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { canonicalArgs, pooledKeyPairGeneration } from '../../support/key-pair-pool';

// The pool of mutation runs (D122) must be indistinguishable from node:crypto for any one test file.
const poolDir = () => mkdtempSync(join(tmpdir(), 'key-pool-'));
const der = (key: crypto.KeyObject) => (key.type === 'private' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' })).toString('hex');
const PEM = { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } } as const;

describe('pooledKeyPairGeneration', () => {
  test('a later test file gets the pairs an earlier one generated for the same arguments; inside one file no pair repeats', async () => {
    // GIVEN
    const dir = poolDir();
    const earlier = pooledKeyPairGeneration(crypto, dir);
    const first = [earlier.generateKeyPairSync('ec', { namedCurve: 'P-256', ...PEM }), earlier.generateKeyPairSync('ec', { namedCurve: 'P-256', ...PEM })];
    // WHEN
    const later = pooledKeyPairGeneration(crypto, dir);
    const again = await Promise.all([0, 1, 2].map(() => promisify(later.generateKeyPair)('ec', { namedCurve: 'P-256', ...PEM })));
    // THEN
    expect(first[0]!.privateKey).not.toBe(first[1]!.privateKey);
    expect(again.slice(0, 2)).toEqual(first);
    expect(new Set(again.map((p) => p.privateKey)).size).toBe(3);
    expect(readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(crypto.createPublicKey(again[2]!.privateKey).export({ type: 'spki', format: 'pem' })).toBe(again[2]!.publicKey);
  });

  test('KeyObjects and DER buffers come back as KeyObjects and buffers of the same keys, also through the callback form', async () => {
    // GIVEN
    const dir = poolDir();
    const objects = pooledKeyPairGeneration(crypto, dir).generateKeyPairSync('ed25519');
    const buffers = pooledKeyPairGeneration(crypto, dir).generateKeyPairSync('ec', { namedCurve: 'P-384', publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
    // WHEN
    const later = pooledKeyPairGeneration(crypto, dir);
    const objectsAgain = await new Promise<{ publicKey: crypto.KeyObject; privateKey: crypto.KeyObject }>((done, fail) =>
      later.generateKeyPair('ed25519', undefined as never, ((err: Error | null, publicKey: crypto.KeyObject, privateKey: crypto.KeyObject) =>
        err ? fail(err) : done({ publicKey, privateKey })) as never),
    );
    const buffersAgain = later.generateKeyPairSync('ec', { privateKeyEncoding: { format: 'der', type: 'pkcs8' }, publicKeyEncoding: { format: 'der', type: 'spki' }, namedCurve: 'P-384' });
    // THEN
    expect(objectsAgain.privateKey).toBeInstanceOf(crypto.KeyObject);
    expect([der(objectsAgain.publicKey), der(objectsAgain.privateKey)]).toEqual([der(objects.publicKey), der(objects.privateKey)]);
    expect(buffersAgain.privateKey).toBeInstanceOf(Buffer);
    expect(buffersAgain).toEqual(buffers);
  });

  test('other arguments get other pairs; arguments it cannot compare exactly are always generated, never recorded', () => {
    // GIVEN
    const dir = poolDir();
    const p256 = pooledKeyPairGeneration(crypto, dir).generateKeyPairSync('ec', { namedCurve: 'P-256', ...PEM });
    // WHEN
    const p384 = pooledKeyPairGeneration(crypto, dir).generateKeyPairSync('ec', { namedCurve: 'P-384', ...PEM });
    const withDate = pooledKeyPairGeneration(crypto, dir).generateKeyPairSync('ec', { namedCurve: 'P-256', ...PEM, extra: new Date() } as never);
    // THEN
    expect(crypto.createPrivateKey(p384.privateKey as unknown as string).asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(withDate).not.toEqual(p256);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  test('the canonical argument list ignores the order of options and undefined options, and refuses what JSON would change', () => {
    expect(canonicalArgs(['rsa', { modulusLength: 2048, publicExponent: 65537 }])).toBe(canonicalArgs(['rsa', { publicExponent: 65537, modulusLength: 2048, x: undefined }]));
    expect(canonicalArgs(['dh', { prime: Buffer.from([1, 2]) }])).not.toBe(canonicalArgs(['dh', { prime: Buffer.from([1, 3]) }]));
    for (const odd of [Number.NaN, undefined, () => 1, new Date(0), Symbol('s')]) expect(canonicalArgs(['rsa', [odd]])).toBeUndefined();
  });
});
