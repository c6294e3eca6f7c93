/** Whether a resume after an emergency stop would hold (domain/emergency-resume.ts): each trigger and what clears it. */
import { resumeBlockedBy } from '../../domain/emergency-resume';
import { initialRiskState, type RiskState } from '../../domain/risk';
import { limitsFor } from '../../domain/ladder';
import { formatPct } from '../../domain/format';
import { DAY, defaultConfig, HOUR } from './helpers';

const cfg = defaultConfig();
const limits = limitsFor('PAPER', cfg);
const t0 = Date.UTC(2026, 10, 30);
const state = (o: Partial<RiskState>): RiskState => ({ ...initialRiskState('10000', t0), ...o });

test('a daily loss over the limit blocks until the next trading day, then clears', () => {
  const lost = state({ dailyPnl: '-620', equity: '9380' }); // 6.2 % of 10000
  const limit = { ...limits, dailyLossPct: '5' };
  expect(resumeBlockedBy(lost, limit, cfg, t0 + 3 * HOUR)).toBe(
    'resuming would stop the strategy again: daily loss 6.20% ≥ 5.00% limit still holds; it clears at 2026-12-01T00:00:00.000Z (new trading day)',
  );
  expect(resumeBlockedBy(lost, limit, cfg, t0 + DAY)).toBeNull();
});

test('drawdown and a losing streak are named with the limit that clears them; nothing held → null', () => {
  const r = resumeBlockedBy(state({ equity: '7000', peakEquity: '10000', consecutiveLosses: 9, dailyStart: t0 - DAY }), limits, cfg, t0)!;
  expect(r).toContain(`drawdown 30.00% ≥ ${formatPct(cfg.risk.maxDrawdownPct)}% limit still holds; it clears only when risk.maxDrawdownPct is raised`);
  expect(r).toContain(`9 consecutive losses ≥ ${cfg.risk.maxConsecutiveLosses} limit still holds`);
  expect(r).not.toContain('\n');
  expect(resumeBlockedBy(state({}), limits, cfg, t0 + HOUR)).toBeNull();
});
