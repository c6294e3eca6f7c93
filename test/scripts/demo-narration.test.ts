/**
 * Issue 17, defect 12: the demo narrates its own strategy only. Other strategies sharing the database
 * and the worker (one started with the CLI), info-level alerts and multi-line messages used to reach
 * the trader's lines; the narration now keeps the demo strategy's mode changes, positions and warnings,
 * one line each, and says each thing once.
 */
import { CLOSED_READ_OVERLAP_MS, DemoNarration, type AlertRow, type ClosedPositionRow } from '../../scripts/lib/demo-narration';
import type { OpenPositionInfo } from '../../workflows/strategy/api';

const status = (strategyId: string, mode = 'PAPER', awaitingApproval = false) => ({ strategyId, mode, state: 'RUNNING', gate: { awaitingApproval } }) as never;
const open = (positionId: string, symbol: string): OpenPositionInfo => ({ positionId, symbol, status: 'OPEN', mode: 'PAPER', quantity: '8532.4', notional: '1000', entryPrice: '0.1172003840420119027309194102337259304076' });
const closed = (id: string, strategyId: string, pnl: string): ClosedPositionRow => ({ id, strategyId, symbol: 'ARB/USDT', status: 'CLOSED', exitReason: 'STOP_LOSS', realizedPnl: pnl, entryPrice: '0.1172', exitPrice: '0.1160' });
const alert = (id: string, strategyId: string | null, severity: string, message: string): AlertRow => ({ id, strategyId, severity, kind: 'DAILY_LOSS', message });

test("narrates the demo strategy's events and nothing of other strategies", () => {
  const n = new DemoNarration('demo');
  const lines = n.next({
    status: status('demo'),
    open: [open('position-demo-arb-1', 'ARB/USDT')],
    closed: [closed('p-demo-1', 'demo', '-14.93011'), closed('p-other-1', 'momentum', '99')],
    alerts: [
      alert('a1', 'demo', 'critical', 'daily loss 5.2 % reached:\n  entries blocked until the next trading day'),
      alert('a2', 'momentum', 'critical', 'daily loss of another strategy'),
      alert('a3', null, 'error', 'a worker-wide alert'),
      alert('a4', 'demo', 'info', 'daily report written'),
    ],
  });
  expect(lines).toEqual([
    'mode PAPER (RUNNING)',
    'opened ARB/USDT: 8532.4 @ 0.1172 (position-demo-arb-1)',
    'closed ARB/USDT STOP_LOSS: P&L -14.93 USDT (entry 0.1172, exit 0.1160)',
    'critical: DAILY_LOSS: daily loss 5.2 % reached: entries blocked until the next trading day',
  ]);
  // another strategy's status is not the demo's mode
  expect(n.next({ status: status('momentum', 'LIVE_MINIMAL') })).toEqual([]);
});

test('says each thing once; a mode change and a passed gate are news', () => {
  const n = new DemoNarration('demo');
  const input = { status: status('demo'), open: [open('p1', 'OP/USDT')], closed: [closed('c1', 'demo', '1')], alerts: [alert('w1', 'demo', 'warning', 'slow exchange')] };
  expect(n.next(input)).toHaveLength(4);
  expect(n.next(input)).toEqual([]);
  expect(n.next({ ...input, status: status('demo', 'PAPER', true) })).toEqual(['mode PAPER (RUNNING) — gate passed, awaiting approval']);
  expect(n.next({ status: status('demo', 'LIVE_MINIMAL', true) })).toEqual(['mode LIVE_MINIMAL (RUNNING) — gate passed, awaiting approval']);
});

test('closed positions are read incrementally: from the latest closedAt seen (minus an overlap), the same lines', () => {
  const at = (id: string, ms: number): ClosedPositionRow => ({ ...closed(id, 'demo', '1'), closedAt: new Date(ms) });
  const all = [at('c1', 1_000_000), at('c2', 2_000_000), at('c3', 3_000_000)];
  // what a full read every tick says
  const full = new DemoNarration('demo');
  const fullLines = [full.next({ closed: all.slice(0, 2) }), full.next({ closed: all })];
  // the incremental read: the first tick reads everything, later ticks only rows closed since the cursor
  const inc = new DemoNarration('demo');
  expect(inc.closedSince()).toBeUndefined();
  const read = () => {
    const since = inc.closedSince();
    return since ? all.filter((p) => p.closedAt!.getTime() >= since.getTime()) : all.slice(0, 2);
  };
  const first = inc.next({ closed: read() });
  expect(inc.closedSince()).toEqual(new Date(2_000_000 - CLOSED_READ_OVERLAP_MS));
  const secondRead = read();
  expect(secondRead.map((p) => p.id)).toEqual(['c2', 'c3']);
  expect([first, inc.next({ closed: secondRead })]).toEqual(fullLines);
  expect(fullLines.flat()).toHaveLength(3);
  // another strategy's rows do not move the cursor
  inc.next({ closed: [{ ...at('x', 9_000_000), strategyId: 'momentum' }] });
  expect(inc.closedSince()).toEqual(new Date(3_000_000 - CLOSED_READ_OVERLAP_MS));
});
