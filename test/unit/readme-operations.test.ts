/** The README's table of supported operations is the registry the protocol adapter dispatches on. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { allOperations } from '../../lambda/core/operations/registry';

describe('README', () => {
  test('lists exactly the operations the service implements', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('## Supported operations');
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Area'));
    const documented = rows.flatMap((row) => [...row.split('|')[2]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
    const implemented = [...allOperations().keys()];
    expect([...documented].sort()).toEqual([...implemented].sort());
  });
});
