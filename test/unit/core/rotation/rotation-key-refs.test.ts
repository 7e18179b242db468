/** What the rotation operations take as KeyId (AWS: a key id or key ARN, never an alias) and ListKeyRotations' Marker. */
import { describe, expect, test } from 'vitest';
import { InvalidMarkerException, NotFoundException } from '../../../../lambda/core/errors';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { disableKeyRotation } from '../../../../lambda/core/operations/rotation/disable-key-rotation';
import { enableKeyRotation } from '../../../../lambda/core/operations/rotation/enable-key-rotation';
import { getKeyRotationStatus } from '../../../../lambda/core/operations/rotation/get-key-rotation-status';
import { listKeyRotations } from '../../../../lambda/core/operations/rotation/list-key-rotations';
import { rotateKeyOnDemand } from '../../../../lambda/core/operations/rotation/rotate-key-on-demand';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { newKey, storedKey } from '../keys/helpers';

describe('rotation operations and aliases', () => {
  test.each([
    ['EnableKeyRotation', enableKeyRotation],
    ['DisableKeyRotation', disableKeyRotation],
    ['GetKeyRotationStatus', getKeyRotationStatus],
    ['ListKeyRotations', listKeyRotations],
    ['RotateKeyOnDemand', rotateKeyOnDemand],
  ] as const)('%s: an alias that exists is NotFoundException, and the key is unchanged', async (_, operation) => {
    // GIVEN
    const deps = memoryDeps();
    const key = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/rotating', TargetKeyId: key.KeyId });
    const before = await storedKey(deps, key.KeyId);
    // WHEN / THEN
    await expect((operation as (d: typeof deps, c: typeof TEST_CTX, i: { KeyId: string }) => Promise<unknown>)(deps, TEST_CTX, { KeyId: 'alias/rotating' })).rejects.toBeInstanceOf(NotFoundException);
    expect(await storedKey(deps, key.KeyId)).toEqual(before);
  });

  test('ListKeyRotations: a Marker it did not give out is InvalidMarkerException', async () => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    await expect(listKeyRotations(deps, TEST_CTX, { KeyId: key.KeyId, Marker: Buffer.from('no such material').toString('base64url') })).rejects.toThrow(
      new InvalidMarkerException('The marker is not valid.'),
    );
  });
});
