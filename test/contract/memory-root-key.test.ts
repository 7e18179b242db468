/** MemoryRootKey, the root key of every core unit test, passes the contract the real root keys pass. */
import { MemoryRootKey } from '../support/memory-deps';
import { rootKeyContract } from './root-key.contract';

rootKeyContract('MemoryRootKey (unit tests)', async () => new MemoryRootKey());
