/**
 * Assembles a backtest's RunRecord (domain/run-record.ts) from its trades and event outcomes: the
 * one place both the workflow backtest and the reference loop turn results into the report's shape.
 */
import { countExitReasons, type RunEvent, type RunRecord, type RunTrade } from '../domain/run-record';
import type { ReplayMarketData } from '../exchange/market-data/replay';
import type { BacktestInputs } from './inputs';
import { benchmarkCloses, dailyEquity } from './equity';
import { byEventOrder, byTradeOrder, tradeSlippage } from './valuation';
import type { ClosedTrade } from '../domain/types';

export interface TradeOutcome {
  trade: ClosedTrade;
  eventId: string;
  entryFee: string;
}

export async function buildRunRecord(o: { id: string; inputs: BacktestInputs; market: ReplayMarketData; trades: TradeOutcome[]; events: RunEvent[] }): Promise<RunRecord> {
  const { inputs } = o;
  const trades: RunTrade[] = [];
  for (const t of o.trades) trades.push({ ...t.trade, eventId: t.eventId, slippage: await tradeSlippage(t.trade, o.market) });
  trades.sort(byTradeOrder);
  const bySymbol = inputs.candles.bySymbol;
  return {
    id: o.id,
    kind: 'backtest',
    strategyId: inputs.config.strategyId,
    config: inputs.config,
    initialCapital: inputs.config.capital.initial,
    quoteCurrency: inputs.config.capital.currency,
    from: inputs.from,
    to: inputs.to,
    dataFingerprint: inputs.dataFingerprint,
    trades,
    events: [...o.events].sort(byEventOrder),
    dailyEquity: dailyEquity({
      trades: o.trades.map((t) => ({ trade: t.trade, entryFee: t.entryFee })),
      candles: bySymbol,
      initialCapital: inputs.config.capital.initial,
      from: inputs.from,
      to: inputs.to,
    }),
    benchmarkCloses: benchmarkCloses(
      trades.map((t) => t.symbol),
      bySymbol,
      inputs.from,
      inputs.to,
    ),
    exitReasons: countExitReasons(trades),
  };
}

/** A one-screen summary (also stored as BacktestRun.summaryJson). */
export function summarize(r: RunRecord, extra: Record<string, unknown> = {}) {
  const last = r.dailyEquity[r.dailyEquity.length - 1]?.equity ?? r.initialCapital;
  const pnl = r.trades.reduce((a, t) => a + Number(t.pnl), 0);
  const wins = r.trades.filter((t) => Number(t.pnl) > 0).length;
  return {
    id: r.id,
    strategyId: r.strategyId,
    from: new Date(r.from).toISOString(),
    to: new Date(r.to).toISOString(),
    events: r.events.length,
    entered: r.events.filter((e) => e.entered).length,
    trades: r.trades.length,
    winRatePct: r.trades.length ? Number(((wins / r.trades.length) * 100).toFixed(2)) : null,
    realizedPnl: pnl.toFixed(8),
    finalEquity: last,
    returnPct: Number((((Number(last) - Number(r.initialCapital)) / Number(r.initialCapital)) * 100).toFixed(4)),
    exitReasons: r.exitReasons,
    dataFingerprint: r.dataFingerprint,
    ...extra,
  };
}
