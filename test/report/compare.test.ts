/** report/compare.ts: identical runs have no differences; each kind of difference is named with its why. */
import { compareRuns } from '../../report/compare';
import { comparisonHtml, comparisonText } from '../../report/compare-render';
import type { RunRecord } from '../../domain/run-record';
import { syntheticRunRecord } from '../helpers/run-record';

const clone = (r: RunRecord): RunRecord => JSON.parse(JSON.stringify(r)) as RunRecord;

test('a run compared with itself: every event equal, summary differences 0', () => {
  const a = syntheticRunRecord();
  const c = compareRuns(a, clone(a));
  expect(c.events.length).toBe(a.events.length);
  expect(c.differing).toEqual([]);
  for (const s of c.summary) if (s.diff !== null) expect(s.diff).toBe(0);
});

test('every differing event is named with the reason', () => {
  const backtest = syntheticRunRecord();
  const paper = clone(backtest);
  paper.id = 'paper-1';
  paper.kind = 'paper';
  const [t0, t1, t2] = paper.trades;
  // 1: paper filled at another price (live book vs candle close)
  t0!.entryPrice = String(Number(t0!.entryPrice) * 1.002);
  t0!.pnl = String(Number(t0!.pnl) - 2);
  // 2: paper did not enter: exposure cap
  paper.trades = paper.trades.filter((t) => t !== t1);
  paper.events.find((e) => e.eventId === t1!.eventId)!.entered = false;
  paper.events.find((e) => e.eventId === t1!.eventId)!.reasons = ['EXPOSURE_CAP'];
  // 3: other exit reason, later
  t2!.exitReason = t2!.exitReason === 'STOP_LOSS' ? 'TIME_EXIT' : 'STOP_LOSS';
  t2!.closedAt += 3 * 3_600_000;
  // 4: an event only the paper run saw
  paper.events.push({ eventId: 'ZZZ-2025-12-01', symbol: 'ZZZ/USDT', unlockAt: Date.UTC(2025, 11, 1), entered: false, reasons: ['LOW_VOLUME'] });

  const c = compareRuns(backtest, paper);
  const byId = new Map(c.differing.map((e) => [e.eventId, e]));
  expect([...byId.keys()].sort()).toEqual([t0!.eventId, t1!.eventId, t2!.eventId, 'ZZZ-2025-12-01'].sort());

  const price = byId.get(t0!.eventId)!.differences;
  expect(price.map((d) => d.field)).toEqual(['entryPrice', 'pnl']);
  expect(price[0]!.why).toContain('A candle close through the paper fill model vs B live order book');
  expect(price[1]!.why).toContain('-2');

  const skipped = byId.get(t1!.eventId)!.differences;
  expect(skipped).toEqual([{ field: 'entered', a: 'true', b: 'false', why: 'entered in run A only; run B did not enter: reason EXPOSURE_CAP' }]);

  const exit = byId.get(t2!.eventId)!.differences.map((d) => d.field);
  expect(exit).toEqual(['exitReason', 'exitTime']);
  expect(byId.get(t2!.eventId)!.differences[0]!.why).toContain('candle high/low');

  expect(byId.get('ZZZ-2025-12-01')!.differences[0]!.why).toContain('seen by run B only');

  const trades = c.summary.find((s) => s.statistic === 'trades')!;
  expect(trades).toEqual({ statistic: 'trades', a: backtest.trades.length, b: backtest.trades.length - 1, diff: -1 });

  const text = comparisonText(c);
  expect(text).toContain(`≠ ${t1!.eventId}`);
  expect(text).toContain('4 differ');
  const html = comparisonHtml({ ...c, a: { ...c.a, id: '<x>' } });
  expect(html).toContain('&lt;x&gt;');
  expect(html).not.toContain('<x>');
});
