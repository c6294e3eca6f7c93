/**
 * The correlation guard in the strategy (patch `correlation-guard-v1`; the rules are pure, in
 * domain/correlation.ts). Workflow code does no I/O: it asks ONE activity for the daily closes of every
 * symbol a check involves, and the domain decides.
 *
 *  - Pre-trade (entry.ts): an entry whose symbol correlates above risk.maxCorrelation with an open (or
 *    entering) position's symbol is refused with CORRELATION, the pair and r in the message. Entry
 *    decisions are serialized while the guard is on, so two entries deciding at once cannot both pass
 *    against a book that does not yet hold the other.
 *  - Trigger (the loop, workflow.ts): open positions whose pairwise r crossed the limit raise the
 *    emergency stop, or only a warning alert with risk.correlationAction ALERT, the pair named. Checked
 *    on each loop turn, but fetched only when the open symbols, the day or the correlation limits changed
 *    (daily closes change once a day): at most one activity per day per book.
 *  - Unknown is allowed: pairs without enough common history, flat prices, a symbol the market data does
 *    not have, or market data unreachable after the bounded retries: the pair does not refuse nor trip,
 *    and the reason is logged (the worker's log; the activity logs missing symbols too).
 */
import { log, patched } from '@temporalio/workflow';
import { CORRELATION_DAY_MS, correlationCheckNeeded, correlationTriggers, entryCorrelation, type UnknownPair } from '../../domain/correlation';
import type { RiskViolation, Trigger } from '../../domain/risk';
import type { DailyClosesResult } from '../../exchange/market-data/daily-closes';
import type { AssessCorrelationInput, CorrelationVerdict } from '../../activities/market';
import type { EntryRequest } from './api';
import { enterEmergency } from './emergency';
import { act, marketRead } from './proxies';
import type { StrategyRun } from './state';

/** The daily closes of `symbols` as of now, or null when the market data could not be read. */
async function closesNow(run: StrategyRun, symbols: string[]): Promise<DailyClosesResult | null> {
  try {
    return await marketRead.fetchDailyCloses({ symbols, mode: run.activeRung(), asOf: Date.now(), lookbackDays: run.config.risk.correlationLookbackDays });
  } catch (err) {
    log.warn('correlation not checked: daily closes unavailable', { symbols, error: String(err) });
    return null;
  }
}

/**
 * Patch `correlation-verdict-v1`: the activity judges next to the data and answers with the breaches
 * only (runs recorded before it read every symbol's closes into the history and judged N² pairs in the
 * workflow task, which at ~100 positions made entries fall behind). Null when market data is unreadable.
 */
const verdictPatch = () => patched('correlation-verdict-v1');

async function verdictNow(run: StrategyRun, ask: Pick<AssessCorrelationInput, 'entering' | 'enteringBatch' | 'symbols'>): Promise<CorrelationVerdict | null> {
  const { maxCorrelation, correlationLookbackDays } = run.config.risk;
  try {
    return await marketRead.assessCorrelation({ ...ask, mode: run.activeRung(), asOf: Date.now(), risk: { maxCorrelation, correlationLookbackDays } });
  } catch (err) {
    log.warn('correlation not checked: daily closes unavailable', { symbols: ask.symbols.length, error: String(err) });
    return null;
  }
}

function logUnknown(what: string, unknown: UnknownPair[], count = unknown.length): void {
  if (count) log.info(`correlation unknown (allowed) for ${what}: ${count} pair(s)`, { pairs: unknown.map((u) => `${u.a} / ${u.b}: ${u.reason}`) });
}

/** Symbols of the positions entering or open, except `positionId`. */
function bookSymbols(run: StrategyRun, except?: string): string[] {
  return run.livePositions().filter((p) => p.positionId !== except).map((p) => p.symbol);
}

/** Pre-trade: CORRELATION violations of this entry against the book (empty when none or unknown). */
export async function entryCorrelationViolations(run: StrategyRun, req: EntryRequest): Promise<RiskViolation[]> {
  const others = bookSymbols(run, req.positionId);
  if (!correlationCheckNeeded([req.symbol, ...others], run.config)) return [];
  if (verdictPatch()) {
    const v = await verdictNow(run, { entering: req.symbol, symbols: others });
    if (v) logUnknown(`the entry of ${req.symbol}`, v.unknown, v.unknownCount);
    return v?.breaches ?? [];
  }
  const data = await closesNow(run, [req.symbol, ...new Set(others)]);
  if (!data) return [];
  const v = entryCorrelation(req.symbol, others, data.closes, Date.now(), run.config);
  logUnknown(`the entry of ${req.symbol}`, v.unknown);
  return v.violations;
}

/** Trigger: true when open positions' correlation stopped the strategy. */
export async function tripCorrelation(run: StrategyRun): Promise<boolean> {
  const stopped = () => run.state.mode === 'EMERGENCY_STOP' || run.state.stopRequested;
  if (stopped()) return false;
  const cfg = run.config;
  const symbols = [...new Set(run.livePositions().filter((p) => p.status === 'OPEN').map((p) => p.symbol))].sort();
  if (!correlationCheckNeeded(symbols, cfg)) {
    run.correlationChecked = null;
    return false;
  }
  const day = Math.floor(Date.now() / CORRELATION_DAY_MS);
  const settings = [cfg.risk.maxCorrelation, cfg.risk.correlationLookbackDays, cfg.risk.correlationAction];
  let triggers: Trigger[];
  if (verdictPatch()) {
    // Once per day and per settings over the whole book: within a day the closes do not change, and a
    // symbol joining the book was judged against it by its entry decision (a pair left unknown there,
    // market data down, is judged at the next day's check).
    const key = JSON.stringify([day, ...settings]);
    if (run.correlationChecked === key) return false;
    const v = await verdictNow(run, { symbols });
    if (!v) return false; // not remembered: the next loop turn tries again
    run.correlationChecked = key;
    if (stopped()) return false;
    logUnknown('open positions', v.unknown, v.unknownCount);
    triggers = v.breaches;
  } else {
    const key = JSON.stringify([day, symbols, ...settings]);
    if (run.correlationChecked === key) return false;
    const data = await closesNow(run, symbols);
    if (!data) return false; // not remembered: the next loop turn tries again
    run.correlationChecked = key;
    if (stopped()) return false;
    const v = correlationTriggers(symbols, data.closes, Date.now(), cfg);
    logUnknown('open positions', v.unknown);
    triggers = v.triggers;
  }
  if (!triggers.length) return false;
  const reason = triggers.map((t) => t.message).join('; ');
  if (cfg.risk.correlationAction === 'EMERGENCY_STOP') return enterEmergency(run, reason, triggers);
  await act.raiseAlert({
    id: `${run.strategyId}:correlation:${day}:${symbols.join(',')}`,
    strategyId: run.strategyId,
    severity: 'warning',
    kind: 'CORRELATION',
    message: `correlation breach (alert only, risk.correlationAction ALERT): ${reason}`,
    details: { triggers },
  });
  return false;
}

/**
 * Pre-trade for a batch of entry requests decided one after another (patch `entry-batch-v1`, entry-batch.ts):
 * ONE activity judges every entering symbol against the book and the batch; the returned rule then
 * gives, at each entry's turn, the CORRELATION violations against the book as it is at that turn
 * (holding the entries approved before it) — what entryCorrelationViolations would have answered then.
 * The rule answers null for an entry whose book holds a symbol the activity did not judge (the caller
 * asks entryCorrelationViolations for that one).
 */
export async function batchEntryCorrelation(run: StrategyRun, reqs: readonly EntryRequest[]): Promise<(req: EntryRequest) => RiskViolation[] | null> {
  const book = bookSymbols(run);
  const entering = reqs.map((r) => r.symbol);
  if (!correlationCheckNeeded([...entering, ...book], run.config)) return () => [];
  const v = await verdictNow(run, { enteringBatch: entering, symbols: [...new Set(book)] });
  if (v) logUnknown(`${reqs.length} entr${reqs.length === 1 ? 'y' : 'ies'}`, v.unknown, v.unknownCount);
  const judged = new Set([...entering, ...book]);
  return (req) => {
    const others = bookSymbols(run, req.positionId);
    if (!correlationCheckNeeded([req.symbol, ...others], run.config)) return [];
    if (!v) return []; // market data unreadable: unknown, allowed (as entryCorrelationViolations)
    if (others.some((s) => !judged.has(s))) return null;
    const breaches = v.pairs ?? [];
    return [...new Set(others)].filter((s) => s !== req.symbol).flatMap((s) => breaches.filter((b) => b.entering === req.symbol && b.other === s).map((b) => b.violation));
  };
}
