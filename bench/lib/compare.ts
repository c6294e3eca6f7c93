/**
 * `npm run bench -- --servers default,tuned`: every scenario runs on a default dev server and on one
 * with the tuned settings (scripts/lib/dev-server-tuning.ts), one after the other, same code. This
 * prints them side by side with the ratio tuned / default: on a shared machine the absolute figures
 * move with the load, the ratio of two measurements made the same hour much less.
 */
import type { ScenarioSummary } from '../run';
import { mib, ms, round, type Dist } from './util';

export type ServerKind = 'default' | 'tuned';

type Pick = { label: string; get: (s: ScenarioSummary) => number | null; fmt: (x: number | null) => string };

const p50 = (d: Dist) => d.p50;
const p99 = (d: Dist) => d.p99;
const num = (x: number | null) => (x === null ? '—' : String(x));

const FIGURES: Pick[] = [
  { label: 'entry: signal → order acknowledged p50', get: (s) => p50(s.entry.signalToAck), fmt: ms },
  { label: 'entry: signal → order acknowledged p99', get: (s) => p99(s.entry.signalToAck), fmt: ms },
  { label: 'entry lateness vs schedule p50', get: (s) => p50(s.entry.lagBehindTarget), fmt: ms },
  { label: 'entry lateness vs schedule p99', get: (s) => p99(s.entry.lagBehindTarget), fmt: ms },
  { label: 'entry phase wall time (first run)', get: (s) => s.entry.wallMs[0] ?? null, fmt: ms },
  { label: 'stop → all exits acked by the venue p50', get: (s) => p50(s.stop.allExitsAcked), fmt: ms },
  { label: 'stop → all exit rows FILLED p50', get: (s) => p50(s.stop.allFilledSeen), fmt: ms },
  { label: 'stop → update returned p50', get: (s) => p50(s.stop.updateReturned), fmt: ms },
  { label: 'stop → last exitPosition signal delivered p50', get: (s) => p50(s.stop.lastExitSignalDelivered), fmt: ms },
  { label: 'stop → all position workflows completed p50', get: (s) => p50(s.stop.positionsCompleted), fmt: ms },
  { label: 'workflow tasks/s over the run p50', get: (s) => p50(s.history.wftPerSec), fmt: num },
  { label: 'workflow tasks/s, entry phase p50', get: (s) => p50(s.history.entryPhaseWftPerSec), fmt: num },
  { label: 'server CPU cores, entry phase p50', get: (s) => p50(s.cores.entryServer), fmt: num },
  { label: 'worker RSS, all N open', get: (s) => s.rss.atOpenKb, fmt: mib },
  { label: 'worker RSS peak (VmHWM)', get: (s) => s.rss.hwmKb, fmt: mib },
  // the bare-SDK floor measured on each of the two servers in the same run (bench/lib/floor.ts)
  { label: 'floor: start burst, workflow tasks/s', get: (s) => s.floor?.startBurstWftPerSec ?? null, fmt: num },
  { label: 'floor: N signals → all N workflows closed', get: (s) => s.floor?.fanOutMs ?? null, fmt: ms },
  { label: 'floor: worker RSS with N open', get: (s) => s.floor?.openRssKb ?? null, fmt: mib },
];

/** Rows: figure | default | tuned | tuned / default, per scenario measured on both servers. */
export function sideBySide(summaries: ScenarioSummary[]): string[][] {
  const rows: string[][] = [['scenario · figure', 'default server', 'tuned server', 'tuned / default']];
  const bases = [...new Set(summaries.map((s) => s.name.split('@')[0]!))];
  for (const b of bases) {
    const def = summaries.find((s) => s.name === `${b}@default`);
    const tun = summaries.find((s) => s.name === `${b}@tuned`);
    if (!def || !tun) continue;
    rows.push([`${b} (${def.okRuns}/${def.runs} and ${tun.okRuns}/${tun.runs} runs ok)`, '', '', '']);
    for (const f of FIGURES) {
      const a = f.get(def);
      const t = f.get(tun);
      rows.push([`  ${f.label}`, f.fmt(a), f.fmt(t), a && t !== null ? `${round(t / a, 2)}` : '—']);
    }
  }
  return rows;
}
