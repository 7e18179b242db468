import { describe, expect, test } from 'vitest';
import { createKey } from '../../../lambda/core/operations/keys/create-key';
import { rotateKeyOnDemand } from '../../../lambda/core/operations/rotation/rotate-key-on-demand';
import { memoryDeps, TEST_CTX } from '../../support/memory-deps';

describe('RotateKey service event', () => {
  test('a completed on-demand rotation is recorded with the previous and current material ids, and nothing secret', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { KeyMetadata } = await createKey(deps, TEST_CTX, {});
    // WHEN
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: KeyMetadata.KeyId });
    // THEN
    const rotated = deps.recorded.filter((e) => e.eventName === 'RotateKey');
    expect(rotated).toHaveLength(1);
    expect(rotated[0]).toEqual({
      eventName: 'RotateKey',
      keyArn: KeyMetadata.Arn,
      rotationType: 'ON_DEMAND',
      keyOrigin: 'AWS_KMS',
      previousKeyMaterialId: KeyMetadata.CurrentKeyMaterialId,
      currentKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
      eventTime: deps.clock.now(),
    });
    expect(rotated[0]).not.toHaveProperty('wrapped');
  });
});
