/** CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant and GrantTokens on in-memory ports. */
import { describe, expect, test } from 'vitest';
import {
  DisabledException,
  DryRunOperationException,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  KMSInvalidStateException,
  NotFoundException,
  StoreConflictError,
  ValidationException,
} from '../../../../lambda/core/errors';
import { disableKey } from '../../../../lambda/core/operations/keys/disable-key';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { createGrant, type CreateGrantInput } from '../../../../lambda/core/operations/grants/create-grant';
import { listGrants } from '../../../../lambda/core/operations/grants/list-grants';
import { listRetirableGrants } from '../../../../lambda/core/operations/grants/list-retirable-grants';
import { retireGrant } from '../../../../lambda/core/operations/grants/retire-grant';
import { revokeGrant } from '../../../../lambda/core/operations/grants/revoke-grant';
import { allOperations } from '../../../../lambda/core/operations/registry';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { onTimerDue } from '../../../../lambda/core/timers/on-timer-due';
import { TEST_CTX, TEST_SCOPE, memoryDeps, type MemoryDeps } from '../../../support/memory-deps';
import { DAY, newKey } from '../keys/helpers';

const APP = 'arn:aws:iam::111122223333:role/App';
const RETIRER = 'arn:aws:iam::111122223333:role/Retirer';
const ISSUER = 'arn:aws:iam::111122223333:root';

async function keyWithGrant(input: Partial<CreateGrantInput> = {}, deps: MemoryDeps = memoryDeps()) {
  const key = await newKey(deps);
  const grant = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt', 'Decrypt'], ...input });
  return { deps, key, grant };
}

const grantsOf = async (deps: MemoryDeps, keyId: string) => (await listGrants(deps, TEST_CTX, { KeyId: keyId })).Grants;

describe('CreateGrant', () => {
  test('returns a 64-hex grant id and a token; ListGrants shows the grant with only the members it has', async () => {
    const { deps, key, grant } = await keyWithGrant();
    expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(grant.GrantToken).toMatch(/^AQpA/);
    expect(await listGrants(deps, TEST_CTX, { KeyId: key.Arn })).toStrictEqual({
      Grants: [{ KeyId: key.Arn, GrantId: grant.GrantId, CreationDate: deps.clock.now(), GranteePrincipal: APP, IssuingAccount: ISSUER, Operations: ['Encrypt', 'Decrypt'] }],
      Truncated: false,
    });
  });

  test('keeps the name, retiring principal and constraints, and stores who issued it', async () => {
    const constraints = { EncryptionContextSubset: { Department: 'IT' }, EncryptionContextEquals: { a: 'b' } };
    const { deps, key, grant } = await keyWithGrant({ Name: 'attach/vol-1', RetiringPrincipal: RETIRER, Constraints: constraints, Operations: ['Decrypt', 'Decrypt', 'RetireGrant'] });
    expect((await grantsOf(deps, key.KeyId))[0]).toMatchObject({ Name: 'attach/vol-1', RetiringPrincipal: RETIRER, Constraints: constraints, Operations: ['Decrypt', 'RetireGrant'] });
    expect(await deps.keys.getGrant(TEST_SCOPE, key.KeyId, grant.GrantId)).toMatchObject({ issuingAccount: ISSUER, issuingPrincipal: ISSUER });
  });

  test('with a Name, a retry of the same request returns the first grant id and a new token; nothing more is created', async () => {
    const { deps, key, grant } = await keyWithGrant({ Name: 'retry-me', Operations: ['Encrypt', 'Decrypt'] });
    const again = await createGrant(deps, TEST_CTX, { KeyId: key.Arn, GranteePrincipal: APP, Operations: ['Decrypt', 'Encrypt'], Name: 'retry-me' });
    expect(again.GrantId).toBe(grant.GrantId);
    expect(again.GrantToken).not.toBe(grant.GrantToken);
    expect(await grantsOf(deps, key.KeyId)).toHaveLength(1);
  });

  test('the same Name with other parameters is another grant; without a Name every call is a new grant', async () => {
    const { deps, key, grant } = await keyWithGrant({ Name: 'n' });
    const other = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'], Name: 'n' });
    expect(other.GrantId).not.toBe(grant.GrantId);
    const a = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    const b = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    expect(a.GrantId).not.toBe(b.GrantId);
    expect(await grantsOf(deps, key.KeyId)).toHaveLength(4);
  });

  test('the same Name with another retiring principal or other constraints is another grant', async () => {
    const { deps, key, grant } = await keyWithGrant({ Name: 'n', RetiringPrincipal: RETIRER, Constraints: { EncryptionContextSubset: { a: '1' } } });
    const same = { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt', 'Decrypt'], Name: 'n' } as const;
    const ids = [
      (await createGrant(deps, TEST_CTX, { ...same, Constraints: { EncryptionContextSubset: { a: '1' } } })).GrantId,
      (await createGrant(deps, TEST_CTX, { ...same, RetiringPrincipal: RETIRER })).GrantId,
      (await createGrant(deps, TEST_CTX, { ...same, RetiringPrincipal: RETIRER, Constraints: { EncryptionContextSubset: { a: '1' } } })).GrantId,
    ];
    expect(ids.slice(0, 2)).not.toContain(grant.GrantId);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[2]).toBe(grant.GrantId);
    expect(await grantsOf(deps, key.KeyId)).toHaveLength(3);
  });

  test('constraints: exactly 8 pairs and values of 384 characters are accepted; one kind alone is kept alone; an empty Constraints is none', async () => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    const eight = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v'.repeat(384)]));
    await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: eight } });
    await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: RETIRER, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { a: '1' } } });
    await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: ISSUER, Operations: ['Decrypt'], Constraints: {} });
    const byGrantee = new Map((await grantsOf(deps, key.KeyId)).map((g) => [g.GranteePrincipal, g]));
    expect(byGrantee.get(APP)!.Constraints).toStrictEqual({ EncryptionContextSubset: eight });
    expect(byGrantee.get(RETIRER)!.Constraints).toStrictEqual({ EncryptionContextEquals: { a: '1' } });
    expect(byGrantee.get(ISSUER)).not.toHaveProperty('Constraints');
  });

  test('names every operation the key cannot do, and refuses constraints on a key without encryption context', async () => {
    const deps = memoryDeps();
    const hmac = await newKey(deps, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await expect(createGrant(deps, TEST_CTX, { KeyId: hmac.KeyId, GranteePrincipal: APP, Operations: ['Encrypt', 'GenerateMac', 'Decrypt'] })).rejects.toThrow(
      new ValidationException(`Grant operations must be supported by the key: Encrypt, Decrypt cannot be granted on ${hmac.Arn} (KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC).`),
    );
    await expect(createGrant(deps, TEST_CTX, { KeyId: hmac.KeyId, GranteePrincipal: APP, Operations: ['GenerateMac'], Constraints: { EncryptionContextEquals: { a: '1' } } })).rejects.toThrow(
      new ValidationException(`Encryption context grant constraints are not valid for ${hmac.Arn}: only symmetric encryption keys take an encryption context.`),
    );
    expect(deps.keys.grants.size).toBe(0);
  });

  test('a store failure surfaces as it is, and no token is given out', async () => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    deps.keys.createGrant = async () => {
      throw new Error('store unavailable');
    };
    await expect(createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Decrypt'], Name: 'n' })).rejects.toThrow('store unavailable');
    await expect(createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Decrypt'] })).rejects.toThrow('store unavailable');
  });

  test('an alias is not a KeyId here: NotFoundException, even for an alias that exists', async () => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/a', TargetKeyId: key.KeyId });
    await expect(createGrant(deps, TEST_CTX, { KeyId: 'alias/a', GranteePrincipal: APP, Operations: ['Decrypt'] })).rejects.toBeInstanceOf(NotFoundException);
    await expect(listGrants(deps, TEST_CTX, { KeyId: 'alias/a' })).rejects.toBeInstanceOf(NotFoundException);
    expect(deps.keys.grants.size).toBe(0);
    const { GrantId } = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Decrypt'], RetiringPrincipal: ISSUER });
    await expect(retireGrant(deps, TEST_CTX, { KeyId: 'alias/a', GrantId })).rejects.toBeInstanceOf(NotFoundException);
    await expect(revokeGrant(deps, TEST_CTX, { KeyId: 'alias/a', GrantId })).rejects.toBeInstanceOf(NotFoundException);
    expect(deps.keys.grants.size).toBe(1);
  });

  test('the same Name on two keys makes one grant on each', async () => {
    const { deps, grant } = await keyWithGrant({ Name: 'shared' });
    const { key: second } = await keyWithGrant({ Name: 'shared' }, deps);
    expect((await grantsOf(deps, second.KeyId)).map((g) => g.GrantId)).not.toContain(grant.GrantId);
    expect(await grantsOf(deps, second.KeyId)).toHaveLength(1);
  });

  test.each([
    ['Sign', ['Sign']],
    ['GenerateMac and Verify', ['Encrypt', 'GenerateMac', 'Verify']],
    ['GetPublicKey', ['GetPublicKey']],
  ])('fails with ValidationException for operations a symmetric key cannot do: %s', async (_, operations) => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    await expect(createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: operations as CreateGrantInput['Operations'] })).rejects.toThrow(ValidationException);
    expect(deps.keys.grants.size).toBe(0);
  });

  test.each([
    ['no operations', { Operations: [] }, "Value '[]' at 'operations'"],
    ['a grantee that is not a principal', { GranteePrincipal: 'arn:aws:iam::111122223333:group/Admins' }, 'The grantee principal arn:aws:iam::111122223333:group/Admins is not a valid principal.'],
    ['a retiring principal that is a key ARN', { RetiringPrincipal: 'arn:aws:kms:us-east-1:111122223333:key/k' }, 'is not a valid principal'],
    ['nine constraint pairs', { Constraints: { EncryptionContextSubset: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'])) } }, "'constraints.encryptionContextSubset' failed to satisfy constraint: Member must have length less than or equal to 8"],
    ['a constraint value over 384 characters', { Constraints: { EncryptionContextEquals: { k: 'v'.repeat(385) } } }, "'constraints.encryptionContextEquals.k'"],
  ])('fails with ValidationException for %s, creating nothing', async (_, change, message) => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    const input = { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'], ...change } as CreateGrantInput;
    await expect(createGrant(deps, TEST_CTX, input)).rejects.toThrow(message);
    expect(deps.keys.grants.size).toBe(0);
  });

  test('accepts service principals and account ids as grantee and retiring principal', async () => {
    const { deps, key } = await keyWithGrant({ GranteePrincipal: 'acm.us-east-1.amazonaws.com', RetiringPrincipal: '111122223333' });
    expect((await grantsOf(deps, key.KeyId))[0]).toMatchObject({ GranteePrincipal: 'acm.us-east-1.amazonaws.com', RetiringPrincipal: '111122223333' });
  });

  test('fails with DisabledException for a Disabled key and KMSInvalidStateException when pending import or deletion', async () => {
    const deps = memoryDeps();
    const input = (keyId: string) => ({ KeyId: keyId, GranteePrincipal: APP, Operations: ['Decrypt' as const] });
    const disabled = await newKey(deps);
    await disableKey(deps, TEST_CTX, { KeyId: disabled.KeyId });
    await expect(createGrant(deps, TEST_CTX, input(disabled.KeyId))).rejects.toThrow(new DisabledException(`${disabled.Arn} is disabled.`));
    const pendingImport = await newKey(deps, { Origin: 'EXTERNAL' });
    await expect(createGrant(deps, TEST_CTX, input(pendingImport.KeyId))).rejects.toThrow(new KMSInvalidStateException(`${pendingImport.Arn} is pending import.`));
    const pendingDeletion = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: pendingDeletion.KeyId, PendingWindowInDays: 7 });
    await expect(createGrant(deps, TEST_CTX, input(pendingDeletion.KeyId))).rejects.toThrow(new KMSInvalidStateException(`${pendingDeletion.Arn} is pending deletion.`));
    expect(deps.keys.grants.size).toBe(0);
  });

  test('fails with DryRunOperationException after every check passed, creating nothing', async () => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    await expect(createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'], DryRun: true })).rejects.toBeInstanceOf(DryRunOperationException);
    await expect(createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Sign'], DryRun: true })).rejects.toBeInstanceOf(ValidationException);
    expect(deps.keys.grants.size).toBe(0);
  });
});

describe('ListGrants', () => {
  test('pages through the grants in grant id order', async () => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] })).GrantId);
    const first = await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, Limit: 3 });
    expect(first).toMatchObject({ Truncated: true });
    const second = await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, Limit: 3, Marker: first.NextMarker! });
    expect(second.Truncated).toBe(false);
    expect(second.NextMarker).toBeUndefined();
    expect([...first.Grants, ...second.Grants].map((g) => g.GrantId)).toEqual([...ids].sort());
  });

  test('GrantId with the GranteePrincipal of another grantee lists nothing', async () => {
    const { deps, key, grant } = await keyWithGrant();
    expect(await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId, GranteePrincipal: RETIRER })).toStrictEqual({ Grants: [], Truncated: false });
    expect((await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId, GranteePrincipal: APP })).Grants).toHaveLength(1);
  });

  test('filters by GrantId and by GranteePrincipal', async () => {
    const { deps, key, grant } = await keyWithGrant();
    const other = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: RETIRER, Operations: ['Encrypt'] });
    expect((await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId })).Grants.map((g) => g.GrantId)).toEqual([grant.GrantId]);
    expect((await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: RETIRER })).Grants.map((g) => g.GrantId)).toEqual([other.GrantId]);
    expect((await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId, GranteePrincipal: RETIRER })).Grants).toEqual([]);
    expect((await listGrants(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: '0'.repeat(64) })).Grants).toEqual([]);
  });

  test('fails with InvalidGrantIdException for a grant id that is not 64 hex, and ValidationException for Limit 101', async () => {
    const { deps, key } = await keyWithGrant();
    await expect(listGrants(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: 'nope' })).rejects.toThrow(new InvalidGrantIdException("Invalid grantId 'nope'"));
    await expect(listGrants(deps, TEST_CTX, { KeyId: key.KeyId, Limit: 101 })).rejects.toBeInstanceOf(ValidationException);
  });

  test('works in every key state; an alias is NotFoundException', async () => {
    const { deps, key } = await keyWithGrant();
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: key.KeyId, PendingWindowInDays: 7 });
    expect(await grantsOf(deps, key.KeyId)).toHaveLength(1);
    await expect(listGrants(deps, TEST_CTX, { KeyId: 'alias/a' })).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe('RetireGrant and RevokeGrant', () => {
  test('RetireGrant by token removes the grant', async () => {
    const { deps, key, grant } = await keyWithGrant();
    await expect(retireGrant(deps, TEST_CTX, { GrantToken: grant.GrantToken })).resolves.toEqual({});
    expect(await grantsOf(deps, key.KeyId)).toEqual([]);
  });

  test('RetireGrant by key id and grant id removes the grant; RevokeGrant by key ARN and grant id too', async () => {
    const { deps, key, grant } = await keyWithGrant();
    const second = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    await retireGrant(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId });
    await revokeGrant(deps, TEST_CTX, { KeyId: key.Arn, GrantId: second.GrantId });
    expect(await grantsOf(deps, key.KeyId)).toEqual([]);
  });

  test('work while the key is pending deletion', async () => {
    const { deps, key, grant } = await keyWithGrant();
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: key.KeyId, PendingWindowInDays: 7 });
    await retireGrant(deps, TEST_CTX, { GrantToken: grant.GrantToken });
    expect(await grantsOf(deps, key.KeyId)).toEqual([]);
  });

  test('fail with NotFoundException for a grant that is gone, InvalidGrantIdException for a malformed id', async () => {
    const { deps, key, grant } = await keyWithGrant();
    await revokeGrant(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId });
    const gone = new NotFoundException(`Grant '${grant.GrantId}' does not exist for key '${key.Arn}'`);
    await expect(revokeGrant(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId })).rejects.toThrow(gone);
    await expect(retireGrant(deps, TEST_CTX, { GrantToken: grant.GrantToken })).rejects.toThrow(gone);
    await expect(retireGrant(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId })).rejects.toThrow(gone);
    await expect(revokeGrant(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: 'x' })).rejects.toBeInstanceOf(InvalidGrantIdException);
  });

  test('RetireGrant fails with InvalidGrantTokenException for a malformed token, ValidationException without token or key and grant id', async () => {
    const { deps, key, grant } = await keyWithGrant();
    await expect(retireGrant(deps, TEST_CTX, { GrantToken: 'garbage' })).rejects.toThrow(new InvalidGrantTokenException('The grant token is not valid.'));
    const neither = new ValidationException('Either GrantToken, or both KeyId and GrantId, must be specified.');
    await expect(retireGrant(deps, TEST_CTX, { KeyId: key.KeyId })).rejects.toThrow(neither);
    await expect(retireGrant(deps, TEST_CTX, { GrantId: grant.GrantId })).rejects.toThrow(neither);
    expect(await grantsOf(deps, key.KeyId)).toHaveLength(1);
  });

  test('with DryRun, fail with DryRunOperationException and keep the grant', async () => {
    const { deps, key, grant } = await keyWithGrant();
    await expect(retireGrant(deps, TEST_CTX, { GrantToken: grant.GrantToken, DryRun: true })).rejects.toBeInstanceOf(DryRunOperationException);
    await expect(revokeGrant(deps, TEST_CTX, { KeyId: key.KeyId, GrantId: grant.GrantId, DryRun: true })).rejects.toBeInstanceOf(DryRunOperationException);
    expect(await grantsOf(deps, key.KeyId)).toHaveLength(1);
  });
});

describe('ListRetirableGrants', () => {
  test("lists the retiring principal's grants over the account's keys", async () => {
    const { deps, key: first, grant: a } = await keyWithGrant({ RetiringPrincipal: RETIRER });
    const { key: second, grant: b } = await keyWithGrant({ RetiringPrincipal: RETIRER }, deps);
    await keyWithGrant({ RetiringPrincipal: APP }, deps);
    const { Grants, Truncated } = await listRetirableGrants(deps, TEST_CTX, { RetiringPrincipal: RETIRER });
    expect(Truncated).toBe(false);
    expect(Grants.map((g) => [g.KeyId, g.GrantId]).sort()).toEqual([[first.Arn, a.GrantId], [second.Arn, b.GrantId]].sort());
  });

  test('pages with Limit and Marker; Limit 101 is ValidationException naming limit', async () => {
    const { deps, grant: a } = await keyWithGrant({ RetiringPrincipal: RETIRER });
    const { grant: b } = await keyWithGrant({ RetiringPrincipal: RETIRER }, deps);
    const first = await listRetirableGrants(deps, TEST_CTX, { RetiringPrincipal: RETIRER, Limit: 1 });
    expect(first).toMatchObject({ Truncated: true, NextMarker: expect.any(String) });
    const second = await listRetirableGrants(deps, TEST_CTX, { RetiringPrincipal: RETIRER, Limit: 1, Marker: first.NextMarker! });
    expect(second.Truncated).toBe(false);
    expect([...first.Grants, ...second.Grants].map((g) => g.GrantId).sort()).toEqual([a.GrantId, b.GrantId].sort());
    await expect(listRetirableGrants(deps, TEST_CTX, { RetiringPrincipal: RETIRER, Limit: 101 })).rejects.toThrow(
      new ValidationException("1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"),
    );
  });
});

describe('grants are deleted with their key', () => {
  test('a key past its deletion date has no grants, and the deletion timer erases them', async () => {
    // GIVEN a key with two grants, scheduled for deletion
    const { deps, key } = await keyWithGrant({ RetiringPrincipal: RETIRER });
    await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'] });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: key.KeyId, PendingWindowInDays: 7 });
    // WHEN the window passes (before the timer ran)
    deps.clock.advance(7 * DAY);
    // THEN the grants are gone with the key
    await expect(listGrants(deps, TEST_CTX, { KeyId: key.KeyId })).rejects.toBeInstanceOf(NotFoundException);
    expect((await listRetirableGrants(deps, TEST_CTX, { RetiringPrincipal: RETIRER })).Grants).toEqual([]);
    expect(deps.keys.grants.size).toBe(2);
    // AND the timer erases them from storage
    const [timer] = deps.timers.armed.values();
    await expect(onTimerDue(deps, timer!)).resolves.toBe('applied');
    expect(deps.keys.grants.size).toBe(0);
  });

  test('the deletion timer erases every grant of the key, over several pages of the store', async () => {
    // GIVEN a key with more grants than one listing page holds (100), and another key's grant
    const { deps, key } = await keyWithGrant();
    for (let i = 0; i < 229; i++) await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt'], Name: `g${i}` });
    const { grant: kept } = await keyWithGrant({}, deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: key.KeyId, PendingWindowInDays: 7 });
    // WHEN its deletion timer fires
    deps.clock.advance(7 * DAY);
    const [timer] = deps.timers.armed.values();
    await expect(onTimerDue(deps, timer!)).resolves.toBe('applied');
    // THEN only the other key's grant is left in storage
    expect([...deps.keys.grants.values()].map((g) => g.grantId)).toEqual([kept.GrantId]);
  });
});

describe('GrantTokens on every operation that takes them', () => {
  const operations = allOperations();

  test.each(['Encrypt', 'DescribeKey', 'GenerateDataKey', 'CreateGrant'])('%s fails with InvalidGrantTokenException for a malformed token, before anything else', async (action) => {
    const deps = memoryDeps();
    await expect(operations.get(action)!(deps, TEST_CTX, { KeyId: 'alias/missing', GrantTokens: ['not-a-token'] })).rejects.toBeInstanceOf(InvalidGrantTokenException);
  });

  test('a token this service issued is accepted, even after its grant was retired', async () => {
    const { deps, key, grant } = await keyWithGrant();
    await retireGrant(deps, TEST_CTX, { GrantToken: grant.GrantToken });
    const out = await operations.get('Encrypt')!(deps, TEST_CTX, { KeyId: key.KeyId, Plaintext: new Uint8Array([1]), GrantTokens: [grant.GrantToken] });
    expect(out).toMatchObject({ KeyId: key.Arn });
  });
});

describe('CreateGrant when the store refuses the write', () => {
  test('an unnamed grant whose random id is taken gets a new id: it is never answered with the grant that has it', async () => {
    const { deps, key, grant } = await keyWithGrant();
    let collide = true;
    const random = (n: number) => (n === 32 && collide ? ((collide = false), new Uint8Array(Buffer.from(grant.GrantId, 'hex'))) : deps.random(n));
    const second = await createGrant({ ...deps, random }, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: RETIRER, Operations: ['Decrypt'] });
    expect(collide).toBe(false);
    expect(second.GrantId).not.toBe(grant.GrantId);
    expect((await grantsOf(deps, key.KeyId)).map((g) => [g.GrantId, g.GranteePrincipal]).sort()).toStrictEqual(
      [[grant.GrantId, APP], [second.GrantId, RETIRER]].sort(),
    );
  });

  test('a named request whose grant is gone between the conflict and the read is created again', async () => {
    const deps = memoryDeps();
    const key = await newKey(deps);
    const store = deps.keys.createGrant.bind(deps.keys);
    let refused = 0;
    // the first write loses to a grant of that id that is retired before the conflict is looked at
    deps.keys.createGrant = async (g) => {
      if (refused++ === 0) throw new StoreConflictError(g.grantId);
      return store(g);
    };
    const { GrantId } = await createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Decrypt'], Name: 'again' });
    expect(refused).toBe(2);
    expect((await grantsOf(deps, key.KeyId)).map((g) => [g.GrantId, g.Name])).toStrictEqual([[GrantId, 'again']]);
  });

  test('a named retry while the store fails writes surfaces that failure, even though the grant exists', async () => {
    const { deps, key } = await keyWithGrant({ Name: 'n' });
    deps.keys.createGrant = async () => {
      throw new Error('store unavailable');
    };
    await expect(createGrant(deps, TEST_CTX, { KeyId: key.KeyId, GranteePrincipal: APP, Operations: ['Encrypt', 'Decrypt'], Name: 'n' })).rejects.toThrow('store unavailable');
  });
});
