/**
 * Buy-and-hold of the traded symbols, equal weight: the initial capital split evenly over the symbols in
 * `benchmarkCloses`, each bought at its first close and held. A day without a close for a symbol carries
 * its last close forward (and a symbol not yet quoted stays cash until its first close).
 */
import type { RunRecord } from '../domain/run-record';
import type { DatedValue } from '../domain/performance';

export function buyAndHold(record: Pick<RunRecord, 'initialCapital' | 'benchmarkCloses' | 'dailyEquity'>): DatedValue[] {
  const symbols = Object.keys(record.benchmarkCloses).sort();
  const dates = record.dailyEquity.map((p) => p.date);
  if (!symbols.length || !dates.length) return [];
  const slice = Number(record.initialCapital) / symbols.length;
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  return dates.map((date) => {
    let value = 0;
    for (const s of symbols) {
      const close = record.benchmarkCloses[s]![date];
      if (close !== undefined && Number(close) > 0) {
        last.set(s, Number(close));
        if (!first.has(s)) first.set(s, Number(close));
      }
      const p0 = first.get(s);
      value += p0 === undefined ? slice : (slice * last.get(s)!) / p0;
    }
    return { date, value };
  });
}
