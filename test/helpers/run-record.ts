/**
 * A synthetic RunRecord for report tests: closed-form prices (no RNG) for three symbols over 120 days,
 * a trade every ~9 days with each exit reason, skipped events with reason codes, daily MTM equity built
 * from the trades. Not a backtest result: only a well-formed record with every section populated.
 */
import type { RunRecord, RunTrade, RunEvent, EquityPoint } from '../../domain/run-record';
import type { ExitReason } from '../../domain/types';

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const SYMBOLS = ['ARB/USDT', 'OP/USDT', 'APT/USDT'];
const REASONS: ExitReason[] = ['TAKE_PROFIT', 'STOP_LOSS', 'TIME_EXIT', 'TAKE_PROFIT', 'TIME_EXIT'];

export const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const priceOf = (symbol: string, day: number) => {
  const k = SYMBOLS.indexOf(symbol) + 1;
  return Number((k * (1 + 0.2 * Math.sin(day / (7 + k)) + 0.001 * day)).toFixed(6));
};

export function syntheticRunRecord(overrides: Partial<RunRecord> = {}, days = 120): RunRecord {
  const trades: RunTrade[] = [];
  const events: RunEvent[] = [];
  for (let i = 0, day = 3; day + 3 < days; i++, day += 9) {
    const symbol = SYMBOLS[i % SYMBOLS.length]!;
    const eventId = `${symbol.split('/')[0]}-${dateOf(START + (day + 1) * DAY)}`;
    const unlockAt = START + (day + 1) * DAY;
    if (i % 4 === 3) {
      events.push({ eventId, symbol, unlockAt, entered: false, reasons: [i % 8 === 3 ? 'LOW_VOLUME' : 'EXPOSURE_CAP'] });
      continue;
    }
    const entry = priceOf(symbol, day);
    const exit = priceOf(symbol, day + 3);
    const qty = Number((1000 / entry).toFixed(4));
    const fees = (entry + exit) * qty * 0.001;
    const pnl = (exit - entry) * qty - fees;
    const positionId = `pos-${eventId}`;
    trades.push({
      positionId, eventId, symbol, quantity: String(qty), entryPrice: String(entry), exitPrice: String(exit),
      fees: fees.toFixed(8), pnl: pnl.toFixed(8), slippage: (fees / 2).toFixed(8),
      openedAt: START + day * DAY + 3_600_000, closedAt: START + (day + 3) * DAY + 7_200_000, exitReason: REASONS[i % REASONS.length]!,
    });
    events.push({ eventId, symbol, unlockAt, entered: true, reasons: [], positionId });
  }
  const dailyEquity: EquityPoint[] = [];
  for (let day = 0; day < days; day++) {
    const close = START + (day + 1) * DAY;
    let eq = 10_000;
    for (const t of trades) {
      if (t.closedAt <= close) eq += Number(t.pnl);
      else if (t.openedAt <= close) eq += (priceOf(t.symbol, day) - Number(t.entryPrice)) * Number(t.quantity);
    }
    dailyEquity.push({ date: dateOf(START + day * DAY), equity: eq.toFixed(8) });
  }
  const benchmarkCloses: RunRecord['benchmarkCloses'] = {};
  for (const s of SYMBOLS) benchmarkCloses[s] = Object.fromEntries(dailyEquity.map((p, day) => [p.date, String(priceOf(s, day))]));
  return {
    id: 'backtest:synthetic-1', kind: 'backtest', strategyId: 'synthetic', config: { strategyId: 'synthetic' },
    initialCapital: '10000', quoteCurrency: 'USDT', from: START, to: START + days * DAY, dataFingerprint: 'f'.repeat(64),
    trades, events, dailyEquity, benchmarkCloses,
    ...overrides,
  };
}
