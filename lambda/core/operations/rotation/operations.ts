import type { AnyOperation } from '../types';
import { disableKeyRotation } from './disable-key-rotation';
import { enableKeyRotation } from './enable-key-rotation';
import { getKeyRotationStatus } from './get-key-rotation-status';
import { listKeyRotations } from './list-key-rotations';
import { rotateKeyOnDemand } from './rotate-key-on-demand';

/** On-demand and automatic rotation, and the rotations a key has had. */
export const rotationOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['RotateKeyOnDemand', rotateKeyOnDemand],
  ['ListKeyRotations', listKeyRotations],
  ['GetKeyRotationStatus', getKeyRotationStatus],
  ['EnableKeyRotation', enableKeyRotation],
  ['DisableKeyRotation', disableKeyRotation],
]);
