/**
 * The synchronous held-record path of D136 (CachedKeyStore.heldKey) keeps
 * asOf(now) exact. The operations' unit tests run on MemoryKeyStore, which offers no heldKey, so they
 * never take that path; here the same scenarios run with the embedded cache in front of it.
 */
import { expect, test } from 'vitest';
import { CachedKeyStore } from '../../../../lambda/adapters/embedded/cached-key-store';
import { STORED_RECORDS } from '../../../../lambda/runtime/embedded';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKey } from '../../../../lambda/core/operations/cryptography/generate-data-key';
import { disableKey } from '../../../../lambda/core/operations/keys/disable-key';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { memoryDeps, MemoryKeyStore, TEST_CTX, TEST_SCOPE, type MemoryDeps } from '../../../support/memory-deps';
import { bytes, externalKeyWithMaterial, failure } from './helpers';

const VALID_TO = new Date('2026-01-01T00:02:00Z');

function cachedDeps(): MemoryDeps & { cache: CachedKeyStore } {
  const deps = memoryDeps();
  const cache = new CachedKeyStore(new MemoryKeyStore(), STORED_RECORDS);
  return Object.assign(Object.create(null), deps, { keys: cache as unknown as MemoryKeyStore, cache });
}

test('a held record answers Encrypt/Decrypt/GenerateDataKey until ValidTo and refuses them from that instant, no timer run', async () => {
  const deps = cachedDeps();
  const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
  deps.clock.set(new Date(VALID_TO.getTime() - 1));
  const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('before') });
  // the record is held: the synchronous path is the one taken from here on
  expect(deps.cache.heldKey(TEST_SCOPE, k.keyId)).toBeDefined();
  deps.clock.set(VALID_TO);
  const pendingImport = { name: 'KMSInvalidStateException', message: `${k.arn} is pending import.` };
  expect(await failure(encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') }))).toMatchObject(pendingImport);
  expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob }))).toMatchObject(pendingImport);
  expect(await failure(generateDataKey(deps, TEST_CTX, { KeyId: k.keyId, KeySpec: 'AES_256' }))).toMatchObject(pendingImport);
});

test('a write (DisableKey) is seen by the next call on the held path; a key past its deletion date answers NotFound, by id and by alias', async () => {
  const deps = cachedDeps();
  const k = await externalKeyWithMaterial(deps);
  await createAlias(deps, TEST_CTX, { AliasName: 'alias/held', TargetKeyId: k.keyId });
  await encrypt(deps, TEST_CTX, { KeyId: 'alias/held', Plaintext: bytes('x') });
  await disableKey(deps, TEST_CTX, { KeyId: k.keyId });
  expect(await failure(encrypt(deps, TEST_CTX, { KeyId: 'alias/held', Plaintext: bytes('x') }))).toMatchObject({ name: 'DisabledException' });
  await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: k.keyId, PendingWindowInDays: 7 });
  deps.clock.set(new Date(deps.clock.now().getTime() + 7 * 86_400_000 + 1));
  expect(deps.cache.heldKey(TEST_SCOPE, k.keyId)).toBeDefined(); // storage (and the cache) still hold it: no timer ran
  expect(await failure(encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') }))).toMatchObject({ name: 'NotFoundException' });
  expect(await failure(encrypt(deps, TEST_CTX, { KeyId: 'alias/held', Plaintext: bytes('x') }))).toMatchObject({ name: 'NotFoundException' });
});
