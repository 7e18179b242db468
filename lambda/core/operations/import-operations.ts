import { deleteImportedKeyMaterial } from './delete-imported-key-material';
import { disableKeyRotation } from './disable-key-rotation';
import { enableKeyRotation } from './enable-key-rotation';
import { getKeyRotationStatus } from './get-key-rotation-status';
import { getParametersForImport } from './get-parameters-for-import';
import { importKeyMaterial } from './import-key-material';
import { listKeyRotations } from './list-key-rotations';
import { rotateKeyOnDemand } from './rotate-key-on-demand';
import type { AnyOperation } from './types';

/** The imported-material and rotation actions, by KMS action name. */
export const importOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['GetParametersForImport', getParametersForImport],
  ['ImportKeyMaterial', importKeyMaterial],
  ['DeleteImportedKeyMaterial', deleteImportedKeyMaterial],
  ['RotateKeyOnDemand', rotateKeyOnDemand],
  ['ListKeyRotations', listKeyRotations],
  ['GetKeyRotationStatus', getKeyRotationStatus],
  ['EnableKeyRotation', enableKeyRotation],
  ['DisableKeyRotation', disableKeyRotation],
]);
