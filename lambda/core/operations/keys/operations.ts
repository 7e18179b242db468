import type { AnyOperation } from '../types';
import { createKey } from './create-key';
import { describeKey } from './describe-key';
import { disableKey } from './disable-key';
import { enableKey } from './enable-key';
import { listKeys } from './list-keys';
import { updateKeyDescription } from './update-key-description';

/** Creating, reading and switching keys on and off. */
export const keyOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['CreateKey', createKey],
  ['DescribeKey', describeKey],
  ['ListKeys', listKeys],
  ['UpdateKeyDescription', updateKeyDescription],
  ['EnableKey', enableKey],
  ['DisableKey', disableKey],
]);
