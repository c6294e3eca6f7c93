/**
 * What a benchmark run sets up and reads back: the strategy config that lets N positions be open at
 * once, the N unlock events (entry targets spread over a window) and the venue's acknowledgement
 * times of orders (paper venue row, or the simulator's own order time).
 */
import { parseStrategyConfig } from '../../config/strategy-config';
import type { StrategyConfig } from '../../domain/config-types';
import type { UnlockEvent } from '../../domain/types';
import { SYMBOLS, type BenchStack } from './stack';

export type Kind = 'paper' | 'live';

const UNLOCK_PCT_AMOUNT = '8000000'; // 8 % of 100,000,000

export function benchConfig(strategyId: string, n: number, kind: Kind): StrategyConfig {
  const limits = { riskPerTradePct: '1', maxExposurePct: '100', dailyLossPct: '50' };
  return parseStrategyConfig({
    strategyId,
    name: `benchmark ${kind} N=${n}`,
    strategy: 'token-unlock',
    capital: { initial: '1000000', currency: 'USDT' },
    exchange: { id: 'binance', sandbox: false, feeRate: '0.001' },
    tokenUnlock: {
      minUnlockPct: '5',
      minVolume24hUsd: '0',
      minChange7dPct: '-100',
      // long enough that a late entry (queueing under load) is still before the unlock, and measured
      entryLead: '20m',
      entryTolerance: '20m',
      exitAfterUnlock: '30m',
      stopLossPct: '50',
      takeProfitPct: '50',
    },
    // 0.05 % of 1,000,000 = 500 USDT per position: N = 1000 uses 50 % of the capital
    sizing: { positionPct: '0.05' },
    risk: {
      maxOpenPositions: n + 10,
      maxPositionPct: '20',
      weeklyLossPct: '50',
      monthlyLossPct: '50',
      maxDrawdownPct: '50',
      maxConsecutiveLosses: 1000,
      maxSpreadPct: '0.5',
      maxOrderPctOfVolume: '1',
      maxSlippagePct: '0.5',
      // the snapshot latency under load must not refuse entries nor trip the LATENCY emergency trigger
      maxLatencyMs: 600_000,
      maxCorrelation: '0.99',
    },
    ladder: { PAPER: limits, LIVE_MINIMAL: limits },
    gate:
      kind === 'live'
        ? // passes with the two warm-up trades: any win rate, any Sharpe, after 1 s of paper
          { paperPeriod: '1s', minTrades: 2, minWinRatePct: '0', minSharpe: '-1000000', maxDrawdownPct: '99', liveStepPeriod: '1h' }
        : { paperPeriod: '1h', liveStepPeriod: '1h' },
    timing: { scanInterval: '10s', priceCheckInterval: '2s', emergencyCooldown: '1h', tradingDay: '1d' },
  });
}

export function makeEvents(prefix: string, n: number, firstTarget: number, spreadMs: number, entryLeadMs: number): UnlockEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${String(i).padStart(4, '0')}`,
    symbol: SYMBOLS[i % SYMBOLS.length]!,
    unlockAt: Math.round(firstTarget + entryLeadMs + (n > 1 ? (i * spreadMs) / (n - 1) : 0)),
    unlockAmount: UNLOCK_PCT_AMOUNT,
    circulatingSupply: '100000000',
  }));
}

export async function insertEvents(stack: BenchStack, events: UnlockEvent[], source: string): Promise<void> {
  await stack.db.unlockEvent.createMany({
    data: events.map((e) => ({ id: e.id, symbol: e.symbol, unlockAt: new Date(e.unlockAt), unlockAmount: e.unlockAmount, circulatingSupply: e.circulatingSupply, source })),
  });
}

/** When the venue acknowledged each order: paper venue row insert time, or the simulator's order time. */
export async function venueAckTimes(stack: BenchStack, kind: Kind, clientOrderIds: string[]): Promise<Map<string, number>> {
  if (kind === 'live') {
    const want = new Set(clientOrderIds);
    return new Map(stack.sim.orders().filter((so) => want.has(so.clientOrderId)).map((so) => [so.clientOrderId, so.time]));
  }
  const rows = await chunked(clientOrderIds, 500, (part) => stack.db.paperVenueOrder.findMany({ where: { clientOrderId: { in: part } }, select: { clientOrderId: true, createdAt: true } }));
  return new Map(rows.map((x) => [x.clientOrderId, x.createdAt.getTime()]));
}

export async function chunked<T, R>(items: T[], size: number, f: (part: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await f(items.slice(i, i + size))));
  return out;
}
