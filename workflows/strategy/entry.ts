/**
 * The entry decision: the strategy's verdict on a position's entry request. Every entry is decided
 * here (halt check, sizing, pre-trade risk, the correlation guard of correlation.ts), which makes the
 * kill switch a single check: once paused, stopping or in EMERGENCY_STOP, every entry request is refused.
 * Under patch `correlation-guard-v1` decisions run one at a time (the guard reads market data first,
 * and the next decision must see the book this one leaves); under `entry-batch-v1` the requests that
 * queue up meanwhile are decided together, still one after another, with one market-data read.
 */
import { getExternalWorkflowHandle, isCancellation, log, patched } from '@temporalio/workflow';
import { formatMoney } from '../../domain/format';
import { isHalted, limitsFor } from '../../domain/ladder';
import { d } from '../../domain/money';
import { checkPreTradeRisk, recordLatency, rollRiskPeriods, type RiskViolation } from '../../domain/risk';
import { belowVenueMinimum, sizePosition, venueSizing } from '../../domain/sizing';
import { entryDecisionSignal, type EntryVerdict } from '../position/api';
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
    // before continue-as-new the request is handed to the next run (carriedEntries): its handler ends now
    if (run.entryDraining) return resolve();
    scheduleTurn(run);
  });
}

/** One turn at a time; the requests arriving before it starts join it. */
function scheduleTurn(run: StrategyRun): void {
  if (run.entryTurnScheduled) return;
  run.entryTurnScheduled = true;
  run.entryQueue = run.entryQueue.then(() => decideBatch(run)).catch(() => undefined);
}

/**
 * Continue-as-new under a steady stream of entry requests: every handler waiting for its turn would keep
 * `allHandlersFinished` false, and the run would grow past its replay budget (7,000 events at N = 1000).
 * So: no new turn starts, the waiting requests' handlers end now, and the requests go to the next run
 * in its input (carriedEntries), which decides them first. Turns already started finish in this run.
 */
export function drainEntries(run: StrategyRun): void {
  run.entryDraining = true;
  for (const b of run.entryBatch) b.settle(Promise.resolve());
}

/** The requests handed to the next run (undefined: none). */
export function carriedEntries(run: StrategyRun): EntryRequest[] | undefined {
  return run.entryBatch.length ? run.entryBatch.map((b) => b.req) : undefined;
}

/** Continue-as-new called off (an emergency or a stop came first): the waiting requests are decided here. */
export function resumeEntries(run: StrategyRun): void {
  run.entryDraining = false;
  if (run.entryBatch.length) scheduleTurn(run);
}

/** A new run: the requests the previous run handed over, decided before any later one. */
export function restoreEntries(run: StrategyRun, reqs: readonly EntryRequest[]): void {
  for (const req of reqs) void decideInBatch(run, req).catch(() => undefined);
}

/** One turn: the batch's correlation read once, then each verdict in order (the halt checked at each). */
async function decideBatch(run: StrategyRun): Promise<void> {
  run.entryTurnScheduled = false;
  if (run.entryDraining) return; // left for the next run
  const batch = run.entryBatch.splice(0);
  if (!batch.length) return;
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
    settle(decide(run, req, own, true));
  }
}

/** The verdict, with the correlation guard's violations (already read) added to the pre-trade rules'. */
async function decide(run: StrategyRun, req: EntryRequest, correlation: RiskViolation[], batched = false): Promise<void> {
  const s = run.state;
  const config = run.config;
  const strategyId = run.strategyId;
  const handle = getExternalWorkflowHandle(req.positionId);
  // Batched path: a position that ended before its verdict arrived (it gave up waiting, or it asked twice)
  // cannot be told; the failed signal must not fail the strategy (a signal handler's Temporal failure
  // fails the workflow), and an approval it never heard of leaves the book.
  // (not an async wrapper on the old path: its callers must await the signal itself, with the same
  // microtask timing as recorded histories had)
  const tell = (verdict: EntryVerdict): Promise<void> => (batched ? tellBatched(verdict) : handle.signal(entryDecisionSignal, verdict));
  const tellBatched = async (verdict: EntryVerdict): Promise<void> => {
    try {
      await handle.signal(entryDecisionSignal, verdict);
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('entry decision not delivered: the position has ended', { positionId: req.positionId, approved: verdict.approved, error: String(err) });
      if (verdict.approved && s.positions[req.positionId]?.status === 'ENTERING') {
        delete s.positions[req.positionId];
        run.syncRisk();
      }
    }
  };
  const deny = async (reasons: RiskViolation[]) => {
    await tell({ approved: false, reasons });
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
  await tell({ approved: true, quantity: size.quantity, notional: size.notional, mode });
}
