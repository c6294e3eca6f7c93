/** The Web UI's user metadata for positions and strategies: summaries and markdown details (pure). */
import { positionDetails, positionSummary, timeExitSummary } from '../../workflows/position/details';
import { DETAILS_POSITIONS, describeCriterion, strategyDetails, strategySummary } from '../../workflows/strategy/details';
import { initialPositionView, type PositionView } from '../../workflows/position/api';
import type { StrategyStatus } from '../../workflows/strategy/api';

const UNLOCK = Date.UTC(2026, 11, 1, 12, 0);
const H = 3_600_000;

function view(over: Partial<PositionView> = {}): PositionView {
  return { ...initialPositionView('position-demo-arb-1', 'demo', { id: 'arb-1', symbol: 'ARB/USDT', unlockAt: UNLOCK, unlockAmount: '8000000', circulatingSupply: '100000000' }), ...over };
}

describe('position metadata', () => {
  test('summary: symbol, unlock to the minute in UTC, mode', () => {
    expect(positionSummary('ARB/USDT', UNLOCK, 'PAPER')).toBe('ARB/USDT · unlock 12-01 12:00 UTC · PAPER');
  });

  test('waiting position: status and unlock, no entry lines', () => {
    const md = positionDetails(view());
    expect(md).toBe('**ARB/USDT** · **WAITING_ENTRY**\n- unlock: 2026-12-01 12:00 UTC');
  });

  test('open position: entry, stop, target, time exit, P&L still open', () => {
    const md = positionDetails(
      view({ status: 'OPEN', mode: 'PAPER', entryAt: UNLOCK - H, entryPrice: '1.2345678', quantity: '100', stopPrice: '1.16', targetPrice: '1.05', timeExitAt: UNLOCK + 48 * H }),
    );
    expect(md.split('\n')).toEqual([
      '**ARB/USDT** · **OPEN** · PAPER',
      '- unlock: 2026-12-01 12:00 UTC',
      '- entry: 1.23457 × 100 at 2026-12-01 11:00 UTC',
      '- stop: 1.16 · target: 1.05',
      '- time exit: 2026-12-03 12:00 UTC',
      '- P&L: open (realised at the exit)',
    ]);
  });

  test('closed position: exit price, signed P&L with fees, exit reason', () => {
    const md = positionDetails(
      view({
        status: 'CLOSED',
        mode: 'PAPER',
        entryAt: UNLOCK - H,
        entryPrice: '1.2',
        quantity: '100',
        stopPrice: '1.26',
        targetPrice: '1.1',
        exitReason: 'TAKE_PROFIT',
        trade: { positionId: 'p', symbol: 'ARB/USDT', entryPrice: '1.2', exitPrice: '1.1', quantity: '100', fees: '0.23', pnl: '9.77', openedAt: UNLOCK - H, closedAt: UNLOCK + 2 * H, exitReason: 'TAKE_PROFIT' },
      }),
    );
    expect(md).toContain('- exit: 1.1 at 2026-12-01 14:00 UTC');
    expect(md).toContain('- P&L: +9.77 (fees 0.23)');
    expect(md).toContain('- exit reason: TAKE_PROFIT');
    expect(md).not.toContain('open (realised');
  });

  test('skipped position lists the refusal codes', () => {
    expect(positionDetails(view({ status: 'SKIPPED', reasons: [{ code: 'PRICE_DOWNTREND', message: 'x' }] }))).toContain('- reasons: PRICE_DOWNTREND');
  });

  test('holding timer summary: time exit relative to the unlock', () => {
    expect(timeExitSummary({ unlockAt: UNLOCK, timeExitAt: UNLOCK + 48 * H })).toBe('until unlock + 48 h');
    expect(timeExitSummary({ unlockAt: UNLOCK, timeExitAt: UNLOCK + 90 * 60_000 })).toBe('until unlock + 1.5 h');
    expect(timeExitSummary({ unlockAt: UNLOCK, timeExitAt: null })).toBe('until an exit level or an exit request');
  });
});

function status(over: Partial<StrategyStatus> = {}): StrategyStatus {
  return {
    strategyId: 'demo',
    mode: 'PAPER',
    state: 'RUNNING',
    phaseStartedAt: UNLOCK - 24 * H,
    modeSince: UNLOCK - 24 * H,
    gate: { kind: 'PAPER', evaluatedAt: null, nextEvaluationAt: UNLOCK + 6 * 24 * H, result: null, awaitingApproval: false, nextMode: 'LIVE_MINIMAL' },
    limits: {} as StrategyStatus['limits'],
    risk: {} as StrategyStatus['risk'],
    emergency: null,
    openPositions: 0,
    closedTrades: 0,
    lastRefusal: null,
    continuedAsNew: 0,
    approvals: null,
    ...over,
  };
}

describe('strategy metadata', () => {
  test('summary: id, mode, strategy type', () => {
    expect(strategySummary('demo', 'PAPER', 'token-unlock')).toBe('strategy demo · PAPER · token-unlock');
  });

  test('fresh strategy: mode since when, gate not evaluated yet with its due time, no positions', () => {
    expect(strategyDetails(status(), []).split('\n')).toEqual([
      '**PAPER** since 2026-11-30 12:00 UTC · RUNNING',
      '',
      '**Gate → LIVE_MINIMAL**: not evaluated yet · due 2026-12-07 12:00 UTC',
      '',
      '**Open positions**: 0',
    ]);
  });

  test('a large book: the count, the first positions by name, and how many more', () => {
    const book = Array.from({ length: DETAILS_POSITIONS + 5 }, (_, i) => ({ symbol: `S${i}/USDT`, status: 'OPEN', quantity: '1', entryPrice: '2' }));
    const lines = strategyDetails(status(), book).split('\n');
    expect(lines).toContain(`**Open positions**: ${DETAILS_POSITIONS + 5}`);
    expect(lines.filter((l) => /^- S\d+\/USDT/.test(l))).toHaveLength(DETAILS_POSITIONS);
    expect(lines[lines.length - 1]).toBe('- … and 5 more (`strategy positions` lists them all)');
  });

  test('gate criteria with value and threshold, open positions, last refusal', () => {
    const md = strategyDetails(
      status({
        gate: {
          kind: 'PAPER',
          evaluatedAt: UNLOCK,
          nextEvaluationAt: UNLOCK,
          awaitingApproval: false,
          nextMode: 'LIVE_MINIMAL',
          result: {
            passed: false,
            criteria: [
              { name: 'PAPER_PERIOD', passed: true, value: String(7 * 24 * H), threshold: String(7 * 24 * H), unit: 'ms', op: '>=' },
              { name: 'WIN_RATE', passed: false, value: '41.6666666667', threshold: '55', unit: '%', op: '>=' },
              { name: 'SHARPE', passed: true, value: 'n/a', threshold: '1', unit: 'ratio', op: '>=' },
            ],
            failed: [],
          },
        },
        lastRefusal: { at: UNLOCK, command: 'approve', reason: 'nothing is waiting for an approval' },
      }),
      [{ symbol: 'ARB/USDT', status: 'OPEN', quantity: '100', entryPrice: '1.2345678' }],
    );
    expect(md).toContain('**Gate → LIVE_MINIMAL**: evaluated 2026-12-01 12:00 UTC');
    expect(md).toContain('- PAPER_PERIOD 168 h (needs >= 168 h) ✓');
    // percentages at 2 decimals (domain/format.ts formatPct; was 6 significant digits: 41.6667 / 55)
    expect(md).toContain('- WIN_RATE 41.67 % (needs >= 55.00 %) ✗');
    expect(md).toContain('- SHARPE n/a (needs >= 1) ✓');
    expect(md).toContain('**Open positions**: 1\n- ARB/USDT · OPEN · 100 @ 1.23457');
    expect(md).toContain('**Last refusal** (approve, 2026-12-01 12:00 UTC): nothing is waiting for an approval');
  });

  test('emergency stop: no gate, the stop reason', () => {
    const md = strategyDetails(status({ mode: 'EMERGENCY_STOP', state: 'EMERGENCY_STOP', gate: { ...status().gate, kind: 'NONE', nextMode: null }, emergency: { at: UNLOCK, reason: 'daily loss', triggers: [], cooldownUntil: UNLOCK + H, resumeMode: 'PAPER' } }), []);
    expect(md).not.toContain('Gate');
    expect(md).toContain('**Emergency stop**: daily loss');
  });

  test('describeCriterion keeps a non-numeric value as it is', () => {
    // quote amounts (money) print at 2 decimals (domain/format.ts formatMoney; was -3.5 / 0)
    expect(describeCriterion({ name: 'NET_PNL', passed: false, value: '-3.5', threshold: '0', unit: 'quote', op: '>' })).toBe('NET_PNL -3.50 (needs > 0.00) ✗');
  });
});
