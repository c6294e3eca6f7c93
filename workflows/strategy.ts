/**
 * strategyWorkflow: one per strategy (workflow id `strategy-<strategyId>`, so a second start is refused).
 *
 * Owns the mode ladder (PAPER → LIVE_MINIMAL → LIVE_SCALED_1..3, EMERGENCY_STOP), limits, risk state and
 * the book of open positions. It scans the unlock calendar on a durable timer and starts one
 * positionWorkflow child per qualifying event (id `position-<strategyId>-<eventId>`, so a rescan never
 * doubles a position). Every entry is decided here (pre-trade risk, sizing), which makes the kill switch
 * a single check: once paused or in EMERGENCY_STOP, every entry request is refused.
 *
 * Emergency stop (design notes §3): the mode becomes EMERGENCY_STOP synchronously in the handler (entries
 * blocked first), then ONE batch activity places every open position's exit concurrently with the exit
 * client order id that position would use, then the positions are told; their own exit finds the order
 * already placed. Resuming needs an approval after the cooldown.
 *
 * Children use ParentClosePolicy ABANDON because continue-as-new closes the run: positions must outlive
 * it. They report by signal to the workflow id, which reaches whichever run is current. A strategy stop
 * cancels them explicitly (each then exits at market).
 */
import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { getStrategy } from '../domain/strategy';
import { isHalted, limitsFor, nextMode } from '../domain/ladder';
import {
  applyClosedTrade,
  checkPreTradeRisk,
  evaluateEmergencyTriggers,
  initialRiskState,
  manualTrigger,
  recordLatency,
  rollRiskPeriods,
  type RiskState,
  type RiskViolation,
  type Trigger,
} from '../domain/risk';
import { sizePosition } from '../domain/sizing';
import { evaluateLiveStepGate, evaluatePaperGate, paperGateBasis, type GateResult } from '../domain/gate';
import { computeMetrics } from '../domain/metrics';
import { d, toStr } from '../domain/money';
import { clientOrderIdFor } from '../exchange/client-order-id';
import type { ClosedTrade, StrategyConfig, TradingMode } from '../domain/types';
import { entryDecisionSignal, exitPositionSignal, positionWorkflowId } from './position-api';
import type { positionWorkflow } from './position';
import {
  approveSignal,
  approveUpdate,
  emergencyStopSignal,
  emergencyStopUpdate,
  entryRequestSignal,
  metricsQuery,
  openPositionsQuery,
  pauseSignal,
  pauseUpdate,
  positionEndedSignal,
  positionOpenedSignal,
  rejectSignal,
  rejectUpdate,
  resumeSignal,
  resumeUpdate,
  statusQuery,
  stopStrategySignal,
  updateLimitsSignal,
  updateLimitsUpdate,
  type ApprovalInput,
  type EmergencyStopInput,
  type EntryRequest,
  type LimitsUpdate,
  type OpenPositionInfo,
  type PauseInput,
  type StrategyRunState,
  type StrategyStatus,
} from './strategy-api';
import { StrategyIdKey, StrategyStateKey, SymbolKey, PositionStatusKey, TradingModeKey } from './search-attributes';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const batch = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 10 },
});

/** A tracked child: waiting for its entry, entering, or open. Ended children are dropped. */
interface TrackedPosition extends Omit<OpenPositionInfo, 'status'> {
  status: 'WAITING' | OpenPositionInfo['status'];
  eventId: string;
}

/** Everything carried across continue-as-new. */
export interface StrategyCarried {
  mode: TradingMode;
  paused: boolean;
  phaseStartedAt: number;
  awaitingApproval: boolean;
  gate: { result: GateResult | null; evaluatedAt: number | null };
  risk: RiskState;
  positions: Record<string, TrackedPosition>;
  /** eventId → unlockAt of events already handled (started or rejected); trimmed after they pass */
  seenEvents: Record<string, number>;
  trades: ClosedTrade[];
  emergency: StrategyStatus['emergency'];
  /** exits of the emergency stop still to dispatch */
  emergencyExitPending: boolean;
  lastRefusal: StrategyStatus['lastRefusal'];
  stopRequested: boolean;
  continuedAsNew: number;
  startedAt: number;
}

export interface StrategyInput {
  config: StrategyConfig;
  carried?: StrategyCarried;
  /** continue-as-new after this many loop iterations even before the server suggests it (tests, tuning) */
  continueAsNewAfterLoops?: number;
}

/** Trades kept in workflow state for the gate and the metrics query; the DB keeps them all. */
const MAX_TRADES_IN_STATE = 1000;
/** How far back an event is remembered after its unlock, so a rescan never restarts it. */
const SEEN_EVENT_RETENTION_MS = 14 * 86_400_000;

export async function strategyWorkflow(input: StrategyInput): Promise<StrategyStatus> {
  const info = workflowInfo();
  const config: StrategyConfig = input.config;
  const strategyId = config.strategyId;
  const strategy = getStrategy(config.strategy);
  const s: StrategyCarried = input.carried ?? freshState(config, Date.now());
  let wake = false;
  let riskDirty = true;

  const runState = (): StrategyRunState =>
    s.stopRequested ? 'STOPPED' : s.mode === 'EMERGENCY_STOP' ? 'EMERGENCY_STOP' : s.paused ? 'PAUSED' : 'RUNNING';
  const publish = () =>
    upsertSearchAttributes([
      { key: TradingModeKey, value: s.mode },
      { key: StrategyStateKey, value: runState() },
    ]);
  const exposure = () =>
    toStr(Object.values(s.positions).filter((p) => p.status !== 'WAITING').reduce((a, p) => a.plus(d(p.notional)), d(0)));
  const openCount = () => Object.values(s.positions).filter((p) => p.status !== 'WAITING').length;
  const syncRisk = () => {
    s.risk = { ...s.risk, openExposure: exposure(), openPositions: openCount() };
    riskDirty = true;
  };
  /** the rung whose limits apply: the stopped-from rung while in EMERGENCY_STOP */
  const activeRung = (): TradingMode => (s.mode === 'EMERGENCY_STOP' ? (s.emergency?.resumeMode ?? 'PAPER') : s.mode);

  const status = (): StrategyStatus => {
    const next = s.mode === 'EMERGENCY_STOP' ? null : nextMode(s.mode);
    const period = s.mode === 'PAPER' ? config.gate.paperPeriod : config.gate.liveStepPeriod;
    return {
      strategyId,
      name: config.name,
      mode: s.mode,
      state: runState(),
      phaseStartedAt: s.phaseStartedAt,
      gate: {
        kind: s.mode === 'EMERGENCY_STOP' || !next ? 'NONE' : s.mode === 'PAPER' ? 'PAPER' : 'LIVE_STEP',
        evaluatedAt: s.gate.evaluatedAt,
        nextEvaluationAt: next && !s.awaitingApproval ? Math.max(s.phaseStartedAt + period, s.gate.evaluatedAt ?? 0) : null,
        result: s.gate.result,
        awaitingApproval: s.awaitingApproval,
        nextMode: next,
      },
      limits: limitsFor(activeRung(), config),
      risk: s.risk,
      emergency: s.emergency,
      openPositions: openCount(),
      closedTrades: s.trades.length,
      lastRefusal: s.lastRefusal,
      continuedAsNew: s.continuedAsNew,
    };
  };

  // ---------------------------------------------------------------- refusals: one message per rule
  const fmtTime = (ms: number) => new Date(ms).toISOString();
  const approveRefusal = (i: ApprovalInput | undefined): string | null => {
    if (!i || typeof i.by !== 'string' || !i.by.trim()) return 'an approval needs the approver: { "by": "<name>" }';
    if (s.stopRequested) return 'the strategy is stopping';
    if (s.mode === 'EMERGENCY_STOP') {
      const until = s.emergency?.cooldownUntil ?? 0;
      if (Date.now() < until) return `in EMERGENCY_STOP: cooldown runs until ${fmtTime(until)} (${Math.ceil((until - Date.now()) / 60_000)} min left); approve after it to resume`;
      return null;
    }
    if (!nextMode(s.mode)) return `${s.mode} is the top of the ladder: nothing to promote to`;
    if (!s.awaitingApproval) {
      const failed = s.gate.result?.failed ?? [];
      if (failed.length) return `the gate for ${nextMode(s.mode)} has not passed: ${failed.map((c) => `${c.name} ${c.value} (needs ${c.op} ${c.threshold})`).join('; ')}`;
      return `the gate for ${nextMode(s.mode)} has not been evaluated yet: it runs at ${fmtTime(status().gate.nextEvaluationAt ?? Date.now())}`;
    }
    return null;
  };
  const rejectRefusal = (i: ApprovalInput | undefined): string | null => {
    if (!i || typeof i.by !== 'string' || !i.by.trim()) return 'a rejection needs the approver: { "by": "<name>" }';
    return s.awaitingApproval ? null : 'no promotion is waiting for approval';
  };
  const pauseRefusal = (): string | null => {
    if (s.stopRequested) return 'the strategy is stopping';
    if (s.mode === 'EMERGENCY_STOP') return 'in EMERGENCY_STOP: already halted';
    return s.paused ? 'already paused' : null;
  };
  const resumeRefusal = (i: ApprovalInput | undefined): string | null => {
    if (s.mode === 'EMERGENCY_STOP') return approveRefusal(i);
    return s.paused ? null : 'not paused';
  };
  const emergencyRefusal = (i: EmergencyStopInput | undefined): string | null => {
    if (!i || typeof i.reason !== 'string' || !i.reason.trim()) return 'an emergency stop needs a reason: { "reason": "..." }';
    return s.mode === 'EMERGENCY_STOP' ? 'already in EMERGENCY_STOP' : null;
  };
  const limitsRefusal = (u: LimitsUpdate | undefined): string | null => limitsProblem(u);

  const refuse = async (command: string, reason: string) => {
    s.lastRefusal = { at: Date.now(), command, reason };
    log.warn('command refused', { strategyId, command, reason });
    await act.raiseAlert({
      id: `${strategyId}:refused:${command}:${Date.now()}`,
      strategyId,
      severity: 'warning',
      kind: 'COMMAND_REFUSED',
      message: `${command} refused: ${reason}`,
    });
  };

  // ---------------------------------------------------------------- state changes
  const changeMode = async (to: TradingMode, reason: string, approval?: { by: string; note?: string }) => {
    const from = s.mode;
    const at = Date.now();
    s.mode = to;
    publish();
    await act.recordModeChange({
      id: `${strategyId}:mode:${at}:${from}->${to}`,
      strategyId,
      fromMode: from,
      toMode: to,
      reason,
      at,
      approval: approval ? { ...approval, decision: 'APPROVED' } : undefined,
    });
  };

  const doApprove = async (i: ApprovalInput) => {
    if (s.mode === 'EMERGENCY_STOP') {
      const to = s.emergency?.resumeMode ?? 'PAPER';
      s.emergency = null;
      s.paused = false;
      await changeMode(to, `resumed after emergency stop by ${i.by}`, i);
    } else {
      const to = nextMode(s.mode)!;
      s.awaitingApproval = false;
      s.phaseStartedAt = Date.now();
      s.gate = { result: null, evaluatedAt: null };
      await changeMode(to, `promoted by ${i.by}`, i);
    }
    wake = true;
  };
  const doReject = async (i: ApprovalInput) => {
    const to = nextMode(s.mode);
    s.awaitingApproval = false;
    // a rejected promotion starts a new validation period on the current rung
    s.phaseStartedAt = Date.now();
    s.gate = { result: null, evaluatedAt: null };
    await act.recordApproval({
      id: `${strategyId}:reject:${Date.now()}`,
      strategyId,
      decision: 'REJECTED',
      approvedBy: i.by,
      fromMode: s.mode,
      toMode: to ?? s.mode,
      note: i.note,
      at: Date.now(),
    });
  };
  const doPause = async (i: PauseInput) => {
    s.paused = true;
    publish();
    await act.raiseAlert({
      id: `${strategyId}:paused:${Date.now()}`,
      strategyId,
      severity: 'warning',
      kind: 'PAUSED',
      message: `strategy paused${i?.by ? ` by ${i.by}` : ''}${i?.reason ? `: ${i.reason}` : ''}; open positions keep their exits`,
    });
  };
  const doResume = async (i: ApprovalInput) => {
    if (s.mode === 'EMERGENCY_STOP') return doApprove(i);
    s.paused = false;
    publish();
    await act.raiseAlert({ id: `${strategyId}:resumed:${Date.now()}`, strategyId, severity: 'info', kind: 'RESUMED', message: `strategy resumed by ${i?.by ?? 'operator'}` });
    wake = true;
  };
  /** Synchronous part of an emergency stop: from this instant every entry request is refused. */
  const enterEmergency = (reason: string, triggers: Trigger[]) => {
    if (s.mode === 'EMERGENCY_STOP') return false;
    const at = Date.now();
    s.emergency = { at, reason, triggers, cooldownUntil: at + config.timing.emergencyCooldown, resumeMode: s.mode };
    s.awaitingApproval = false;
    s.mode = 'EMERGENCY_STOP';
    s.emergencyExitPending = true;
    publish();
    wake = true;
    return true;
  };
  const doUpdateLimits = async (u: LimitsUpdate) => {
    if (u.risk) Object.assign(config.risk, u.risk);
    if (u.ladder) for (const [rung, lim] of Object.entries(u.ladder)) Object.assign(config.ladder[rung as keyof StrategyConfig['ladder']], lim);
    await act.raiseAlert({
      id: `${strategyId}:limits:${Date.now()}`,
      strategyId,
      severity: 'info',
      kind: 'LIMITS_UPDATED',
      message: `limits updated${u.by ? ` by ${u.by}` : ''}: ${JSON.stringify({ risk: u.risk, ladder: u.ladder })}`,
    });
    wake = true;
  };

  // ---------------------------------------------------------------- handlers
  // Signals: the plain Temporal CLI can send them; a refused one is recorded (status.lastRefusal + alert).
  setHandler(approveSignal, async (i) => {
    const r = approveRefusal(i);
    return r ? refuse('approve', r) : doApprove(i);
  });
  setHandler(rejectSignal, async (i) => {
    const r = rejectRefusal(i);
    return r ? refuse('reject', r) : doReject(i);
  });
  setHandler(pauseSignal, async (i) => {
    const r = pauseRefusal();
    return r ? refuse('pause', r) : doPause(i);
  });
  setHandler(resumeSignal, async (i) => {
    const r = resumeRefusal(i);
    return r ? refuse('resume', r) : doResume(i);
  });
  setHandler(emergencyStopSignal, async (i) => {
    const r = emergencyRefusal(i);
    if (r) return refuse('emergencyStop', r);
    enterEmergency(i.reason, [manualTrigger(`${i.reason}${i.by ? ` (by ${i.by})` : ''}`)]);
  });
  setHandler(updateLimitsSignal, async (u) => {
    const r = limitsRefusal(u);
    return r ? refuse('updateLimits', r) : doUpdateLimits(u);
  });
  setHandler(stopStrategySignal, () => {
    s.stopRequested = true;
    publish();
    wake = true;
  });

  // Updates: same rules, but the caller gets the refusal as the update's failure, with nothing changed.
  const validator = (fn: () => string | null) => () => {
    const r = fn();
    if (r) throw new Error(r);
  };
  setHandler(approveUpdate, async (i) => (await doApprove(i), status()), { validator: (i) => validator(() => approveRefusal(i))() });
  setHandler(rejectUpdate, async (i) => (await doReject(i), status()), { validator: (i) => validator(() => rejectRefusal(i))() });
  setHandler(pauseUpdate, async (i) => (await doPause(i), status()), { validator: (_i) => validator(pauseRefusal)() });
  setHandler(resumeUpdate, async (i) => (await doResume(i), status()), { validator: (i) => validator(() => resumeRefusal(i))() });
  setHandler(
    emergencyStopUpdate,
    async (i) => {
      enterEmergency(i.reason, [manualTrigger(`${i.reason}${i.by ? ` (by ${i.by})` : ''}`)]);
      // answer once the exits are dispatched
      await condition(() => !s.emergencyExitPending);
      return status();
    },
    { validator: (i) => validator(() => emergencyRefusal(i))() },
  );
  setHandler(updateLimitsUpdate, async (u) => (await doUpdateLimits(u), status()), { validator: (u) => validator(() => limitsRefusal(u))() });

  setHandler(statusQuery, status);
  setHandler(openPositionsQuery, () =>
    Object.values(s.positions)
      .filter((p) => p.status !== 'WAITING')
      .map(({ eventId: _e, ...p }) => p as OpenPositionInfo),
  );
  setHandler(metricsQuery, () => ({ metrics: computeMetrics(s.trades, config.capital.initial), trades: s.trades }));

  // child → parent
  setHandler(entryRequestSignal, async (req) => decideEntry(req));
  setHandler(positionOpenedSignal, (p) => {
    const tracked = s.positions[p.positionId];
    s.positions[p.positionId] = {
      ...(tracked ?? { eventId: '' }),
      positionId: p.positionId,
      symbol: p.symbol,
      status: 'OPEN',
      mode: p.mode,
      quantity: p.quantity,
      notional: p.notional,
      entryPrice: p.entryPrice,
      openedAt: p.openedAt,
    };
    syncRisk();
    // an emergency stop that raced this entry: the position is told to exit (it exits after filling)
    if (s.mode === 'EMERGENCY_STOP') void getExternalWorkflowHandle(p.positionId).signal(exitPositionSignal, { reason: 'EMERGENCY' });
  });
  setHandler(positionEndedSignal, (e) => {
    delete s.positions[e.positionId];
    if (e.trade) {
      s.trades.push(e.trade);
      if (s.trades.length > MAX_TRADES_IN_STATE) s.trades.splice(0, s.trades.length - MAX_TRADES_IN_STATE);
      s.risk = applyClosedTrade(s.risk, e.trade.pnl, Date.now(), config);
    }
    syncRisk();
    wake = true;
  });

  async function decideEntry(req: EntryRequest) {
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
    const limits = limitsFor(activeRung(), config);
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
    const size = sizePosition({
      capital: s.risk.equity,
      price: req.snapshot.ask,
      positionPct: config.sizing.positionPct,
      limits,
      stopLossPct: config.tokenUnlock.stopLossPct,
      currentExposure: exposure(),
      maxPositionPct: config.risk.maxPositionPct,
    });
    if (d(size.quantity).lte(0)) {
      // nothing can be sized (exposure full, no capital): one clear reason, not a cascade of rules
      return deny([
        {
          code: 'EXPOSURE_CAP',
          message: `no size left: ${size.zeroReason ?? 'zero quantity'} (open exposure ${exposure()}, cap ${limits.maxExposurePct} % of equity)`,
          value: exposure(),
          limit: limits.maxExposurePct,
        },
      ]);
    }
    const check = checkPreTradeRisk({
      state: { ...s.risk, openExposure: exposure(), openPositions: openCount() },
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
    if (check.violations.length) return deny(check.violations);
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
    syncRisk();
    await child.signal(entryDecisionSignal, { approved: true, quantity: size.quantity, notional: size.notional, mode });
  }

  // ---------------------------------------------------------------- the loop
  publish();
  if (!input.carried) {
    await act.recordStrategyStarted({ strategyId, workflowId: info.workflowId, config, mode: s.mode, at: s.startedAt });
  }
  let loops = 0;
  for (;;) {
    if (s.emergencyExitPending) await dispatchEmergencyExits();
    if (s.stopRequested) return await stopAll();

    s.risk = rollRiskPeriods(s.risk, Date.now(), config.timing.tradingDay);
    if (s.mode !== 'EMERGENCY_STOP') {
      const triggers = evaluateEmergencyTriggers({ state: s.risk, limits: limitsFor(s.mode, config), cfg: config });
      if (triggers.length) {
        enterEmergency(triggers.map((t) => t.message).join('; '), triggers);
        continue;
      }
    }
    if (!s.paused && s.mode !== 'EMERGENCY_STOP') await scanCalendar();
    await evaluateGateIfDue();
    if (riskDirty) {
      riskDirty = false;
      await act.saveRiskState({ strategyId, risk: s.risk, mode: s.mode, state: runState() });
    }

    loops++;
    if (workflowInfo().continueAsNewSuggested || (input.continueAsNewAfterLoops && loops >= input.continueAsNewAfterLoops)) {
      await condition(allHandlersFinished);
      if (!s.emergencyExitPending && !s.stopRequested) {
        s.continuedAsNew++;
        return continueAsNew<typeof strategyWorkflow>({ ...input, config, carried: s });
      }
      continue;
    }
    wake = false;
    await condition(() => wake || s.emergencyExitPending || s.stopRequested, nextWakeMs());
  }

  function nextWakeMs(): number {
    const now = Date.now();
    let next = now + config.timing.scanInterval;
    const due = status().gate.nextEvaluationAt;
    if (due && due > now) next = Math.min(next, due);
    if (s.emergency && s.emergency.cooldownUntil > now) next = Math.min(next, s.emergency.cooldownUntil);
    return Math.max(1, next - now);
  }

  async function scanCalendar() {
    const now = Date.now();
    const c = config.tokenUnlock;
    // positions start as their entry windows approach, not all at once (design notes §6)
    const events = await act.loadUnlockCalendar({ from: now - c.entryTolerance, until: now + c.entryLead + c.entryTolerance + config.timing.scanInterval });
    for (const [id, unlockAt] of Object.entries(s.seenEvents)) if (unlockAt < now - SEEN_EVENT_RETENTION_MS) delete s.seenEvents[id];
    for (const event of events) {
      if (s.seenEvents[event.id] !== undefined) continue;
      if (s.paused || s.mode === 'EMERGENCY_STOP' || s.stopRequested) return;
      // a scan that starts many children must not grow the history past the replay budget: stop here,
      // continue-as-new in the main loop, and the next run's scan starts the rest (they are not "seen")
      if (workflowInfo().continueAsNewSuggested) return;
      const q = strategy.qualifies(event, config, Date.now());
      if (!q.ok) {
        s.seenEvents[event.id] = event.unlockAt;
        await act.recordSignal({
          id: `${strategyId}:${event.id}:calendar`,
          strategyId,
          eventId: event.id,
          symbol: event.symbol,
          strength: null,
          accepted: false,
          reasons: q.reasons,
        });
        continue;
      }
      const positionId = positionWorkflowId(strategyId, event.id);
      s.seenEvents[event.id] = event.unlockAt;
      s.positions[positionId] = { eventId: event.id, positionId, symbol: event.symbol, status: 'WAITING', mode: s.mode, quantity: '0', notional: '0' };
      try {
        await startChild<typeof positionWorkflow>('positionWorkflow', {
          workflowId: positionId,
          args: [{ strategyId, strategyWorkflowId: info.workflowId, event, config, mode: s.mode }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [
            { key: StrategyIdKey, value: strategyId },
            { key: SymbolKey, value: event.symbol },
            { key: PositionStatusKey, value: 'WAITING_ENTRY' },
            { key: TradingModeKey, value: s.mode },
          ],
          memo: { strategyId, eventId: event.id, symbol: event.symbol, unlockAt: new Date(event.unlockAt).toISOString() },
        });
      } catch (err) {
        // already started by an earlier run (e.g. before continue-as-new): never a second position
        if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') {
          log.info('position already exists', { positionId });
          if (s.positions[positionId]?.status === 'WAITING') delete s.positions[positionId];
          continue;
        }
        throw err;
      }
    }
  }

  async function evaluateGateIfDue() {
    const next = nextMode(s.mode);
    if (s.mode === 'EMERGENCY_STOP' || !next || s.awaitingApproval) return;
    const now = Date.now();
    const period = s.mode === 'PAPER' ? config.gate.paperPeriod : config.gate.liveStepPeriod;
    if (now < s.phaseStartedAt + period) return;
    const result =
      s.mode === 'PAPER'
        ? evaluatePaperGate({ trades: s.trades, startedAt: s.phaseStartedAt, now, initialCapital: config.capital.initial, gate: config.gate, basis: paperGateBasis(config.gate.basis, patched('gate-daily-basis-v1')) })
        : evaluateLiveStepGate({ trades: s.trades, stepStartedAt: s.phaseStartedAt, now, gate: config.gate });
    const first = s.gate.evaluatedAt === null;
    s.gate = { result, evaluatedAt: now };
    if (result.passed) {
      s.awaitingApproval = true;
      await act.raiseAlert({
        id: `${strategyId}:gate:${s.phaseStartedAt}:passed`,
        strategyId,
        severity: 'warning',
        kind: 'APPROVAL_NEEDED',
        message: `gate for ${next} passed; approval needed: approve ${strategyId} --by <name>`,
        details: result,
      });
    } else if (first) {
      await act.raiseAlert({
        id: `${strategyId}:gate:${s.phaseStartedAt}:failed`,
        strategyId,
        severity: 'info',
        kind: 'GATE_FAILED',
        message: `gate for ${next} not passed yet: ${result.failed.map((c) => `${c.name} ${c.value} (needs ${c.op} ${c.threshold})`).join('; ')}`,
        details: result,
      });
    }
  }

  async function dispatchEmergencyExits() {
    const e = s.emergency!;
    const open = Object.values(s.positions).filter((p) => p.status === 'OPEN');
    if (open.length) {
      try {
        await batch.batchPlaceOrders(
          open.map((p) => ({
            clientOrderId: clientOrderIdFor(p.positionId, 'exit'),
            strategyId,
            positionId: p.positionId,
            purpose: 'emergency-exit' as const,
            mode: p.mode,
            symbol: p.symbol,
            side: 'sell' as const,
            type: 'market' as const,
            amount: p.quantity,
            signalPrice: p.entryPrice ?? '0',
            asOf: Date.now(),
          })),
        );
      } catch (err) {
        // the positions below still exit themselves, each with the same client order id
        log.error('emergency batch exit failed; positions will exit one by one', { error: String(err) });
      }
    }
    await Promise.all(
      Object.values(s.positions)
        .filter((p) => p.status !== 'WAITING')
        .map((p) => getExternalWorkflowHandle(p.positionId).signal(exitPositionSignal, { reason: 'EMERGENCY' })),
    );
    s.emergencyExitPending = false;
    await act.recordModeChange({
      id: `${strategyId}:mode:${e.at}:${e.resumeMode}->EMERGENCY_STOP`,
      strategyId,
      fromMode: e.resumeMode,
      toMode: 'EMERGENCY_STOP',
      reason: e.reason,
      at: e.at,
    });
    await act.raiseAlert({
      id: `${strategyId}:emergency:${e.at}`,
      strategyId,
      severity: 'critical',
      kind: 'EMERGENCY_STOP',
      message: `EMERGENCY STOP: ${e.reason}; ${open.length} open position(s) sent to market exit; resume needs an approval after ${new Date(e.cooldownUntil).toISOString()}`,
      details: { triggers: e.triggers },
    });
  }

  async function stopAll(): Promise<StrategyStatus> {
    const live = Object.values(s.positions);
    await Promise.all(live.map((p) => getExternalWorkflowHandle(p.positionId).cancel().catch(() => undefined)));
    // wait for their exits to be reported (bounded: a position that cannot exit raises its own alert)
    await condition(() => Object.keys(s.positions).length === 0, 10 * 60_000);
    await condition(allHandlersFinished);
    await act.saveRiskState({ strategyId, risk: s.risk, mode: s.mode, state: 'STOPPED' });
    return status();
  }
}

function freshState(config: StrategyConfig, now: number): StrategyCarried {
  return {
    mode: 'PAPER',
    paused: false,
    phaseStartedAt: now,
    awaitingApproval: false,
    gate: { result: null, evaluatedAt: null },
    risk: initialRiskState(config.capital.initial, now),
    positions: {},
    seenEvents: {},
    trades: [],
    emergency: null,
    emergencyExitPending: false,
    lastRefusal: null,
    stopRequested: false,
    continuedAsNew: 0,
    startedAt: now,
  };
}

/**
 * Light checks of a limits update inside the workflow (zod stays out of the bundle; the CLI validates
 * fully before sending). Signals from the plain Temporal CLI reach this without the CLI's checks.
 */
export const INTEGER_RISK_FIELDS = new Set(['maxOpenPositions', 'maxConsecutiveLosses', 'maxLatencyMs']);
export const DECIMAL_RISK_FIELDS = new Set(['maxPositionPct', 'weeklyLossPct', 'monthlyLossPct', 'maxDrawdownPct', 'maxSpreadPct', 'maxOrderPctOfVolume', 'maxSlippagePct', 'maxCorrelation']);

function limitsProblem(u: LimitsUpdate | undefined): string | null {
  if (!u || typeof u !== 'object') return 'a limits update must be an object: { "risk": {...}, "ladder": {...} }';
  const decimal = /^\d+(\.\d+)?$/;
  const known = new Set(['PAPER', 'LIVE_MINIMAL', 'LIVE_SCALED_1', 'LIVE_SCALED_2', 'LIVE_SCALED_3']);
  for (const [k, v] of Object.entries(u.risk ?? {})) {
    // only the fields of the config's risk section, each with its own shape (integers stay integers)
    if (INTEGER_RISK_FIELDS.has(k)) {
      if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) return `risk.${k} must be a positive integer, got ${JSON.stringify(v)}`;
      continue;
    }
    if (!DECIMAL_RISK_FIELDS.has(k)) return `risk.${k} is not a risk limit (fields: ${[...INTEGER_RISK_FIELDS, ...DECIMAL_RISK_FIELDS].join(', ')})`;
    if (typeof v === 'number' ? !(v > 0) : !(typeof v === 'string' && decimal.test(v) && Number(v) > 0)) return `risk.${k} must be a positive number, got ${JSON.stringify(v)}`;
  }
  for (const [rung, lim] of Object.entries(u.ladder ?? {})) {
    if (!known.has(rung)) return `ladder.${rung} is not a mode of the ladder`;
    for (const [k, v] of Object.entries(lim ?? {})) {
      if (!['riskPerTradePct', 'maxExposurePct', 'dailyLossPct'].includes(k)) return `ladder.${rung}.${k} is not a limit`;
      if (!(typeof v === 'string' && decimal.test(v) && Number(v) > 0)) return `ladder.${rung}.${k} must be a positive decimal string, got ${JSON.stringify(v)}`;
    }
  }
  return null;
}
