import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LedgerFile, type StoreContents, StoreDamagedError, reconcile } from '../../../../lambda/adapters/embedded/store-ledger';

const digest = (byte: number) => Buffer.alloc(32, byte);
const contents = (entries: number, ledger?: { seq: number; digest: Buffer }, content = digest(1)): StoreContents => ({
  entries: new Map(Array.from({ length: entries }, (_, i) => [`k${i}`, digest(i)])),
  digest: content,
  ledger,
});

describe('reconcile', () => {
  test('accepts a ledger entry equal to the ledger file, or one write ahead (killed before the file write; never acknowledged)', () => {
    expect(reconcile(contents(2, { seq: 7, digest: digest(1) }), { seq: 7, digest: digest(1) })).toEqual({ seq: 7, digest: digest(1) });
    expect(reconcile(contents(2, { seq: 8, digest: digest(1) }), { seq: 7, digest: digest(9) })).toEqual({ seq: 8, digest: digest(1) });
  });

  test('adopts a store with neither ledger entry nor file (new, or written before the ledger)', () => {
    expect(reconcile(contents(3), undefined)).toEqual({ seq: 0, digest: digest(1) });
  });

  test.each([
    ['content that differs from its ledger entry', contents(2, { seq: 7, digest: digest(2) }), { seq: 7, digest: digest(2) }, /does not match its ledger/],
    ['fewer writes than were acknowledged', contents(1, { seq: 3, digest: digest(1) }), { seq: 7, digest: digest(4) }, /holds 3 of the 7 writes acknowledged/],
    ['a ledger file far behind', contents(2, { seq: 9, digest: digest(1) }), { seq: 7, digest: digest(1) }, /does not belong to it/],
    ['the same count with another digest', contents(2, { seq: 7, digest: digest(1) }), { seq: 7, digest: digest(5) }, /does not belong to it/],
    ['a missing ledger file', contents(2, { seq: 7, digest: digest(1) }), undefined, /ledger file is missing/],
    ['an empty store after acknowledged writes', contents(0), { seq: 7, digest: digest(1) }, /empty, but 7 acknowledged writes/],
    ['a lost ledger entry', contents(2), { seq: 7, digest: digest(1) }, /ledger entry is missing/],
  ])('fails with StoreDamagedError on %s', (_, found, file, message) => {
    expect(() => reconcile(found, file)).toThrow(StoreDamagedError);
    expect(() => reconcile(found, file)).toThrow(message);
  });
});

describe('LedgerFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-ledger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads back the newest write, and the one before it when the newest slot is torn', () => {
    const path = join(dir, 'torn.ledger');
    const file = LedgerFile.open(path);
    expect(file.read()).toBeUndefined();
    file.write({ seq: 5, digest: digest(5) });
    file.write({ seq: 6, digest: digest(6) });
    expect(file.read()).toEqual({ seq: 6, digest: digest(6) });
    file.close();
    // WHEN the slot of write 6 (slot 0) is half overwritten
    const bytes = readFileSync(path);
    bytes.fill(0, 20, 40);
    writeFileSync(path, bytes);
    // THEN
    const reopened = LedgerFile.open(path);
    try {
      expect(reopened.read()).toEqual({ seq: 5, digest: digest(5) });
    } finally {
      reopened.close();
    }
  });

  test('fails with StoreDamagedError when no slot is readable', () => {
    const path = join(dir, 'garbage.ledger');
    writeFileSync(path, Buffer.alloc(128, 7));
    const file = LedgerFile.open(path);
    try {
      expect(() => file.read()).toThrow(/unreadable/);
    } finally {
      file.close();
    }
  });
});
