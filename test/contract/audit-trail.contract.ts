/**
 * One suite every AuditTrail adapter must pass: what is read back is the event rendered from the facts
 * appended, as they were when appended; ordering, ranges, scopes, resuming, bad positions.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { entryOf } from '../../lambda/adapters/audit/entry-codec';
import { ALIAS_RESOURCE_TYPE, type ApiCallFacts, type AuditEntry, type AuditEvent, KEY_RESOURCE_TYPE } from '../../lambda/core/audit/cloudtrail-event';
import { InvalidNextTokenException } from '../../lambda/core/audit/errors';
import type { Scope } from '../../lambda/core/model/key';
import { principalOf, rootPrincipal } from '../../lambda/core/model/principal';
import type { AuditTrail } from '../../lambda/core/ports';

export const AUDIT_SCOPE: Scope = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const OTHER_REGION: Scope = { ...AUDIT_SCOPE, region: 'eu-west-1' };
const OTHER_ACCOUNT: Scope = { ...AUDIT_SCOPE, account: '444455556666' };
const T0 = new Date('2026-03-01T12:00:00Z');

export type ApiCallEvent = Extract<AuditEvent, { eventType: 'AwsApiCall' }>;

/** An Encrypt by the IAM user Alice of `scope`'s account, with a key resource; `overrides` replace facts. */
export function anEvent(scope: Scope, eventTime: Date, overrides: Partial<ApiCallFacts> = {}): ApiCallEvent {
  const keyArn = `arn:aws:kms:${scope.region}:${scope.account}:key/${randomUUID()}`;
  return {
    eventType: 'AwsApiCall',
    call: {
      scope,
      caller: { principal: principalOf(`arn:aws:iam::${scope.account}:user/Alice`, ''), accessKeyId: 'BYOKAAAAAAAAAAAAAAAA' },
      eventName: 'Encrypt',
      eventTime,
      eventId: randomUUID(),
      requestId: randomUUID(),
      sourceIp: '127.0.0.1',
      userAgent: 'aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.20.2 api/kms#3.1164.0 m/E',
      readOnly: true,
      requestParameters: { keyId: keyArn, encryptionContext: { note: 'ünïcode ✓', '1': 'first', quote: '"\\\n' } },
      responseElements: null,
      resources: [{ type: KEY_RESOURCE_TYPE, arn: keyArn }],
      ...overrides,
    },
  };
}

const idOf = (event: ApiCallEvent) => event.call.eventId;

async function readAll(trail: AuditTrail, scope: Scope, range: { from: Date; to: Date; after?: string }) {
  const out: { entry: AuditEntry; position: string }[] = [];
  for await (const item of trail.read(scope, range)) out.push(item);
  return out;
}

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

export function auditTrailContract(name: string, makeTrail: () => Promise<AuditTrail>): void {
  describe(`AuditTrail contract: ${name}`, () => {
    test('returns each event as its facts render it, every field intact, newest first', async () => {
      const trail = await makeTrail();
      const keyArn = `arn:aws:kms:us-east-1:${AUDIT_SCOPE.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      const created = anEvent(AUDIT_SCOPE, at(1), {
        caller: { principal: principalOf(`arn:aws:iam::${AUDIT_SCOPE.account}:role/app`, 'AKIAEXAMPLE0000ROLE1'), accessKeyId: 'AKIAEXAMPLE0000ROLE1', issuedAt: new Date('2026-02-01T08:00:00.750Z') },
        eventName: 'CreateAlias',
        readOnly: false,
        requestParameters: { aliasName: 'alias/app', targetKeyId: keyArn },
        resources: [{ type: KEY_RESOURCE_TYPE, arn: keyArn }, { type: ALIAS_RESOURCE_TYPE, arn: `arn:aws:kms:us-east-1:${AUDIT_SCOPE.account}:alias/app` }],
      });
      const changed = anEvent(AUDIT_SCOPE, at(2), {
        caller: { principal: principalOf(`arn:aws:sts::${AUDIT_SCOPE.account}:assumed-role/app/ci-run`, 'x') },
        eventName: 'UpdateKeyDescription',
        readOnly: false,
        requestParameters: { keyId: keyArn, description: 'line one\nline two' },
        responseElements: { keyId: keyArn },
      });
      const failed = anEvent(AUDIT_SCOPE, at(3), {
        caller: { principal: rootPrincipal('aws', AUDIT_SCOPE.account) },
        sourceIp: '',
        userAgent: '',
        requestParameters: null,
        resources: [],
        error: { code: 'ValidationException', message: "1 validation error detected: Value 'ü' at 'keyId'" },
      });
      const rotated: AuditEvent = {
        eventType: 'AwsServiceEvent',
        eventId: randomUUID(),
        event: { eventName: 'RotateKey', keyArn, rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: 'a'.repeat(64), currentKeyMaterialId: 'b'.repeat(64), eventTime: at(4) },
      };
      const deleted: AuditEvent = { eventType: 'AwsServiceEvent', eventId: randomUUID(), event: { eventName: 'DeleteKey', keyArn, eventTime: at(5) } };
      for (const event of [created, changed, failed, rotated, deleted]) await trail.append(event);
      const read = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(read.map((r) => r.entry)).toStrictEqual([deleted, rotated, failed, changed, created].map(entryOf));
    });

    test('events that repeat or change a client, a caller or a key from one to the next are each read as appended', async () => {
      // The in-memory trail writes the strings most calls repeat from the previous call's text: every switch and repeat must read back exact.
      const trail = await makeTrail();
      const keyArn = `arn:aws:kms:us-east-1:${AUDIT_SCOPE.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      const odd = 'ua "quoted" \\ back\tslash \u0001 ünï ✓ 😀 \ud800 lone';
      const alice = principalOf(`arn:aws:iam::${AUDIT_SCOPE.account}:user/Alice`, '');
      const session = principalOf(`arn:aws:sts::${AUDIT_SCOPE.account}:assumed-role/app/run-1`, 'x');
      const variants: Partial<ApiCallFacts>[] = [
        {},
        { userAgent: odd, sourceIp: '::1' },
        { userAgent: odd, sourceIp: '::1' },
        { caller: { principal: session, accessKeyId: 'ASIAEXAMPLE000000001', issuedAt: at(-60) }, resources: [{ type: KEY_RESOURCE_TYPE, arn: keyArn }] },
        { caller: { principal: session }, resources: [{ type: KEY_RESOURCE_TYPE, arn: keyArn }, { type: ALIAS_RESOURCE_TYPE, arn: `${keyArn.replace(/key\/.*/, '')}alias/"x"` }] },
        { caller: { principal: alice, accessKeyId: 'BYOKAAAAAAAAAAAAAAAA' }, eventName: 'Decrypt', userAgent: '' },
        { caller: { principal: rootPrincipal('aws', AUDIT_SCOPE.account) }, eventName: 'Decrypt', requestParameters: null, resources: [] },
        { userAgent: odd, error: { code: 'NotFoundException', message: 'Key "x" \\ not found' } },
      ];
      const events = variants.map((overrides, i) => anEvent(AUDIT_SCOPE, at(i + 1), overrides));
      for (const event of events) await trail.append(event);
      const read = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(100) });
      expect(read.map((r) => r.entry)).toStrictEqual(events.reverse().map(entryOf));
    });

    test('an event is read as it was appended, whatever later happened to the objects it was given', async () => {
      const trail = await makeTrail();
      const event = anEvent(AUDIT_SCOPE, at(1), { eventName: 'CreateKey', readOnly: false, responseElements: { keyMetadata: { description: 'first', keyState: 'Enabled' } } });
      const expected = structuredClone(entryOf(event)); // its Date is the event's
      await trail.append(event);
      const call = event.call as { -readonly [K in keyof ApiCallFacts]: ApiCallFacts[K] };
      (call.responseElements as { keyMetadata: { description: string } }).keyMetadata.description = 'second';
      (call.requestParameters as { keyId: string }).keyId = 'changed';
      (call.resources[0] as { arn: string }).arn = 'changed';
      (call.eventTime as Date).setTime(at(9).getTime());
      call.userAgent = 'changed';
      const [read] = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(read!.entry).toStrictEqual(expected);
    });

    test('keeps each account and Region apart', async () => {
      const trail = await makeTrail();
      await trail.append(anEvent(OTHER_REGION, at(1)));
      await trail.append(anEvent(OTHER_ACCOUNT, at(1)));
      const mine = anEvent(AUDIT_SCOPE, at(1));
      await trail.append(mine);
      expect((await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) })).map((r) => r.entry.eventId)).toEqual([idOf(mine)]);
    });

    test('returns only the time range asked for, both ends included, across days', async () => {
      const trail = await makeTrail();
      const entries = [-90_000, 0, 5, 10, 90_000].map((s) => anEvent(AUDIT_SCOPE, at(s)));
      for (const e of entries) await trail.append(e);
      const read = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(read.map((r) => r.entry.eventTime.getTime())).toEqual([at(10), at(5), at(0)].map((d) => d.getTime()));
      expect(await readAll(trail, AUDIT_SCOPE, { from: at(-100_000), to: at(100_000) })).toHaveLength(5);
    });

    test('resumes after a position, also among events of the same millisecond', async () => {
      const trail = await makeTrail();
      const same = [1, 2, 3].map(() => anEvent(AUDIT_SCOPE, at(3)));
      for (const e of [anEvent(AUDIT_SCOPE, at(1)), ...same, anEvent(AUDIT_SCOPE, at(5))]) await trail.append(e);
      const all = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(all).toHaveLength(5);
      for (let i = 0; i < all.length; i++) {
        const rest = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10), after: all[i]!.position });
        expect(rest.map((r) => r.entry.eventId)).toEqual(all.slice(i + 1).map((r) => r.entry.eventId));
      }
    });

    test('concurrent appends are all kept', async () => {
      const trail = await makeTrail();
      const entries = Array.from({ length: 40 }, (_, i) => anEvent(AUDIT_SCOPE, at(i % 7)));
      await Promise.all(entries.map((e) => trail.append(e)));
      const read = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(read.map((r) => r.entry.eventId).sort()).toEqual(entries.map(idOf).sort());
    });

    test('fails with InvalidNextTokenException for a position it did not issue', async () => {
      const trail = await makeTrail();
      await trail.append(anEvent(AUDIT_SCOPE, at(1)));
      await expect(readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10), after: 'not-a-position' })).rejects.toBeInstanceOf(InvalidNextTokenException);
    });
  });
}
