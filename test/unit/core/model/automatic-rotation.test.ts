/** model/automatic-rotation.ts as pure functions of a key record: the rotation's answer and its preconditions. */
import { describe, expect, test } from 'vitest';
import { resumeOverdueRotation, rotateAutomatically } from '../../../../lambda/core/model/automatic-rotation';
import type { KeyRecord } from '../../../../lambda/core/model/key';

const DAY_MS = 86_400_000;
const AT = new Date('2026-06-01T00:00:00Z');
const key: KeyRecord = {
  scope: { partition: 'aws', account: '111122223333', region: 'us-east-1' },
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  arn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  creationDate: new Date('2025-01-01T00:00:00Z'),
  description: '',
  origin: 'AWS_KMS',
  keyUsage: 'ENCRYPT_DECRYPT',
  keySpec: 'SYMMETRIC_DEFAULT',
  state: 'Enabled',
  currentMaterialId: 'a'.repeat(64),
  materials: [{ materialId: 'a'.repeat(64), materialState: 'CURRENT', importState: 'IMPORTED', wrapped: new Uint8Array([1]) }],
  materialIdKeyWrapped: new Uint8Array([2]),
  tags: [],
  automaticRotation: { periodInDays: 90, periodStart: new Date(AT.getTime() - 90 * DAY_MS), nextMaterial: { materialId: 'b'.repeat(64), wrapped: new Uint8Array([3]) } },
  onDemandRotations: 0,
  revision: 1,
};

describe('rotateAutomatically', () => {
  test('the prepared material becomes current, the old one NON_CURRENT, and the next period starts', () => {
    const { key: rotated, rotation } = rotateAutomatically(key, AT);
    expect(rotated.materials).toEqual([
      { materialId: 'a'.repeat(64), materialState: 'NON_CURRENT', importState: 'IMPORTED', wrapped: new Uint8Array([1]) },
      { materialId: 'b'.repeat(64), materialState: 'CURRENT', importState: 'IMPORTED', wrapped: new Uint8Array([3]), rotationDate: AT, rotationType: 'AUTOMATIC' },
    ]);
    expect(rotated).toMatchObject({ currentMaterialId: 'b'.repeat(64), automaticRotation: { periodInDays: 90, periodStart: AT } });
    expect(rotation).toStrictEqual({ previousKeyMaterialId: 'a'.repeat(64), currentKeyMaterialId: 'b'.repeat(64), at: AT });
  });

  test('only the current material changes state: a NON_CURRENT one and a staged one keep theirs', () => {
    const older = { materialId: 'c'.repeat(64), materialState: 'NON_CURRENT', importState: 'IMPORTED', wrapped: new Uint8Array([4]) } as const;
    const staged = { materialId: 'd'.repeat(64), materialState: 'PENDING_ROTATION', importState: 'IMPORTED', wrapped: new Uint8Array([5]) } as const;
    const { key: rotated } = rotateAutomatically({ ...key, materials: [older, ...key.materials, staged] }, AT);
    expect(rotated.materials.map((m) => [m.materialId[0], m.materialState])).toEqual([['c', 'NON_CURRENT'], ['a', 'NON_CURRENT'], ['d', 'PENDING_ROTATION'], ['b', 'CURRENT']]);
  });

  test('a key without a current material id rotates with no previousKeyMaterialId member', () => {
    const { currentMaterialId: _, ...withoutCurrent } = key;
    expect(rotateAutomatically(withoutCurrent, AT).rotation).toStrictEqual({ currentKeyMaterialId: 'b'.repeat(64), at: AT });
  });

  test.each<[string, Partial<KeyRecord>]>([
    ['no schedule', { automaticRotation: undefined }],
    ['no prepared material', { automaticRotation: { periodInDays: 90, periodStart: AT } }],
  ])('%s: an error (callers check first)', (_, change) => {
    expect(() => rotateAutomatically({ ...key, ...change }, AT)).toThrow(new Error('no material prepared for the automatic rotation'));
  });
});

describe('resumeOverdueRotation', () => {
  test('a rotation not yet due keeps the key as it is; an overdue one is moved to fall due now', () => {
    expect(resumeOverdueRotation(key, new Date(AT.getTime() - 1))).toBe(key);
    const resumed = resumeOverdueRotation(key, new Date(AT.getTime() + 10 * DAY_MS));
    expect(resumed.automaticRotation).toEqual({ ...key.automaticRotation, periodStart: new Date(AT.getTime() - 80 * DAY_MS) });
  });
});
