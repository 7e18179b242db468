/** model/key.ts: which materials a key cannot work without. */
import { describe, expect, test } from 'vitest';
import { allPermanentMaterialsImported, findMaterial, type KeyMaterial, type KeyRecord, permanentMaterials } from '../../../../lambda/core/model/key';

const material = (materialId: string, materialState: KeyMaterial['materialState'], importState: KeyMaterial['importState']): KeyMaterial => ({
  materialId,
  materialState,
  importState,
  ...(importState === 'IMPORTED' && { wrapped: new Uint8Array([1]) }),
});
const keyWith = (...materials: KeyMaterial[]) => ({ materials }) as unknown as KeyRecord;

describe('permanent materials', () => {
  test('are every material but the one staged for an on-demand rotation (PENDING_ROTATION)', () => {
    const key = keyWith(material('a', 'NON_CURRENT', 'IMPORTED'), material('b', 'CURRENT', 'PENDING_IMPORT'), material('c', 'PENDING_ROTATION', 'IMPORTED'));
    expect(permanentMaterials(key).map((m) => m.materialId)).toEqual(['a', 'b']);
    expect(findMaterial(key, 'c')?.materialState).toBe('PENDING_ROTATION');
    expect(findMaterial(key, 'd')).toBeUndefined();
  });

  test.each<[string, KeyRecord, boolean]>([
    ['all imported', keyWith(material('a', 'NON_CURRENT', 'IMPORTED'), material('b', 'CURRENT', 'IMPORTED')), true],
    ['one deleted (PENDING_IMPORT)', keyWith(material('a', 'NON_CURRENT', 'PENDING_IMPORT'), material('b', 'CURRENT', 'IMPORTED')), false],
    ['no material yet', keyWith(), false],
    ['only a staged material', keyWith(material('c', 'PENDING_ROTATION', 'IMPORTED')), false],
  ])('all imported? %s: %s', (_, key, imported) => expect(allPermanentMaterialsImported(key)).toBe(imported));
});
