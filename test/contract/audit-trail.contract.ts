/** One suite every AuditTrail adapter must pass: ordering, ranges, scopes, resuming, bad positions. */
import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { type AuditEntry, KEY_RESOURCE_TYPE } from '../../lambda/core/audit/cloudtrail-event';
import { InvalidNextTokenException } from '../../lambda/core/audit/errors';
import type { Scope } from '../../lambda/core/model/key';
import type { AuditTrail } from '../../lambda/core/ports';

export const AUDIT_SCOPE: Scope = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const OTHER_REGION: Scope = { ...AUDIT_SCOPE, region: 'eu-west-1' };
const OTHER_ACCOUNT: Scope = { ...AUDIT_SCOPE, account: '444455556666' };
const T0 = new Date('2026-03-01T12:00:00Z');

export function anEntry(scope: Scope, eventTime: Date, overrides: Partial<AuditEntry> = {}): AuditEntry {
  const eventId = randomUUID();
  return {
    scope,
    eventId,
    eventTime,
    eventName: 'Encrypt',
    eventSource: 'kms.amazonaws.com',
    readOnly: true,
    username: 'Alice',
    accessKeyId: 'BYOKAAAAAAAAAAAAAAAA',
    resources: [{ type: KEY_RESOURCE_TYPE, arn: `arn:aws:kms:${scope.region}:${scope.account}:key/${randomUUID()}` }],
    cloudTrailEvent: JSON.stringify({ eventID: eventId, eventName: 'Encrypt', note: 'ünïcode ✓' }),
    ...overrides,
  };
}

async function readAll(trail: AuditTrail, scope: Scope, range: { from: Date; to: Date; after?: string }) {
  const out: { entry: AuditEntry; position: string }[] = [];
  for await (const item of trail.read(scope, range)) out.push(item);
  return out;
}

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

export function auditTrailContract(name: string, makeTrail: () => Promise<AuditTrail>): void {
  describe(`AuditTrail contract: ${name}`, () => {
    test('returns what was appended, every field intact, newest first', async () => {
      const trail = await makeTrail();
      const first = anEntry(AUDIT_SCOPE, at(1), { eventName: 'CreateKey', readOnly: false });
      const second = anEntry(AUDIT_SCOPE, at(2), { username: undefined, accessKeyId: undefined, resources: [] });
      await trail.append(first);
      await trail.append(second);
      const read = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      const strip = ({ username, accessKeyId, ...rest }: AuditEntry) => ({ ...rest, ...(username !== undefined && { username }), ...(accessKeyId !== undefined && { accessKeyId }) });
      expect(read.map((r) => strip(r.entry))).toEqual([strip(second), strip(first)]);
    });

    test('keeps each account and Region apart', async () => {
      const trail = await makeTrail();
      await trail.append(anEntry(OTHER_REGION, at(1)));
      await trail.append(anEntry(OTHER_ACCOUNT, at(1)));
      const mine = anEntry(AUDIT_SCOPE, at(1));
      await trail.append(mine);
      expect((await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) })).map((r) => r.entry.eventId)).toEqual([mine.eventId]);
    });

    test('returns only the time range asked for, both ends included, across days', async () => {
      const trail = await makeTrail();
      const entries = [-90_000, 0, 5, 10, 90_000].map((s) => anEntry(AUDIT_SCOPE, at(s)));
      for (const e of entries) await trail.append(e);
      const read = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(read.map((r) => r.entry.eventTime.getTime())).toEqual([at(10), at(5), at(0)].map((d) => d.getTime()));
      expect(await readAll(trail, AUDIT_SCOPE, { from: at(-100_000), to: at(100_000) })).toHaveLength(5);
    });

    test('resumes after a position, also among events of the same millisecond', async () => {
      const trail = await makeTrail();
      const same = [1, 2, 3].map(() => anEntry(AUDIT_SCOPE, at(3)));
      for (const e of [anEntry(AUDIT_SCOPE, at(1)), ...same, anEntry(AUDIT_SCOPE, at(5))]) await trail.append(e);
      const all = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(all).toHaveLength(5);
      for (let i = 0; i < all.length; i++) {
        const rest = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10), after: all[i]!.position });
        expect(rest.map((r) => r.entry.eventId)).toEqual(all.slice(i + 1).map((r) => r.entry.eventId));
      }
    });

    test('concurrent appends are all kept', async () => {
      const trail = await makeTrail();
      const entries = Array.from({ length: 40 }, (_, i) => anEntry(AUDIT_SCOPE, at(i % 7)));
      await Promise.all(entries.map((e) => trail.append(e)));
      const read = await readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10) });
      expect(read.map((r) => r.entry.eventId).sort()).toEqual(entries.map((e) => e.eventId).sort());
    });

    test('fails with InvalidNextTokenException for a position it did not issue', async () => {
      const trail = await makeTrail();
      await trail.append(anEntry(AUDIT_SCOPE, at(1)));
      await expect(readAll(trail, AUDIT_SCOPE, { from: at(0), to: at(10), after: 'not-a-position' })).rejects.toBeInstanceOf(InvalidNextTokenException);
    });
  });
}
