/** Every AuditTrail adapter on every engine: in memory, the embedded day files, DynamoDB on dynalite and on moto. */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DynamoAuditTrail } from '../../lambda/adapters/audit/dynamo-audit-trail';
import { FileAuditTrail } from '../../lambda/adapters/audit/file-audit-trail';
import { MemoryAuditTrail } from '../../lambda/adapters/audit/memory-audit-trail';
import { ensureKeyTable } from '../../lambda/adapters/dynamodb/ensure-table';
import { startDynalite } from '../../lambda/adapters/embedded/dynalite';
import type { AuditEvent } from '../../lambda/core/audit/cloudtrail-event';
import { principalOf } from '../../lambda/core/model/principal';
import { AUDIT_SCOPE, anEvent, auditTrailContract } from './audit-trail.contract';
import { type MotoServer, startMotoServer } from './support/dynamo-engines';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'byok-kms-audit-'));
  dirs.push(dir);
  return dir;
};
const NOW = () => new Date('2026-03-02T00:00:00Z');

/**
 * A Decrypt by a role session, and the text the day files and DynamoDB hold for it: written down from
 * what the trails stored before they were given facts instead of rendered events (D140), so that a
 * change of the rendering shows here.
 */
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const DECRYPT: AuditEvent = {
  eventType: 'AwsApiCall',
  call: {
    scope: AUDIT_SCOPE,
    caller: { principal: principalOf('arn:aws:iam::111122223333:role/app', 'AKIAEXAMPLE0000ROLE1'), accessKeyId: 'AKIAEXAMPLE0000ROLE1', issuedAt: new Date('2026-02-01T08:00:00.750Z') },
    eventName: 'Decrypt',
    eventTime: new Date('2026-03-01T12:00:00.250Z'),
    eventId: '00000000-0000-4000-8000-000000000001',
    requestId: '00000000-0000-4000-8000-000000000002',
    sourceIp: '127.0.0.1',
    userAgent: 'aws-cli/1.44.0 Python/3.11',
    readOnly: true,
    requestParameters: { encryptionContext: { Department: 'IT' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: KEY_ARN },
    responseElements: null,
    resources: [{ type: 'AWS::KMS::Key', arn: KEY_ARN }],
  },
};
const DECRYPT_FIELDS = "{\"id\":\"00000000-0000-4000-8000-000000000001\",\"t\":1772366400250,\"n\":\"Decrypt\",\"s\":\"kms.amazonaws.com\",\"ro\":true,\"u\":\"AKIAEXAMPLE0000ROLE1\",\"k\":\"AKIAEXAMPLE0000ROLE1\",\"res\":[[\"k\",\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"]]}";
const DECRYPT_EVENT = "{\"eventVersion\":\"1.11\",\"userIdentity\":{\"type\":\"AssumedRole\",\"principalId\":\"AROAULC5Q2FTPRTCYI73B:AKIAEXAMPLE0000ROLE1\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/app/AKIAEXAMPLE0000ROLE1\",\"accountId\":\"111122223333\",\"accessKeyId\":\"AKIAEXAMPLE0000ROLE1\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"AROAULC5Q2FTPRTCYI73B\",\"arn\":\"arn:aws:iam::111122223333:role/app\",\"accountId\":\"111122223333\",\"userName\":\"app\"},\"attributes\":{\"creationDate\":\"2026-02-01T08:00:00Z\",\"mfaAuthenticated\":\"false\"}}},\"eventTime\":\"2026-03-01T12:00:00Z\",\"eventSource\":\"kms.amazonaws.com\",\"eventName\":\"Decrypt\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"127.0.0.1\",\"userAgent\":\"aws-cli/1.44.0 Python/3.11\",\"requestParameters\":{\"encryptionContext\":{\"Department\":\"IT\"},\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"keyId\":\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"},\"responseElements\":null,\"requestID\":\"00000000-0000-4000-8000-000000000002\",\"eventID\":\"00000000-0000-4000-8000-000000000001\",\"readOnly\":true,\"resources\":[{\"accountId\":\"111122223333\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"}],\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"111122223333\",\"eventCategory\":\"Management\"}";

auditTrailContract('MemoryAuditTrail', async () => new MemoryAuditTrail());

describe('MemoryAuditTrail keeps only the newest entries (D96)', () => {
  const T = (seconds: number) => new Date(Date.UTC(2026, 2, 1, 12, 0, seconds));
  const read = async (trail: MemoryAuditTrail, scope = AUDIT_SCOPE, after?: string) => {
    const out: { id: string; position: string }[] = [];
    for await (const { entry, position } of trail.read(scope, { from: T(0), to: T(59), ...(after !== undefined && { after }) })) out.push({ id: entry.eventId, position });
    return out;
  };

  test('the oldest entries by event time go first, whatever the order they arrived in and whichever account they belong to', async () => {
    const trail = new MemoryAuditTrail(3);
    const other = { ...AUDIT_SCOPE, account: '444455556666' };
    const [a, b, c, d, e] = [anEvent(AUDIT_SCOPE, T(1)), anEvent(other, T(2)), anEvent(AUDIT_SCOPE, T(3)), anEvent(AUDIT_SCOPE, T(4)), anEvent(AUDIT_SCOPE, T(5))];
    for (const entry of [c, a, b, e]) await trail.append(entry);
    expect((await read(trail)).map((r) => r.id)).toEqual([e.call.eventId, c.call.eventId]); // a was the oldest of four
    expect((await read(trail, other)).map((r) => r.id)).toEqual([b.call.eventId]);
    await trail.append(d);
    expect((await read(trail)).map((r) => r.id)).toEqual([e.call.eventId, d.call.eventId, c.call.eventId]); // b, the oldest, went
    expect(await read(trail, other)).toEqual([]);
    await trail.append(a); // older than all it keeps: not kept
    expect((await read(trail)).map((r) => r.id)).toEqual([e.call.eventId, d.call.eventId, c.call.eventId]);
  });

  test('holds at most its limit over many appends, and pages resume where they stopped', async () => {
    const trail = new MemoryAuditTrail(50);
    const entries = Array.from({ length: 1000 }, (_, i) => anEvent(AUDIT_SCOPE, T(i % 60)));
    for (const entry of entries) await trail.append(entry);
    const all = await read(trail);
    expect(all).toHaveLength(50);
    const newest = entries.map((e) => ({ id: e.call.eventId, position: `${String(e.call.eventTime.getTime()).padStart(15, '0')}#${e.call.eventId}` }));
    newest.sort((x, y) => (x.position < y.position ? 1 : -1));
    expect(all).toEqual(newest.slice(0, 50));
    expect((await read(trail, AUDIT_SCOPE, all[9]!.position)).map((r) => r.id)).toEqual(all.slice(10).map((r) => r.id));
  });

  test('a reader keeps its place while appends push entries out under it', async () => {
    const trail = new MemoryAuditTrail(4);
    const kept = [1, 2, 3, 4].map((s) => anEvent(AUDIT_SCOPE, T(s)));
    for (const entry of kept) await trail.append(entry);
    const seen: string[] = [];
    for await (const { entry } of trail.read(AUDIT_SCOPE, { from: T(0), to: T(59) })) {
      seen.push(entry.eventId);
      if (seen.length === 1) for (const s of [10, 11]) await trail.append(anEvent(AUDIT_SCOPE, T(s))); // drops T(1) and T(2)
    }
    expect(seen).toEqual([kept[3]!.call.eventId, kept[2]!.call.eventId]);
  });

  test('renders a held event on reading it exactly as the day files and DynamoDB hold it', async () => {
    const trail = new MemoryAuditTrail();
    await trail.append(DECRYPT);
    const read = [];
    for await (const { entry } of trail.read(AUDIT_SCOPE, { from: T(0), to: T(59) })) read.push(entry);
    expect(read.map((e) => e.cloudTrailEvent)).toStrictEqual([DECRYPT_EVENT]);
  });

  test('refuses a limit below 1', () => {
    expect(() => new MemoryAuditTrail(0)).toThrow(RangeError);
  });
});
auditTrailContract('FileAuditTrail', async () => new FileAuditTrail(freshDir(), { now: NOW }));

describe('DynamoAuditTrail on dynalite', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  beforeAll(async () => {
    dynalite = await startDynalite({});
  });
  afterAll(async () => dynalite?.close());
  auditTrailContract('DynamoAuditTrail on dynalite', async () => {
    const table = `audit-${randomUUID()}`;
    await ensureKeyTable(dynalite.client, table); // the same pk/sk string schema
    return new DynamoAuditTrail(dynalite.client, table);
  });

  test('an item holds the lookup fields and the CloudTrail event rendered from the facts, compressed', async () => {
    const table = `audit-${randomUUID()}`;
    await ensureKeyTable(dynalite.client, table);
    await new DynamoAuditTrail(dynalite.client, table).append(DECRYPT);
    const { Item } = await dynalite.client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'aws/111122223333/us-east-1' }, sk: { S: '001772366400250#00000000-0000-4000-8000-000000000001' } } }));
    expect({ f: Item?.f?.S, e: inflateRawSync(Item!.e!.B!).toString('utf8'), expiresAt: Item?.expiresAt?.N }).toStrictEqual({ f: DECRYPT_FIELDS, e: DECRYPT_EVENT, expiresAt: String(1772366400 + 90 * 86_400) });
  });
});

describe('DynamoAuditTrail on moto', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    // DynamoDB's conditional writes are atomic; moto's are only when it serves one request at a time (startMotoServer).
    moto = await startMotoServer({ oneRequestAtATime: true });
  });
  afterAll(async () => moto?.stop());
  auditTrailContract('DynamoAuditTrail on moto', async () => {
    const table = `audit-${randomUUID()}`;
    await ensureKeyTable(moto.client, table);
    return new DynamoAuditTrail(moto.client, table);
  });
});

describe('FileAuditTrail on disk', () => {
  const read = async (trail: FileAuditTrail) => {
    const ids: string[] = [];
    for await (const { entry } of trail.read(AUDIT_SCOPE, { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-12-31T00:00:00Z') })) ids.push(entry.eventId);
    return ids;
  };

  test('keeps one 0600 JSON-lines file per UTC day, and another instance on the directory reads them', async () => {
    const dir = freshDir();
    const trail = new FileAuditTrail(dir, { now: NOW });
    const a = anEvent(AUDIT_SCOPE, new Date('2026-03-01T23:59:59Z'));
    const b = anEvent(AUDIT_SCOPE, new Date('2026-03-02T00:00:01Z'));
    await trail.append(a);
    await trail.append(b);
    expect(readdirSync(join(dir, 'audit')).sort()).toEqual(['2026-03-01.jsonl', '2026-03-02.jsonl']);
    expect(statSync(join(dir, 'audit', '2026-03-01.jsonl')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'audit', '2026-03-02.jsonl'), 'utf8').split('\n')).toHaveLength(2); // one line, then the newline
    expect(await read(new FileAuditTrail(dir, { now: NOW }))).toEqual([b.call.eventId, a.call.eventId]);
  });

  test('reads what another append added after its last read, and mends a line a crash tore', async () => {
    const dir = freshDir();
    const trail = new FileAuditTrail(dir, { now: NOW });
    const a = anEvent(AUDIT_SCOPE, new Date('2026-03-01T10:00:00Z'));
    await trail.append(a);
    expect(await read(trail)).toEqual([a.call.eventId]);
    const b = anEvent(AUDIT_SCOPE, new Date('2026-03-01T11:00:00Z'));
    await trail.append(b);
    expect(await read(trail)).toEqual([b.call.eventId, a.call.eventId]);
    // a crash in the middle of a write leaves half a line
    appendFileSync(join(dir, 'audit', '2026-03-01.jsonl'), '{"sc":"aws/111122223333/us-east-1","id":"torn');
    const reopened = new FileAuditTrail(dir, { now: NOW });
    const c = anEvent(AUDIT_SCOPE, new Date('2026-03-01T12:00:00Z'));
    await reopened.append(c);
    expect(await read(reopened)).toEqual([c.call.eventId, b.call.eventId, a.call.eventId]);
  });

  test("a day file's line holds the lookup fields and the CloudTrail event rendered from the facts", async () => {
    const dir = freshDir();
    await new FileAuditTrail(dir, { now: NOW }).append(DECRYPT);
    const line = JSON.stringify({ sc: 'aws/111122223333/us-east-1', ...JSON.parse(DECRYPT_FIELDS), e: DECRYPT_EVENT });
    expect(readFileSync(join(dir, 'audit', '2026-03-01.jsonl'), 'utf8')).toBe(`${line}\n`);
  });

  test('deletes day files older than the 90-day retention', async () => {
    const dir = freshDir();
    const old = new FileAuditTrail(dir, { now: () => new Date('2026-01-01T00:00:00Z') });
    await old.append(anEvent(AUDIT_SCOPE, new Date('2026-01-01T00:00:00Z')));
    await old.append(anEvent(AUDIT_SCOPE, new Date('2026-03-01T00:00:00Z')));
    new FileAuditTrail(dir, { now: () => new Date('2026-04-15T00:00:00Z') }); // 104 days later
    expect(readdirSync(join(dir, 'audit'))).toEqual(['2026-03-01.jsonl']);
  });
});
