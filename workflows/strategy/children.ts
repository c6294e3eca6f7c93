/**
 * Child bookkeeping: the book of tracked positions as children report (opened, ended), the open
 * positions query, and the strategy stop that cancels every child (each then exits at market) and
 * waits for their reports. Children report by signal to the workflow id, which reaches whichever run
 * is current.
 */
import { allHandlersFinished, condition, getExternalWorkflowHandle } from '@temporalio/workflow';
import { applyClosedTrade } from '../../domain/risk';
import { exitPositionSignal } from '../position/api';
import type { OpenPositionInfo, PositionEnded, PositionOpened, StrategyStatus } from './api';
import { act } from './proxies';
import type { StrategyRun } from './state';
import { strategyStatus } from './status';

/** Trades kept in workflow state for the gate and the metrics query; the DB keeps them all. */
const MAX_TRADES_IN_STATE = 1000;

export function positionOpened(run: StrategyRun, p: PositionOpened): void {
  const s = run.state;
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
  run.syncRisk();
  // an emergency stop that raced this entry: the position is told to exit (it exits after filling)
  if (s.mode === 'EMERGENCY_STOP') void getExternalWorkflowHandle(p.positionId).signal(exitPositionSignal, { reason: 'EMERGENCY' });
}

export function positionEnded(run: StrategyRun, e: PositionEnded): void {
  const s = run.state;
  delete s.positions[e.positionId];
  if (e.trade) {
    s.trades.push(e.trade);
    if (s.trades.length > MAX_TRADES_IN_STATE) s.trades.splice(0, s.trades.length - MAX_TRADES_IN_STATE);
    s.risk = applyClosedTrade(s.risk, e.trade.pnl, Date.now(), run.config);
  }
  run.syncRisk();
  run.wake = true;
}

/** The open positions query: entering and open children, without the bookkeeping fields. */
export function openPositions(run: StrategyRun): OpenPositionInfo[] {
  return run.livePositions().map(({ eventId: _e, ...p }) => p as OpenPositionInfo);
}

/** Strategy stop: cancel every child, wait for their exits to be reported, save the risk state. */
export async function stopAll(run: StrategyRun): Promise<StrategyStatus> {
  const s = run.state;
  const live = Object.values(s.positions);
  await Promise.all(live.map((p) => getExternalWorkflowHandle(p.positionId).cancel().catch(() => undefined)));
  // wait for their exits to be reported (bounded: a position that cannot exit raises its own alert)
  await condition(() => Object.keys(s.positions).length === 0, 10 * 60_000);
  await condition(allHandlersFinished);
  await act.saveRiskState({ strategyId: run.strategyId, risk: s.risk, mode: s.mode, state: 'STOPPED' });
  return strategyStatus(run);
}
