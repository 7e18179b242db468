/**
 * Grants through the real SDK (spec kms-policies-grants-rotation.md §3; D66–D71): CreateGrant with every
 * member, Name idempotency, ListGrants paging and filters, ListRetirableGrants, RetireGrant by token and
 * by id, RevokeGrant, the errors AWS answers, GrantTokens checked on every operation that takes them,
 * and grants gone with their key. Grants are stored, not enforced.
 */
import { readFileSync } from 'node:fs';
import {
  CreateGrantCommand,
  DisableKeyCommand,
  EncryptCommand,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  type CreateGrantCommandInput,
  type GrantListEntry,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { DAY, allPages, createKey, expectDuring, expectKmsError, timed, useLocalServer } from './helpers';

const local = useLocalServer();

// Open mode: the default credentials act as account 000000000000.
const APP = 'arn:aws:iam::000000000000:role/App';
const RETIRER = 'arn:aws:iam::000000000000:role/Retirer';

async function grant(keyId: string, input: Partial<CreateGrantCommandInput> = {}) {
  return local.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: APP, Operations: ['Encrypt', 'Decrypt'], ...input }));
}

async function grantsOf(keyId: string, input: { GranteePrincipal?: string; Limit?: number } = {}): Promise<GrantListEntry[]> {
  return allPages(
    'ListGrants',
    async (marker) => {
      const out = await local.kms.send(new ListGrantsCommand({ KeyId: keyId, ...input, ...(marker && { Marker: marker }) }));
      return { ...out, entries: out.Grants! };
    },
    { fullPages: input.Limit },
  );
}

describe('CreateGrant and ListGrants', () => {
  test('a grant lists with the members AWS returns, and nothing it does not have', async () => {
    const { KeyId, Arn } = await createKey(local.kms);
    const [created, creating] = await timed(() => grant(KeyId!));
    expect(created.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(created.GrantToken).toMatch(/^AQpA[A-Za-z0-9_-]+$/);
    const [entry, ...rest] = await grantsOf(KeyId!);
    expect(rest).toEqual([]);
    expect(Object.keys(entry!).sort()).toEqual(['CreationDate', 'GrantId', 'GranteePrincipal', 'IssuingAccount', 'KeyId', 'Operations']);
    expect(entry).toMatchObject({ KeyId: Arn, GrantId: created.GrantId, GranteePrincipal: APP, IssuingAccount: 'arn:aws:iam::000000000000:root', Operations: ['Encrypt', 'Decrypt'] });
    expectDuring(entry!.CreationDate, creating);
  });

  test('the name, retiring principal and both constraints come back as given', async () => {
    const { KeyId } = await createKey(local.kms);
    const Constraints = { EncryptionContextSubset: { Department: 'IT' }, EncryptionContextEquals: { 'aws:ebs:id': 'vol-0123' } };
    const { GrantId } = await grant(KeyId!, { Name: 'ebs-attach', RetiringPrincipal: RETIRER, Constraints, Operations: ['Decrypt', 'ReEncryptFrom', 'CreateGrant', 'RetireGrant', 'DescribeKey'] });
    expect((await grantsOf(KeyId!))[0]).toMatchObject({ GrantId, Name: 'ebs-attach', RetiringPrincipal: RETIRER, Constraints, Operations: ['Decrypt', 'ReEncryptFrom', 'CreateGrant', 'RetireGrant', 'DescribeKey'] });
  });

  test('retrying a named request returns the same grant id and a new token, and creates nothing more', async () => {
    const { KeyId } = await createKey(local.kms);
    const first = await grant(KeyId!, { Name: 'retried', RetiringPrincipal: RETIRER });
    const again = await grant(KeyId!, { Name: 'retried', RetiringPrincipal: RETIRER });
    expect(again.GrantId).toBe(first.GrantId);
    expect(again.GrantToken).not.toBe(first.GrantToken);
    expect(await grantsOf(KeyId!)).toHaveLength(1);
    // the same constraint maps, their pairs (and the operations) sent in other orders, are the same request
    const pairs: [string, string][] = [['Department', 'IT'], ['Project', 'atlas'], ['app', 'web'], ['Zone', 'eu'], ['a', '1']];
    const constrained = (order: [string, string][], Operations: CreateGrantCommandInput['Operations']) =>
      grant(KeyId!, { Name: 'constrained', Operations, Constraints: { EncryptionContextSubset: Object.fromEntries(order) } });
    const ordered = await constrained(pairs, ['Encrypt', 'Decrypt', 'DescribeKey']);
    for (const order of [[...pairs].reverse(), [pairs[2]!, pairs[4]!, pairs[0]!, pairs[3]!, pairs[1]!]]) {
      expect((await constrained(order, ['DescribeKey', 'Decrypt', 'Encrypt'])).GrantId).toBe(ordered.GrantId);
    }
    expect(await grantsOf(KeyId!)).toHaveLength(2);
    // without a Name, identical requests make distinct grants
    await grant(KeyId!);
    await grant(KeyId!);
    expect(await grantsOf(KeyId!)).toHaveLength(4);
  });

  test('ListGrants pages in grant id order and filters by grant id and grantee', async () => {
    const { KeyId } = await createKey(local.kms);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await grant(KeyId!, { GranteePrincipal: i === 2 ? RETIRER : APP })).GrantId!);
    expect((await grantsOf(KeyId!, { Limit: 2 })).map((g) => g.GrantId)).toEqual([...ids].sort());
    expect((await grantsOf(KeyId!, { GranteePrincipal: RETIRER })).map((g) => g.GrantId)).toEqual([ids[2]]);
    const one = await local.kms.send(new ListGrantsCommand({ KeyId, GrantId: ids[4] }));
    expect(one).toMatchObject({ Truncated: false });
    expect(one.Grants!.map((g) => g.GrantId)).toEqual([ids[4]]);
  });

  test('ListRetirableGrants lists the grants a principal may retire, over every key of the account', async () => {
    const principal = `arn:aws:iam::000000000000:role/Retirer-${Date.now()}`;
    const a = await createKey(local.kms);
    const b = await createKey(local.kms);
    const ga = await grant(a.KeyId!, { RetiringPrincipal: principal });
    const gb = await grant(b.KeyId!, { RetiringPrincipal: principal });
    await grant(b.KeyId!, { RetiringPrincipal: RETIRER });
    const out = await local.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: principal, Limit: 10 }));
    expect(out.Truncated).toBe(false);
    expect(out.Grants!.map((g) => [g.KeyId, g.GrantId]).sort()).toEqual([[a.Arn, ga.GrantId], [b.Arn, gb.GrantId]].sort());
  });
});

describe('RetireGrant and RevokeGrant', () => {
  test('retire by token, retire by key id and grant id, revoke by key ARN and grant id', async () => {
    const { KeyId, Arn } = await createKey(local.kms);
    const [one, two, three] = [await grant(KeyId!), await grant(KeyId!), await grant(KeyId!)];
    await local.kms.send(new RetireGrantCommand({ GrantToken: one.GrantToken }));
    await local.kms.send(new RetireGrantCommand({ KeyId, GrantId: two.GrantId }));
    await local.kms.send(new RevokeGrantCommand({ KeyId: Arn, GrantId: three.GrantId }));
    expect(await grantsOf(KeyId!)).toEqual([]);
    // a grant that is gone
    await expectKmsError(local.kms.send(new RevokeGrantCommand({ KeyId, GrantId: one.GrantId })), 'NotFoundException', `Grant '${one.GrantId}' does not exist for key '${Arn}'`);
    await expectKmsError(local.kms.send(new RetireGrantCommand({ GrantToken: one.GrantToken })), 'NotFoundException');
  });

  test('malformed ids and tokens are refused with their own exceptions, and DryRun keeps the grant', async () => {
    const { KeyId } = await createKey(local.kms);
    const { GrantId, GrantToken } = await grant(KeyId!);
    await expectKmsError(local.kms.send(new RevokeGrantCommand({ KeyId, GrantId: 'not-a-grant-id' })), 'InvalidGrantIdException', "Invalid grantId 'not-a-grant-id'");
    await expectKmsError(local.kms.send(new RetireGrantCommand({ GrantToken: 'garbage' })), 'InvalidGrantTokenException', 'The grant token is not valid.');
    await expectKmsError(local.kms.send(new ListGrantsCommand({ KeyId, GrantId: 'x' })), 'InvalidGrantIdException');
    await expectKmsError(local.kms.send(new RetireGrantCommand({ GrantToken, DryRun: true })), 'DryRunOperationException');
    await expectKmsError(local.kms.send(new RevokeGrantCommand({ KeyId, GrantId, DryRun: true })), 'DryRunOperationException');
    expect((await grantsOf(KeyId!)).map((g) => g.GrantId)).toEqual([GrantId]);
  });
});

describe('CreateGrant refusals create nothing', () => {
  test.each([
    ['an operation the key cannot do', { Operations: ['Sign'] }, 'ValidationException', /^Grant operations must be supported by the key: Sign cannot be granted on /],
    ['a group as grantee', { GranteePrincipal: 'arn:aws:iam::000000000000:group/Admins' }, 'ValidationException', 'The grantee principal arn:aws:iam::000000000000:group/Admins is not a valid principal.'],
    ['a malformed grant token', { GrantTokens: ['garbage'] }, 'InvalidGrantTokenException', 'The grant token is not valid.'],
    ['DryRun', { DryRun: true }, 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.'],
  ])('%s', async (_, change, name, message) => {
    const { KeyId } = await createKey(local.kms);
    await expectKmsError(grant(KeyId!, change as Partial<CreateGrantCommandInput>), name, message);
    expect(await grantsOf(KeyId!)).toEqual([]);
  });

  test('on a disabled key: DisabledException', async () => {
    const { KeyId, Arn } = await createKey(local.kms);
    await local.kms.send(new DisableKeyCommand({ KeyId }));
    await expectKmsError(grant(KeyId!), 'DisabledException', `${Arn} is disabled.`);
  });
});

describe('GrantTokens', () => {
  // The model's input shapes (data, not service code) say which actions take GrantTokens.
  type Shape = { type: string; members?: Record<string, string>; required?: string[]; member?: string; enum?: string[]; min?: number; pattern?: string };
  const model = JSON.parse(readFileSync('lambda/adapters/kms-json/kms-model.json', 'utf8')) as { operations: Record<string, { input?: string }>; shapes: Record<string, Shape> };
  const actions = Object.entries(model.operations).filter(([, op]) => op.input && model.shapes[op.input]?.members?.GrantTokens).map(([action]) => action);

  /** A value the codec accepts for a required member, so the request reaches the action. */
  function sample(shapeName: string, keyId: string): unknown {
    const shape = model.shapes[shapeName]!;
    const named: Record<string, unknown> = { KeyIdType: keyId, PrincipalIdType: APP };
    if (shapeName in named) return named[shapeName];
    switch (shape.type) {
      case 'structure':
        return Object.fromEntries((shape.required ?? []).map((m) => [m, sample(shape.members![m]!, keyId)]));
      case 'list':
        return [sample(shape.member!, keyId)];
      case 'blob':
        return Buffer.alloc(Math.max(1, shape.min ?? 1), 1).toString('base64');
      case 'integer':
        return shape.min ?? 1;
      case 'string':
        if (shape.enum) return shape.enum[0];
        if (shape.pattern) throw new Error(`add a sample value for shape ${shapeName}`);
        return 'x'.repeat(Math.max(1, shape.min ?? 1));
      default:
        throw new Error(`add a sample value for shape ${shapeName} (${shape.type})`);
    }
  }

  test('every action that takes GrantTokens refuses a malformed token with InvalidGrantTokenException (or is not implemented)', async () => {
    const { KeyId } = await createKey(local.kms);
    expect(actions).toEqual(expect.arrayContaining(['Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'DescribeKey', 'CreateGrant']));
    for (const action of actions) {
      const body = { ...(sample(model.operations[action]!.input!, KeyId!) as object), GrantTokens: ['AQpA-not-a-token'] };
      const res = await fetch(local.server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${action}` },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { __type: string; message: string };
      expect(res.status, action).toBe(400);
      if (json.__type === 'UnsupportedOperationException') expect(json.message, action).toBe(`${action} is not supported by this service.`);
      else expect(json, action).toEqual({ __type: 'InvalidGrantTokenException', message: 'The grant token is not valid.' });
    }
  });

  test('a token CreateGrant returned is accepted by Encrypt, also once the grant is retired (D67)', async () => {
    const { KeyId } = await createKey(local.kms);
    const { GrantToken } = await grant(KeyId!);
    await local.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), GrantTokens: [GrantToken!] }));
    await local.kms.send(new RetireGrantCommand({ GrantToken }));
    await local.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), GrantTokens: [GrantToken!] }));
  });
});

describe('with clock control', () => {
  const clocked = useLocalServer({ inMemory: true, clockControl: true });

  test('grants are gone with their key once the deletion window has passed', async () => {
    const { KeyId, Arn } = await createKey(clocked.kms);
    const principal = 'arn:aws:iam::000000000000:role/Clocked';
    const { GrantToken } = await clocked.kms.send(new CreateGrantCommand({ KeyId, GranteePrincipal: APP, RetiringPrincipal: principal, Operations: ['Decrypt'] }));
    await clocked.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    expect((await clocked.kms.send(new ListGrantsCommand({ KeyId }))).Grants).toHaveLength(1);
    await clocked.server.advanceClock(7 * DAY + 1);
    await expectKmsError(clocked.kms.send(new ListGrantsCommand({ KeyId })), 'NotFoundException', `Key '${Arn}' does not exist`);
    await expectKmsError(clocked.kms.send(new RetireGrantCommand({ GrantToken })), 'NotFoundException', `Key '${Arn}' does not exist`);
    expect((await clocked.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: principal }))).Grants).toEqual([]);
  });
});
