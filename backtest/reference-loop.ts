/**
 * The reference loop: the same backtest as backtest/engine.ts, as a plain in-process loop over the
 * calendar, calling the same domain functions the workflows call (calendar pre-filter, entry
 * filters, pre-trade risk with the correlation guard's entry rule, sizing, exit levels, the paper fill
 * model over the same replayed book, P&L, risk-state updates, emergency triggers). No Temporal, no DB.
 *
 * Not modelled: the correlation TRIGGER among open positions. The workflow checks it on its loop turns
 * (scan interval, wake-ups), whose times this loop does not reproduce; a data set where open positions
 * cross risk.maxCorrelation would show up as a parity difference (the shipped sample never does: its
 * symbols' daily returns correlate at most at r ≈ 0.24 over the year).
 *
 * Two uses: parity (test/backtest/parity.test.ts: the workflow backtest must produce the same trades)
 * and the speed floor the benchmark compares the workflow backtest with.
 *
 * It follows the workflows' order of decisions: an event is pre-filtered when the strategy first
 * sees it; at its entry target the position reads a snapshot, the filters decide, then the strategy
 * (risk state rolled to now, mode, sizing, pre-trade risk) approves; the entry fills, the exit levels
 * are set and the first stop / target crossing before the time exit ends the trade (open positions
 * exit at market when the run ends, as a strategy stop does). Exits due before an entry are booked
 * first, as the positions' end signals reach the strategy before a later entry request.
 */
import type { RunEvent, RunRecord } from '../domain/run-record';
import type { ClosedTrade, ExitReason, UnlockEvent } from '../domain/types';
import { getPlaybook } from '../domain/playbook';
import { entryWindow } from '../domain/unlock-playbook';
import { applyClosedTrade, checkPreTradeRisk, evaluateEmergencyTriggers, initialRiskState, rollRiskPeriods, type RiskState, type RiskViolation } from '../domain/risk';
import { correlationCheckNeeded, entryCorrelation } from '../domain/correlation';
import { dailyClosesOf } from '../exchange/market-data/daily-closes';
import { belowVenueMinimum, sizePosition, venueSizing } from '../domain/sizing';
import { simulateFill } from '../domain/fills';
import { closedTrade } from '../domain/pnl';
import { limitsFor } from '../domain/ladder';
import { d, toStr } from '../domain/money';
import { clientOrderIdFor } from '../domain/ids';
import { hashString32 } from '../domain/seeded-random';
import { ReplayMarketData } from '../exchange/market-data/replay';
import { noopWaitContext } from '../exchange/market-data/common';
import { positionWorkflowId } from '../workflows/position/api';
import type { BacktestInputs } from './inputs';
import { buildRunRecord, type TradeOutcome } from './record';

/** Exit rounds before the position workflow asks a human (workflows/position.ts MAX_EXIT_ROUNDS). */
const MAX_EXIT_ROUNDS = 5;

interface Open {
  event: UnlockEvent;
  positionId: string;
  quantity: string;
  entryPrice: string;
  entryFee: string;
  openedAt: number;
  exitAt: number;
  exitReason: ExitReason;
}

export async function runReferenceLoop(inputs: BacktestInputs, id = 'backtest:reference'): Promise<{ record: RunRecord; wallMs: number }> {
  const t0 = performance.now();
  const { config: cfg, from, to } = inputs;
  const playbook = getPlaybook(cfg.strategy);
  const market = new ReplayMarketData([...inputs.candles.bySymbol.values()].flat(), { name: 'candles' });
  const feeRate = cfg.exchange.feeRate;
  const mode = 'PAPER' as const;
  let risk: RiskState = initialRiskState(cfg.capital.initial, from);
  let halted = false;
  const open = new Map<string, Open>();
  const trades: TradeOutcome[] = [];
  const events: RunEvent[] = [];
  const exposure = () => toStr([...open.values()].reduce((a, p) => a.plus(d(p.quantity).times(d(p.entryPrice))), d(0)));

  const fill = async (symbol: string, side: 'buy' | 'sell', amount: string, t: number, clientOrderId: string) => {
    // at the market's tick and lot step, as the paper broker fills (domain/precision.ts via simulateFill)
    const [snap, book, precision] = await Promise.all([market.snapshot(symbol, t), market.orderBook(symbol, t, 50), market.precision(symbol)]);
    return simulateFill({ side, type: 'market', amount, bid: snap.bid, ask: snap.ask, book, volume24hQuote: snap.volume24hQuote, feeRate, seed: hashString32(clientOrderId), precision });
  };

  const close = async (p: Open, at: number, reason: ExitReason) => {
    let remaining = d(p.quantity);
    let proceeds = d(0);
    let fee = d(0);
    let filled = d(0);
    for (let round = 0; remaining.gt(0) && round < MAX_EXIT_ROUNDS; round++) {
      const r = await fill(p.event.symbol, 'sell', toStr(remaining), at, clientOrderIdFor(p.positionId, 'exit', round === 0 ? undefined : round));
      filled = filled.plus(d(r.filledAmount));
      proceeds = proceeds.plus(d(r.filledAmount).times(d(r.avgPrice)));
      fee = fee.plus(d(r.fee));
      remaining = remaining.minus(d(r.filledAmount));
    }
    const trade: ClosedTrade = closedTrade({
      positionId: p.positionId,
      symbol: p.event.symbol,
      entryPrice: p.entryPrice,
      exitPrice: filled.gt(0) ? toStr(proceeds.div(filled)) : '0',
      quantity: p.quantity,
      entryFee: p.entryFee,
      exitFee: toStr(fee),
      openedAt: p.openedAt,
      closedAt: at,
      exitReason: reason,
    });
    open.delete(p.positionId);
    trades.push({ trade, eventId: p.event.id, entryFee: p.entryFee });
    risk = applyClosedTrade(risk, trade.pnl, at, cfg);
    if (!halted && evaluateEmergencyTriggers({ state: { ...risk, openExposure: exposure(), openPositions: open.size }, limits: limitsFor(mode, cfg), cfg }).length) {
      halted = true;
      for (const q of [...open.values()].sort((a, b) => a.openedAt - b.openedAt)) await close(q, at, 'EMERGENCY');
    }
  };

  /** book every exit due before t (in time order) */
  const closeDue = async (t: number) => {
    for (;;) {
      const next = [...open.values()].filter((p) => p.exitAt < t).sort((a, b) => a.exitAt - b.exitAt)[0];
      if (!next) return;
      await close(next, next.exitAt, next.exitReason);
    }
  };

  const ordered = [...inputs.events].sort((a, b) => entryWindow(a, cfg.tokenUnlock).targetAt - entryWindow(b, cfg.tokenUnlock).targetAt || a.id.localeCompare(b.id));
  for (const event of ordered) {
    const positionId = positionWorkflowId(cfg.strategyId, event.id);
    const w = entryWindow(event, cfg.tokenUnlock);
    const skip = (reasons: string[], withPosition = true) => events.push({ eventId: event.id, symbol: event.symbol, unlockAt: event.unlockAt, entered: false, reasons, ...(withPosition ? { positionId } : {}) });
    // the strategy sees every event of the run before its window opens (the run starts before it)
    const q = playbook.qualifies(event, cfg, Math.max(from, w.opensAt));
    if (!q.ok) {
      skip(q.reasons.map((r) => r.code), false);
      continue;
    }
    const t = w.targetAt;
    await closeDue(t);
    const snapshot = await market.snapshot(event.symbol, t);
    const verdict = playbook.evaluateEntry({ event, snapshot, now: t, cfg });
    if (!verdict.ok) {
      skip(verdict.reasons.map((r) => r.code));
      continue;
    }
    risk = rollRiskPeriods(risk, t, cfg.timing.tradingDay);
    if (halted) {
      skip(['MODE_HALTED']);
      continue;
    }
    const limits = limitsFor(mode, cfg);
    const size = sizePosition({
      capital: risk.equity,
      price: snapshot.ask,
      positionPct: cfg.sizing.positionPct,
      limits,
      stopLossPct: cfg.tokenUnlock.stopLossPct,
      currentExposure: exposure(),
      maxPositionPct: cfg.risk.maxPositionPct,
      ...venueSizing(await market.precision(event.symbol)),
    });
    if (belowVenueMinimum(size)) {
      skip(['INVALID_ORDER']);
      continue;
    }
    if (d(size.quantity).lte(0)) {
      skip(['EXPOSURE_CAP']);
      continue;
    }
    const check = checkPreTradeRisk({
      state: { ...risk, openExposure: exposure(), openPositions: open.size },
      mode,
      paused: false,
      limits,
      cfg,
      orderNotional: size.notional,
      orderAmount: size.quantity,
      side: 'buy',
      bid: snapshot.bid,
      ask: snapshot.ask,
      volume24hQuote: snapshot.volume24hQuote,
      latencyMs: 0,
    });
    // the correlation guard (workflows/strategy/correlation.ts): against the positions open at t
    const others = [...open.values()].map((p) => p.event.symbol);
    let correlation: RiskViolation[] = [];
    if (correlationCheckNeeded([event.symbol, ...others], cfg)) {
      const data = await dailyClosesOf(market, [event.symbol, ...new Set(others)], t, cfg.risk.correlationLookbackDays);
      correlation = entryCorrelation(event.symbol, others, data.closes, t, cfg).violations;
    }
    const violations = [...check.violations, ...correlation];
    if (violations.length) {
      skip(violations.map((v) => v.code));
      continue;
    }
    const entry = await fill(event.symbol, 'buy', size.quantity, t, clientOrderIdFor(positionId, 'entry'));
    if (d(entry.filledAmount).lte(0)) {
      skip(['ENTRY_FAILED']);
      continue;
    }
    const levels = playbook.exitLevels(entry.avgPrice, cfg, event);
    const until = levels.timeExitAt ?? Number.MAX_SAFE_INTEGER;
    const crossing = await market.firstCrossing({ symbol: event.symbol, below: levels.stopPrice, above: levels.targetPrice, from: t, until }, noopWaitContext());
    let exitAt = crossing ? crossing.at : until;
    let exitReason: ExitReason = crossing ? (crossing.side === 'below' ? 'STOP_LOSS' : 'TAKE_PROFIT') : 'TIME_EXIT';
    if (exitAt >= to) [exitAt, exitReason] = [to, 'MANUAL'];
    open.set(positionId, { event, positionId, quantity: entry.filledAmount, entryPrice: entry.avgPrice, entryFee: entry.fee, openedAt: t, exitAt, exitReason });
    events.push({ eventId: event.id, symbol: event.symbol, unlockAt: event.unlockAt, entered: true, reasons: [], positionId });
  }
  await closeDue(Number.MAX_SAFE_INTEGER);
  const record = await buildRunRecord({ id, inputs, market, trades, events });
  return { record, wallMs: performance.now() - t0 };
}
