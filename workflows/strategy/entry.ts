/**
 * The entry decision: the strategy's verdict on a position's entry request. Every entry is decided
 * here (halt check, sizing, pre-trade risk, the correlation guard of correlation.ts), which makes the
 * kill switch a single check: once paused, stopping or in EMERGENCY_STOP, every entry request is refused.
 * Under patch `correlation-guard-v1` decisions run one at a time (the guard reads market data first,
 * and the next decision must see the book this one leaves); under `entry-batch-v1` the requests that
 * queue up meanwhile are decided together, still one after another, with one market-data read.
 */
import { getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import { formatMoney } from '../../domain/format';
import { isHalted, limitsFor } from '../../domain/ladder';
import { d } from '../../domain/money';
import { checkPreTradeRisk, recordLatency, rollRiskPeriods, type RiskViolation } from '../../domain/risk';
import { belowVenueMinimum, sizePosition, venueSizing } from '../../domain/sizing';
import { entryDecisionSignal } from '../position/api';
import type { EntryRequest } from './api';
import { act } from './proxies';
import { batchEntryCorrelation, entryCorrelationViolations } from './correlation';
import type { StrategyRun } from './state';

/**
 * Patch: entry requests that arrive while a decision is under way are decided together in the next
 * turn — ONE correlation activity for the batch, then each verdict in arrival order against the book
 * the ones before it left — and the turn ends when the verdicts are sent, not when they are delivered.
 * Before it, every request held the queue through its own activity and its own signal's delivery
 * (three strategy workflow tasks per entry, one after another: the limit of a 1,000-position burst).
 */
export const ENTRY_BATCH_PATCH = 'entry-batch-v1';

export async function decideEntry(run: StrategyRun, req: EntryRequest): Promise<void> {
  // runs recorded before the correlation guard decided at once, without reading market data
  if (!patched('correlation-guard-v1')) return decide(run, req, []);
  if (patched(ENTRY_BATCH_PATCH)) return decideInBatch(run, req);
  const turn = run.entryQueue.then(async () => {
    const halted = isHalted(run.state.mode) || run.state.paused || run.state.stopRequested;
    return decide(run, req, halted ? [] : await entryCorrelationViolations(run, req));
  });
  run.entryQueue = turn.catch(() => undefined);
  return turn;
}

function decideInBatch(run: StrategyRun, req: EntryRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    run.entryBatch.push({ req, settle: (decided) => void decided.then(resolve, reject) });
    // the first request of a batch takes a turn; the ones arriving before the turn starts join it
    if (run.entryBatch.length === 1) run.entryQueue = run.entryQueue.then(() => decideBatch(run)).catch(() => undefined);
  });
}

/** One turn: the batch's correlation read once, then each verdict in order (the halt checked at each). */
async function decideBatch(run: StrategyRun): Promise<void> {
  const batch = run.entryBatch.splice(0);
  const halted = () => isHalted(run.state.mode) || run.state.paused || run.state.stopRequested;
  let correlation: (r: EntryRequest) => RiskViolation[] | null = () => [];
  try {
    if (!halted()) correlation = await batchEntryCorrelation(run, batch.map((b) => b.req));
  } catch (err) {
    for (const b of batch) b.settle(Promise.reject(err));
    return;
  }
  for (const { req, settle } of batch) {
    // a book symbol the batch's read did not cover (rare): this entry is judged on its own, in its turn
    const own = correlation(req) ?? (halted() ? [] : await entryCorrelationViolations(run, req));
    // decide() changes the book synchronously before its first await: the next verdict sees this one
    settle(decide(run, req, own));
  }
}

/** The verdict, with the correlation guard's violations (already read) added to the pre-trade rules'. */
async function decide(run: StrategyRun, req: EntryRequest, correlation: RiskViolation[]): Promise<void> {
  const s = run.state;
  const config = run.config;
  const strategyId = run.strategyId;
  const child = getExternalWorkflowHandle(req.positionId);
  const deny = async (reasons: RiskViolation[]) => {
    await child.signal(entryDecisionSignal, { approved: false, reasons });
    await act.raiseAlert({
      id: `${req.positionId}:entry-refused`,
      strategyId,
      severity: 'warning',
      kind: 'RISK_REJECTION',
      message: `entry of ${req.symbol} refused: ${reasons.map((r) => `${r.code} (${r.message})`).join('; ')}`,
    });
  };
  if (req.latencyMs !== null && req.latencyMs !== undefined) s.risk = recordLatency(s.risk, req.latencyMs, Date.now());
  s.risk = rollRiskPeriods(s.risk, Date.now(), config.timing.tradingDay);
  const mode = s.mode;
  const limits = limitsFor(run.activeRung(), config);
  if (isHalted(mode) || s.paused || s.stopRequested) {
    return deny([
      {
        code: 'MODE_HALTED',
        message: s.stopRequested ? 'strategy stopping' : mode === 'EMERGENCY_STOP' ? 'strategy in EMERGENCY_STOP' : 'strategy paused',
        value: mode,
        limit: 'RUNNING',
      },
    ]);
  }
  // the venue's lot step and minimum notional (when the position's snapshot carried them): the size is
  // what the venue will take, and an order it would refuse is refused here with the reason
  const venue = req.precision && patched('venue-precision-v1') ? req.precision : undefined;
  const size = sizePosition({
    capital: s.risk.equity,
    price: req.snapshot.ask,
    positionPct: config.sizing.positionPct,
    limits,
    stopLossPct: config.tokenUnlock.stopLossPct,
    currentExposure: run.exposure(),
    maxPositionPct: config.risk.maxPositionPct,
    ...venueSizing(venue),
  });
  if (venue && belowVenueMinimum(size)) {
    const target = size.candidates[size.cappedBy ?? 'POSITION_PCT'];
    return deny([
      {
        code: 'INVALID_ORDER',
        message: `order below the venue's minimum (${size.zeroReason}): ${formatMoney(target)} ${req.symbol.split('/')[1] ?? ''} at ${req.snapshot.ask}; lot step ${venue.stepSize}, minimum notional ${venue.minNotional ?? 'none'}`,
        value: target,
        limit: venue.minNotional ?? venue.stepSize,
      },
    ]);
  }
  if (d(size.quantity).lte(0)) {
    // nothing can be sized (exposure full, no capital): one clear reason, not a cascade of rules
    return deny([
      {
        code: 'EXPOSURE_CAP',
        message: `no size left: ${size.zeroReason ?? 'zero quantity'} (open exposure ${formatMoney(run.exposure())}, cap ${limits.maxExposurePct} % of equity)`,
        value: run.exposure(),
        limit: limits.maxExposurePct,
      },
    ]);
  }
  const check = checkPreTradeRisk({
    state: { ...s.risk, openExposure: run.exposure(), openPositions: run.openCount() },
    mode,
    paused: s.paused,
    limits,
    cfg: config,
    orderNotional: size.notional,
    orderAmount: size.quantity,
    side: 'buy',
    bid: req.snapshot.bid,
    ask: req.snapshot.ask,
    volume24hQuote: req.snapshot.volume24hQuote,
    latencyMs: req.latencyMs,
  });
  const violations = [...check.violations, ...correlation];
  if (violations.length) return deny(violations);
  const tracked = s.positions[req.positionId];
  s.positions[req.positionId] = {
    eventId: tracked?.eventId ?? req.eventId,
    positionId: req.positionId,
    symbol: req.symbol,
    status: 'ENTERING',
    mode,
    quantity: size.quantity,
    notional: size.notional,
  };
  run.syncRisk();
  await child.signal(entryDecisionSignal, { approved: true, quantity: size.quantity, notional: size.notional, mode });
}
