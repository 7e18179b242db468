/** CreateKey's Policy, GetKeyPolicy, PutKeyPolicy and ListKeyPolicies on in-memory ports. */
import { describe, expect, test } from 'vitest';
import { MalformedPolicyDocumentException, NotFoundException } from '../../../../lambda/core/errors';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { createKey } from '../../../../lambda/core/operations/keys/create-key';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { getKeyPolicy } from '../../../../lambda/core/operations/policies/get-key-policy';
import { listKeyPolicies } from '../../../../lambda/core/operations/policies/list-key-policies';
import { putKeyPolicy } from '../../../../lambda/core/operations/policies/put-key-policy';
import { defaultKeyPolicy } from '../../../../lambda/core/policy/key-policy';
import { TEST_CTX, TEST_SCOPE, memoryDeps, type MemoryDeps } from '../../../support/memory-deps';
import { newKey, storedKey } from '../keys/helpers';

const ROOT = `arn:aws:iam::${TEST_SCOPE.account}:root`;
const POLICY = `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"${ROOT}"},"Action":"kms:*","Resource":"*"}]}`;
const LOCKED_OUT = POLICY.replace(ROOT, `arn:aws:iam::${TEST_SCOPE.account}:role/App`);

describe('CreateKey with and without Policy', () => {
  test('without Policy the key has the default policy, and stores none', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await getKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId })).toEqual({ Policy: defaultKeyPolicy(TEST_SCOPE), PolicyName: 'default' });
    expect(Object.keys(await storedKey(deps, md.KeyId))).not.toContain('policy');
  });

  test('with Policy the document comes back exactly as sent', async () => {
    const deps = memoryDeps();
    const spaced = POLICY.replace('{"Sid"', '\n\t{ "Sid"');
    const md = await newKey(deps, { Policy: spaced });
    expect((await getKeyPolicy(deps, TEST_CTX, { KeyId: md.Arn, PolicyName: 'default' })).Policy).toBe(spaced);
  });

  test('fails with MalformedPolicyDocumentException, creating nothing, for a policy that locks the caller out; the bypass accepts it', async () => {
    const deps = memoryDeps();
    await expect(createKey(deps, TEST_CTX, { Policy: LOCKED_OUT })).rejects.toThrow('The new key policy will not allow you to update the key policy in the future.');
    expect(deps.keys.keys.size).toBe(0);
    const md = await newKey(deps, { Policy: LOCKED_OUT, BypassPolicyLockoutSafetyCheck: true });
    expect((await storedKey(deps, md.KeyId)).policy).toBe(LOCKED_OUT);
  });
});

describe('PutKeyPolicy', () => {
  test('replaces the policy; GetKeyPolicy returns the new document', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await expect(putKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId, Policy: POLICY })).resolves.toEqual({});
    expect((await getKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId })).Policy).toBe(POLICY);
  });

  test('works in every key state, pending deletion included', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Origin: 'EXTERNAL' });
    await putKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId, Policy: POLICY });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    const other = POLICY.replace('"root"', '"still root"');
    await putKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId, Policy: other });
    expect((await getKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId })).Policy).toBe(other);
  });

  test('fails with MalformedPolicyDocumentException and keeps the stored policy', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Policy: POLICY });
    const before = await storedKey(deps, md.KeyId);
    await expect(putKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId, Policy: '{"Version":"2012-10-17"}' })).rejects.toBeInstanceOf(MalformedPolicyDocumentException);
    await expect(putKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId, Policy: LOCKED_OUT })).rejects.toBeInstanceOf(MalformedPolicyDocumentException);
    expect(await storedKey(deps, md.KeyId)).toEqual(before);
  });

  test.each([
    ['GetKeyPolicy', (deps: MemoryDeps, keyId: string) => getKeyPolicy(deps, TEST_CTX, { KeyId: keyId, PolicyName: 'other' })],
    ['PutKeyPolicy', (deps: MemoryDeps, keyId: string) => putKeyPolicy(deps, TEST_CTX, { KeyId: keyId, PolicyName: 'other', Policy: POLICY })],
  ])('%s fails with NotFoundException for a policy name other than default (D65)', async (_, call) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await expect(call(deps, md.KeyId)).rejects.toThrow(new NotFoundException('No such policy exists'));
  });
});

describe('ListKeyPolicies', () => {
  test('lists default, untruncated; a marker gets an empty page', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await listKeyPolicies(deps, TEST_CTX, { KeyId: md.KeyId, Limit: 1 })).toEqual({ PolicyNames: ['default'], Truncated: false });
    expect(await listKeyPolicies(deps, TEST_CTX, { KeyId: md.KeyId, Marker: 'x' })).toEqual({ PolicyNames: [], Truncated: false });
  });

  test.each([
    ['GetKeyPolicy', getKeyPolicy],
    ['ListKeyPolicies', listKeyPolicies],
  ])('%s refuses an alias and an unknown key with NotFoundException', async (_, op) => {
    const deps = memoryDeps();
    await expect(op(deps, TEST_CTX, { KeyId: 'alias/x' })).rejects.toThrow("Invalid keyId 'alias/x'");
    await expect(op(deps, TEST_CTX, { KeyId: '00000000-0000-4000-8000-000000000000' })).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe('PutKeyPolicy: alias and lockout bypass', () => {
  test('refuses an alias of the key with NotFoundException (D18) and keeps the policy', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Policy: POLICY });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/p', TargetKeyId: md.KeyId });
    await expect(putKeyPolicy(deps, TEST_CTX, { KeyId: 'alias/p', Policy: POLICY.replace('"root"', '"other"') })).rejects.toThrow(new NotFoundException("Invalid keyId 'alias/p'"));
    expect((await getKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId })).Policy).toBe(POLICY);
  });

  test('BypassPolicyLockoutSafetyCheck true stores a policy that locks the caller out; false refuses it like no flag', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Policy: POLICY });
    await expect(putKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId, Policy: LOCKED_OUT, BypassPolicyLockoutSafetyCheck: false })).rejects.toThrow(
      new MalformedPolicyDocumentException('The new key policy will not allow you to update the key policy in the future.'),
    );
    await putKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId, Policy: LOCKED_OUT, BypassPolicyLockoutSafetyCheck: true });
    expect((await getKeyPolicy(deps, TEST_CTX, { KeyId: md.KeyId })).Policy).toBe(LOCKED_OUT);
  });
});
