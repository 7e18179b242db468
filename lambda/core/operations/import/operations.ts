import type { AnyOperation } from '../types';
import { deleteImportedKeyMaterial } from './delete-imported-key-material';
import { getParametersForImport } from './get-parameters-for-import';
import { importKeyMaterial } from './import-key-material';

/** Imported key material: wrapping parameters, import, deletion. */
export const importOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['GetParametersForImport', getParametersForImport],
  ['ImportKeyMaterial', importKeyMaterial],
  ['DeleteImportedKeyMaterial', deleteImportedKeyMaterial],
]);
