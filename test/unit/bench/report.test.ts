import { describe, expect, test } from 'vitest';
import { HEADER, median, type Measured, missedTargets, ratioSpread, rowsFor, spread, summarize, table } from '../../../bench/report';

const run = (rps: number, p99: number, p50 = p99 / 4, failed = 0): Measured => ({ rps, p50, p99, failed });

describe('median and spread', () => {
  test('the middle value of an odd count, the mean of the two middle ones of an even count, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  test('NaN for no values, and for values with a NaN (a round that measured nothing)', () => {
    expect(median([])).toBeNaN();
    expect(median([1, Number.NaN, 3])).toBeNaN();
    expect(spread([1, Number.NaN, 3])).toEqual({ median: Number.NaN, min: Number.NaN, max: Number.NaN });
  });

  test('spread is the median with the smallest and largest value', () => {
    expect(spread([0.3, 0.1, 0.25, 0.2, 0.22])).toEqual({ median: 0.22, min: 0.1, max: 0.3 });
  });
});

describe('summarize', () => {
  test('the ratios are the median of per-round ratios, not the ratio of the medians', () => {
    // Rates drift together (a busy machine slows both sides of a pair); the ratio stays 0.5 in
    // four rounds of five. The ratio of the medians (2000 / 5000 = 0.4) would miss.
    const summary = summarize({
      byok: [run(1000, 4), run(2000, 4), run(4000, 4), run(3000, 4), run(500, 4)],
      floor: [run(2000, 2), run(4000, 2), run(8000, 2), run(6000, 2), run(5000, 2)],
      moto: [run(100, 90), run(200, 80), run(150, 85)],
    });
    expect(summary.vsFloor).toEqual({ median: 0.5, min: 0.1, max: 0.5 });
    expect(summary.p99VsFloor).toEqual({ median: 2, min: 2, max: 2 });
    expect(summary.byok.rps).toBe(2000);
    expect(summary.floor.rps).toBe(5000);
  });

  test('the p99 ratio pairs the rounds too, and one spoilt round does not decide it', () => {
    const summary = summarize({
      byok: [run(1000, 3), run(1000, 40), run(1000, 3.2)],
      floor: [run(2000, 2), run(2000, 2), run(2000, 1.6)],
      moto: [run(50, 90)],
    });
    expect(summary.p99VsFloor).toEqual({ median: 2, min: 1.5, max: 20 });
  });

  test('each server shows its median req/s, p50 and p99, and its failures summed over the rounds', () => {
    const summary = summarize({
      byok: [run(900, 9, 1, 2), run(1100, 5, 3, 0), run(1000, 7, 2, 1)],
      floor: [run(3000, 2), run(3000, 2), run(3000, 2)],
      moto: [run(100, 90, 50, 0), run(90, 80, 60, 4)],
    });
    expect(summary.byok).toEqual({ rps: 1000, p50: 2, p99: 7, failed: 3 });
    expect(summary.moto).toEqual({ rps: 95, p50: 55, p99: 85, failed: 4 });
    expect(summary.vsMoto).toBeCloseTo(1000 / 95, 10);
  });

  test('refuses rounds that are not in pairs', () => {
    expect(() => summarize({ byok: [run(1, 1)], floor: [], moto: [] })).toThrow(/per pair/);
  });
});

describe('missedTargets', () => {
  const rounds = (byokRps: number[], byokP99: number[], motoRps = 100) =>
    summarize({
      byok: byokRps.map((rps, i) => run(rps, byokP99[i]!)),
      floor: byokRps.map(() => run(10_000, 2)),
      moto: [run(motoRps, 90)],
    });

  test('none when the median pair meets every target, even if one pair does not', () => {
    expect(missedTargets('Encrypt', rounds([5000, 3000, 6000], [4, 9, 3.5]))).toEqual([]);
  });

  test('exactly at the targets is met: 50 % of the floor, 2× its p99, 10× moto', () => {
    expect(missedTargets('Encrypt', rounds([5000], [4], 500))).toEqual([]);
  });

  test('each missed target in words, with the range of the rounds', () => {
    expect(missedTargets('Decrypt', rounds([2200, 2500, 2800], [6, 7, 5], 300))).toEqual([
      "Decrypt: 25 % of the floor's req/s (rounds 22–28 %; target ≥ 50 %)",
      "Decrypt: 8.3× moto's req/s (target ≥ 10×)",
      "Decrypt: p99 3.0× the floor's (rounds 2.5–3.5×; target ≤ 2×)",
    ]);
  });

  test('failed byok-kms requests miss, and a ratio that cannot be computed misses', () => {
    const failing = summarize({ byok: [run(6000, 3, 1, 5)], floor: [run(10_000, 2)], moto: [run(100, 90)] });
    expect(missedTargets('Encrypt', failing)).toEqual(['Encrypt: 5 byok-kms requests failed']);
    const silent = summarize({ byok: [run(0, Number.NaN)], floor: [run(10_000, 2)], moto: [run(100, 90)] });
    expect(missedTargets('GenerateDataKey', silent)).toEqual([
      "GenerateDataKey: 0 % of the floor's req/s (rounds 0–0 %; target ≥ 50 %)",
      "GenerateDataKey: 0.0× moto's req/s (target ≥ 10×)",
      "GenerateDataKey: no p99 to compare with the floor's (a round had no answer; target ≤ 2×)",
    ]);
  });
});

describe('the table', () => {
  test('a ratio cell is the median with the rounds\u2019 range beside it', () => {
    expect(ratioSpread({ median: 0.25, min: 0.221, max: 0.284 })).toBe('0.25× (0.22–0.28)');
    expect(ratioSpread({ median: 1061, min: 800, max: 1300.4 })).toBe('1061× (800–1300)');
    expect(ratioSpread({ median: Number.NaN, min: Number.NaN, max: Number.NaN })).toBe('—');
  });

  test('floor, byok-kms and moto lines under the operation, as the README shows them', () => {
    const summary = summarize({
      byok: [run(7000, 7, 2), run(7400, 6, 2.02), run(7209, 6.94, 2.01)],
      floor: [run(28000, 2.3, 0.46), run(29000, 2.4, 0.47), run(28417, 2.37, 0.45)],
      moto: [run(264, 92.33, 58.73)],
    });
    const text = table(HEADER, rowsFor('Encrypt', summary));
    expect(text.split('\n')).toEqual([
      '| operation | server   | req/s | p50 ms | p99 ms |          vs floor | vs moto |      p99 vs floor |',
      '|-----------|----------|------:|-------:|-------:|------------------:|--------:|------------------:|',
      '| Encrypt   | floor    | 28417 |   0.46 |   2.37 |                   |         |                   |',
      '|           | byok-kms |  7209 |   2.01 |   6.94 | 0.25× (0.25–0.26) |     27× | 2.93× (2.50–3.04) |',
      '|           | moto     |   264 |  58.73 |  92.33 |                   |         |                   |',
    ]);
  });

  test('a server that answered nothing shows none, with its failures', () => {
    const summary = summarize({ byok: [run(5, 2987, 2262)], floor: [run(23192, 2.82, 0.58)], moto: [run(0, Number.NaN, Number.NaN, 1107)] });
    const moto = rowsFor('GetParametersForImport', summary)[2]!;
    expect(moto).toEqual(['', 'moto', 'none (1107 failed)', '—', '—', '', '', '']);
    expect(rowsFor('GetParametersForImport', summary)[1]![6]).toBe('—');
  });
});
