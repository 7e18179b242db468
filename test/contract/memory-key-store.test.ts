/** The in-memory fake that core unit tests use must keep the same contract as the real store. */
import { MemoryKeyStore } from '../support/memory-deps';
import { keyStoreContract } from './key-store.contract';

keyStoreContract('MemoryKeyStore (test fake)', async () => new MemoryKeyStore());
