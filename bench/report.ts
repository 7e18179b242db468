/**
 * The arithmetic and the table of `npm run bench` (bench/run.ts), apart from the processes it
 * measures, so that it can be tested: per-round ratios and their median and spread (D141), the
 * verdict on the targets of issue 11, and the table's rows.
 */

/** One load run of one server: bench/load.mjs's answer. */
export interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

/** One row's rounds: byok-kms's and the floor's in pairs (the same index is one round), moto's apart. */
export interface Rounds {
  readonly byok: readonly Measured[];
  readonly floor: readonly Measured[];
  readonly moto: readonly Measured[];
}

/** A median with the smallest and the largest value it was taken from. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** What one row shows and is judged on. */
export interface Summary {
  /** Each server's medians over its rounds (req/s, p50 and p99 each on its own), failures summed. */
  readonly byok: Measured;
  readonly floor: Measured;
  readonly moto: Measured;
  /** byok-kms's req/s over the floor's, round by round. */
  readonly vsFloor: Spread;
  /** byok-kms's p99 over the floor's, round by round. */
  readonly p99VsFloor: Spread;
  /** byok-kms's median req/s over moto's (moto's rounds are not paired: D141). */
  readonly vsMoto: number;
}

export const TARGETS = { floorShare: 0.5, motoMultiple: 10, p99VsFloor: 2, startSeconds: 0.4 } as const;

/** The middle value (the mean of the two middle ones for an even count); NaN for none or when one is NaN. */
export function median(values: readonly number[]): number {
  if (values.length === 0 || values.some((v) => Number.isNaN(v))) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median, min and max; a NaN among the values (a round without an answer) makes all three NaN. */
export function spread(values: readonly number[]): Spread {
  const middle = median(values);
  if (Number.isNaN(middle)) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: middle, min: Math.min(...values), max: Math.max(...values) };
}

function medians(rounds: readonly Measured[]): Measured {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
  };
}

export function summarize(rounds: Rounds): Summary {
  if (rounds.byok.length !== rounds.floor.length) throw new Error(`${rounds.byok.length} byok-kms rounds but ${rounds.floor.length} of the floor: the ratios are per pair`);
  const byok = medians(rounds.byok);
  const moto = medians(rounds.moto);
  return {
    byok,
    floor: medians(rounds.floor),
    moto,
    vsFloor: spread(rounds.byok.map((b, i) => b.rps / rounds.floor[i]!.rps)),
    p99VsFloor: spread(rounds.byok.map((b, i) => b.p99 / rounds.floor[i]!.p99)),
    vsMoto: byok.rps / moto.rps,
  };
}

/**
 * The targets of issue 11 one gated operation missed, in words. Each is judged on the median of
 * the per-round ratios; a ratio that could not be computed (NaN: a server answered nothing) misses.
 */
export function missedTargets(action: string, summary: Summary): string[] {
  const missed: string[] = [];
  const { vsFloor, p99VsFloor, vsMoto, byok } = summary;
  const range = (s: Spread, scale: number, digits: number) => `${(s.min * scale).toFixed(digits)}–${(s.max * scale).toFixed(digits)}`;
  if (!(vsFloor.median >= TARGETS.floorShare)) {
    missed.push(`${action}: ${(100 * vsFloor.median).toFixed(0)} % of the floor's req/s (rounds ${range(vsFloor, 100, 0)} %; target ≥ 50 %)`);
  }
  if (!(vsMoto >= TARGETS.motoMultiple)) missed.push(`${action}: ${vsMoto.toFixed(1)}× moto's req/s (target ≥ 10×)`);
  if (Number.isNaN(p99VsFloor.median)) missed.push(`${action}: no p99 to compare with the floor's (a round had no answer; target ≤ 2×)`);
  else if (!(p99VsFloor.median <= TARGETS.p99VsFloor)) {
    missed.push(`${action}: p99 ${p99VsFloor.median.toFixed(1)}× the floor's (rounds ${range(p99VsFloor, 1, 1)}×; target ≤ 2×)`);
  }
  if (byok.failed > 0) missed.push(`${action}: ${byok.failed} byok-kms requests failed`);
  return missed;
}

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');
export const ratio = (v: number) => (Number.isFinite(v) ? `${v >= 10 ? v.toFixed(0) : v.toFixed(2)}×` : '—');
const bare = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(2));
/** `0.25× (0.22–0.28)`: the median of the rounds' ratios, their range beside it. */
export const ratioSpread = (s: Spread) => (Number.isFinite(s.median) ? `${ratio(s.median)} (${bare(s.min)}–${bare(s.max)})` : '—');

export const HEADER = ['operation', 'server', 'req/s', 'p50 ms', 'p99 ms', 'vs floor', 'vs moto', 'p99 vs floor'] as const;

/** One operation's three lines of the table: floor, byok-kms (with the ratios), moto. */
export function rowsFor(action: string, summary: Summary): string[][] {
  return (['floor', 'byok-kms', 'moto'] as const).map((name) => {
    const m = name === 'floor' ? summary.floor : name === 'moto' ? summary.moto : summary.byok;
    const failed = m.failed > 0 ? ` (${m.failed} failed)` : '';
    const ours = name === 'byok-kms';
    return [
      name === 'floor' ? action : '',
      name,
      m.rps > 0 ? `${m.rps.toFixed(0)}${failed}` : `none${failed}`,
      ms(m.p50),
      ms(m.p99),
      ours ? ratioSpread(summary.vsFloor) : '',
      ours ? ratio(summary.vsMoto) : '',
      ours ? ratioSpread(summary.p99VsFloor) : '',
    ];
  });
}

/** A Markdown table: the first two columns left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
