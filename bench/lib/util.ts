/** Small helpers of the benchmark: bounded waits, percentiles, free ports, formatting. */

/** the same bounded waits as the proof tests */
export { sleep, waitFor } from '../../test/helpers/wait';

/** Resolves with `p`, or rejects after `ms` naming `what`. */
export async function withTimeout<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${Math.round(ms / 1000)} s: ${what}`)), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Nearest-rank percentile (p in 0..100) of the values; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(s.length, rank) - 1]!;
}

export interface Dist {
  n: number;
  p50: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

export function dist(values: readonly number[]): Dist {
  const v = values.filter((x) => Number.isFinite(x));
  return {
    n: v.length,
    p50: percentile(v, 50),
    p99: percentile(v, 99),
    min: v.length ? Math.min(...v) : null,
    max: v.length ? Math.max(...v) : null,
    mean: v.length ? Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 10) / 10 : null,
  };
}

/** the one free-port helper of the project's tests */
export { freePort } from '../../test/helpers/ports';

/** "1234 ms" / "12.3 s" for humans; "—" for null. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Math.abs(v) < 10_000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(1)} s`;
}

export function mib(kb: number | null | undefined): string {
  if (kb === null || kb === undefined) return '—';
  return `${(kb / 1024).toFixed(0)} MiB`;
}

export function round(v: number | null | undefined, dp = 1): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const f = 10 ** dp;
  return Math.round(v * f) / f;
}

export function log(msg: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}

/** Renders rows as an aligned text table (first row = header). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
