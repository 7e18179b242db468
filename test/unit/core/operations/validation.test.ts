/**
 * The ValidationException texts of operations/validation.ts (spec §3.1): `1 validation error detected: Value '<v>' at
 * '<path>' failed to satisfy constraint: Member must ...`, the value left out for sensitive members.
 */
import { describe, expect, test } from 'vitest';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { listAliases } from '../../../../lambda/core/operations/aliases/list-aliases';
import { generateDataKey } from '../../../../lambda/core/operations/cryptography/generate-data-key';
import { generateRandom } from '../../../../lambda/core/operations/cryptography/generate-random';
import { listGrants } from '../../../../lambda/core/operations/grants/list-grants';
import { listRetirableGrants } from '../../../../lambda/core/operations/grants/list-retirable-grants';
import { listKeys } from '../../../../lambda/core/operations/keys/list-keys';
import { listResourceTags } from '../../../../lambda/core/operations/tags/list-resource-tags';
import { checkEnum, checkLength, checkPattern, checkRange } from '../../../../lambda/core/operations/validation';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { newKey } from '../keys/helpers';

const PREFIX = '1 validation error detected: ';

function refusal(check: () => void): { name: string; message: string } | undefined {
  try {
    check();
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  return undefined;
}

describe('constraint checks', () => {
  test.each([
    ['an integer in range', () => checkRange(100, 'limit', 1, 100), undefined],
    ['a fraction', () => checkRange(1.5, 'limit', 1, 100), "Value '1.5' at 'limit' failed to satisfy constraint: Member must be an integer from 1 to 100"],
    ['below the range', () => checkRange(0, 'limit', 1, 100), "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['above the range', () => checkRange(101, 'limit', 1, 100), "Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"],
    ['a length in range', () => checkLength(1, 'tagKey', 1, 128, 'k'), undefined],
    ['too short, value shown', () => checkLength(0, 'tagKey', 1, 128, ''), "Value '' at 'tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['too short, value not shown', () => checkLength(0, 'plaintext', 1, 4096), "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['too long, value not shown', () => checkLength(4097, 'plaintext', 1, 4096), "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"],
    ['a value of the enum', () => checkEnum('AES_128', 'keySpec', ['AES_256', 'AES_128']), undefined],
    ['a value outside the enum', () => checkEnum('AES_512', 'keySpec', ['AES_256', 'AES_128']), "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"],
    ['a value matching the pattern', () => checkPattern('alias/a', 'aliasName', /^[a-zA-Z0-9:/_-]+$/), undefined],
    ['a value not matching it', () => checkPattern('alias/a b', 'aliasName', /^[a-zA-Z0-9:/_-]+$/), "Value 'alias/a b' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"],
  ])('%s', (_, check, message) => {
    expect(refusal(check)).toStrictEqual(message === undefined ? undefined : { name: 'ValidationException', message: PREFIX + message });
  });
});

describe('through the operations: each refusal names the member the caller sent', () => {
  test.each<[string, (deps: MemoryDeps, keyId: string) => Promise<unknown>, string]>([
    ['ListKeys', (deps) => listKeys(deps, TEST_CTX, { Limit: 1001 }), "Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"],
    ['ListAliases', (deps) => listAliases(deps, TEST_CTX, { Limit: 0 }), "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['ListGrants', (deps, keyId) => listGrants(deps, TEST_CTX, { KeyId: keyId, Limit: 101 }), "Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"],
    ['ListRetirableGrants', (deps) => listRetirableGrants(deps, TEST_CTX, { RetiringPrincipal: 'arn:aws:iam::111122223333:role/R', Limit: 0 }), "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['ListResourceTags', (deps, keyId) => listResourceTags(deps, TEST_CTX, { KeyId: keyId, Limit: 51 }), "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"],
    ['GenerateRandom', (deps) => generateRandom(deps, TEST_CTX, { NumberOfBytes: 1025 }), "Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"],
    ['GenerateDataKey NumberOfBytes', (deps, keyId) => generateDataKey(deps, TEST_CTX, { KeyId: keyId, NumberOfBytes: 0 }), "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['GenerateDataKey KeySpec', (deps, keyId) => generateDataKey(deps, TEST_CTX, { KeyId: keyId, KeySpec: 'AES_512' as 'AES_256' }), "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"],
    ['CreateAlias', (deps, keyId) => createAlias(deps, TEST_CTX, { AliasName: 'alias/a b', TargetKeyId: keyId }), "Value 'alias/a b' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"],
  ])('%s', async (_, call, message) => {
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps);
    let error: unknown;
    await call(deps, KeyId).catch((err: unknown) => (error = err));
    expect(error).toMatchObject({ name: 'ValidationException', message: PREFIX + message });
  });
});
