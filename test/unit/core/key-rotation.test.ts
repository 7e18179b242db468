/**
 * key-rotation.ts: fresh material for an AWS_KMS key, and an automatic rotation schedule brought up to date — a
 * rotation due exactly now applies; the root key's refusal of the material-id key is a server fault.
 */
import { describe, expect, test } from 'vitest';
import { KMSInternalException, UnwrapError } from '../../../lambda/core/errors';
import { advanceAutomaticRotation, generateMaterial } from '../../../lambda/core/key-rotation';
import { memoryDeps } from '../../support/memory-deps';
import { anAwsKmsKey } from './import/helpers';

const DAY_MS = 86_400_000;

describe('advanceAutomaticRotation', () => {
  test('a rotation due exactly now applies (NextRotationDate is when it rotates), and the next one is prepared', async () => {
    const deps = memoryDeps();
    const periodStart = new Date(deps.clock.now().getTime() - 90 * DAY_MS);
    const key = await anAwsKmsKey(deps, { automaticRotation: { periodInDays: 90, periodStart } });
    const progress = await advanceAutomaticRotation(deps, key, deps.clock.now());
    expect(progress.rotations).toEqual([{ previousKeyMaterialId: key.currentMaterialId, currentKeyMaterialId: progress.key.currentMaterialId, at: deps.clock.now() }]);
    expect(progress.key.automaticRotation).toMatchObject({ periodInDays: 90, periodStart: deps.clock.now(), nextMaterial: { materialId: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(progress.changed).toBe(true);
  });

  test('a millisecond before it is due, nothing rotates; only the next material is prepared', async () => {
    const deps = memoryDeps();
    const periodStart = new Date(deps.clock.now().getTime() - 90 * DAY_MS + 1);
    const key = await anAwsKmsKey(deps, { automaticRotation: { periodInDays: 90, periodStart } });
    const progress = await advanceAutomaticRotation(deps, key, deps.clock.now());
    expect(progress.rotations).toEqual([]);
    expect(progress.key.currentMaterialId).toBe(key.currentMaterialId);
    expect(progress.key.automaticRotation?.nextMaterial).toBeDefined();
  });
});

describe('generateMaterial', () => {
  test('a material-id key the root key refuses (a damaged record) is KMSInternalException with the refusal as cause; an outage surfaces as itself', async () => {
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps);
    const damaged = { ...key, materialIdKeyWrapped: Uint8Array.from(key.materialIdKeyWrapped, (b, i) => (i === 20 ? b ^ 1 : b)) };
    const refused = await generateMaterial(deps, damaged).catch((err: unknown) => err);
    expect(refused).toEqual(new KMSInternalException());
    expect((refused as Error).cause).toBeInstanceOf(UnwrapError);

    const outage = new Error('root key unreachable');
    deps.rootKey.unwrap = async () => {
      throw outage;
    };
    await expect(generateMaterial(deps, key)).rejects.toBe(outage);
  });
});
