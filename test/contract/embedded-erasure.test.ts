/**
 * Erasure on the embedded runtime (D32) for the paths the black-box suite cannot reach through the
 * API: expiry persisted by an ordinary write before its timer ran (asOf), material and keys found
 * overdue when the service starts, and the material prepared for an automatic rotation that is turned off. Real dynalite/LevelDB files, searched with the root key as oracle.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalRootKey } from '../../lambda/adapters/embedded/local-root-key';
import { materialContext, wrapMaterial } from '../../lambda/core/key-access';
import type { KeyRecord } from '../../lambda/core/model/key';
import { createKey } from '../../lambda/core/operations/keys/create-key';
import { updateKeyDescription } from '../../lambda/core/operations/keys/update-key-description';
import { disableKeyRotation } from '../../lambda/core/operations/rotation/disable-key-rotation';
import { enableKeyRotation } from '../../lambda/core/operations/rotation/enable-key-rotation';
import { type EmbeddedRuntime, embeddedDeps } from '../../lambda/runtime/embedded';
import { findBytes, findUnwrappable } from '../support/secret-search';
import { SCOPE_A, bareKey } from './support/key-fixtures';

const HOUR_MS = 3_600_000;
let base: string;
let dirs = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kms-erasure-'));
});
afterAll(async () => rm(base, { recursive: true, force: true }));

interface Stored {
  readonly key: KeyRecord;
  readonly material: Buffer;
}

/** An EXTERNAL key with one imported material (really wrapped by the runtime's root key), saved. */
async function keyWithMaterial(runtime: EmbeddedRuntime, changes: { validTo?: Date; deletionDate?: Date } = {}): Promise<Stored> {
  const material = randomBytes(32);
  const bare = bareKey(SCOPE_A);
  const materialId = randomBytes(32).toString('hex');
  const key: KeyRecord = {
    ...bare,
    state: changes.deletionDate ? 'PendingDeletion' : 'Enabled',
    ...(changes.deletionDate && { deletionDate: changes.deletionDate }),
    currentMaterialId: materialId,
    materials: [
      {
        materialId,
        materialState: 'CURRENT',
        importState: 'IMPORTED',
        wrapped: await wrapMaterial(runtime.deps, bare, materialId, material),
        ...(changes.validTo
          ? { expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: changes.validTo }
          : { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
      },
    ],
  };
  await runtime.deps.keys.putKey(key, { expectedRevision: null });
  return { key, material };
}

/** Which of the keys' materials the data directory still holds, in any file, by the root key or by their bytes. */
async function materialsLeft(dataDir: string, keys: readonly Stored[]): Promise<string[]> {
  const oracle = await LocalRootKey.fromDataDir(dataDir);
  const targets = keys.map((s) => ({ name: s.key.keyId, context: materialContext(s.key, s.key.currentMaterialId!) }));
  const unwrapped = (await findUnwrappable(dataDir, oracle, targets)).map((h) => h.name);
  const raw = findBytes(dataDir, keys.flatMap((s) => [
    { name: s.key.keyId, bytes: s.material },
    { name: s.key.keyId, bytes: s.key.materials[0]!.wrapped! },
  ])).map((h) => h.name);
  return [...new Set([...unwrapped, ...raw])].sort();
}

describe('embedded erasure', () => {
  test('material that expired is gone from every file once any write persists the expiry, before its timer runs', async () => {
    // GIVEN a key whose material expires in an hour, and one that stays
    const dataDir = join(base, `data-${dirs++}`);
    const runtime = await embeddedDeps({ dataDir, clockControl: true, events: { record: () => undefined } });
    try {
      const expiring = await keyWithMaterial(runtime, { validTo: new Date(runtime.clock.now().getTime() + HOUR_MS) });
      const kept = await keyWithMaterial(runtime);
      expect(await materialsLeft(dataDir, [expiring, kept])).toEqual([expiring.key.keyId, kept.key.keyId].sort());
      // WHEN the clock passes ValidTo (no timer runs: none was armed for these records) and a write reads the key
      runtime.clock.advance(2 * 3600);
      await updateKeyDescription(runtime.deps, { scope: SCOPE_A }, { KeyId: expiring.key.keyId, Description: 'touched' });
      // THEN
      expect((await runtime.deps.keys.getKey(SCOPE_A, expiring.key.keyId))!.materials[0]!.importState).toBe('PENDING_IMPORT');
      expect(await materialsLeft(dataDir, [expiring, kept])).toEqual([kept.key.keyId]);
    } finally {
      await runtime.close();
    }
  });

  test('material expired and keys due for deletion while the service was down are gone from every file before it serves', async () => {
    // GIVEN a stopped service that left an expired material and a key past its deletion date
    const dataDir = join(base, `data-${dirs++}`);
    const first = await embeddedDeps({ dataDir, events: { record: () => undefined } });
    const past = new Date(Date.now() - HOUR_MS);
    const expired = await keyWithMaterial(first, { validTo: new Date(Date.now() + HOUR_MS) });
    await first.deps.keys.putKey({ ...expired.key, materials: [{ ...expired.key.materials[0]!, validTo: past }] }, { expectedRevision: 1 });
    const overdue = await keyWithMaterial(first, { deletionDate: past });
    const kept = await keyWithMaterial(first);
    await first.close();
    expect(await materialsLeft(dataDir, [expired, overdue, kept])).toEqual([expired.key.keyId, overdue.key.keyId, kept.key.keyId].sort());
    // WHEN it starts again
    const second = await embeddedDeps({ dataDir, events: { record: () => undefined } });
    try {
      // THEN before the first request
      expect(await materialsLeft(dataDir, [expired, overdue, kept])).toEqual([kept.key.keyId]);
      expect(await second.deps.keys.getKey(SCOPE_A, overdue.key.keyId)).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  test('the material prepared for the next automatic rotation is gone from every file once rotation is disabled', async () => {
    // GIVEN an AWS_KMS key with automatic rotation on, its next material prepared and stored wrapped
    const dataDir = join(base, `data-${dirs++}`);
    const runtime = await embeddedDeps({ dataDir, events: { record: () => undefined } });
    try {
      const ctx = { scope: SCOPE_A };
      const { KeyMetadata } = await createKey(runtime.deps, ctx, {});
      await enableKeyRotation(runtime.deps, ctx, { KeyId: KeyMetadata.KeyId });
      const key = (await runtime.deps.keys.getKey(SCOPE_A, KeyMetadata.KeyId))!;
      const prepared = key.automaticRotation!.nextMaterial!;
      const left = async () => {
        const oracle = await LocalRootKey.fromDataDir(dataDir);
        const unwrapped = await findUnwrappable(dataDir, oracle, [{ name: 'prepared', context: materialContext(key, prepared.materialId) }]);
        return [...unwrapped.map((h) => h.name), ...findBytes(dataDir, [{ name: 'prepared', bytes: Buffer.from(prepared.wrapped) }]).map((h) => h.name)];
      };
      expect(await left()).toContain('prepared');
      // WHEN
      await disableKeyRotation(runtime.deps, ctx, { KeyId: KeyMetadata.KeyId });
      // THEN
      expect(await left()).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
