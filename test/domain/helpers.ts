import { parseStrategyConfig } from '../../config/strategy-config';
import type { StrategyConfig } from '../../domain/config-types';
import type { ClosedTrade } from '../../domain/types';

/** The validated default config (the report's numbers). */
export function defaultConfig(overrides: Record<string, unknown> = {}): StrategyConfig {
  return parseStrategyConfig({ strategyId: 'test', ...overrides });
}

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A closed long trade of `quantity` at `entryPrice` with a given pnl (fees 0 unless given). */
export function trade(i: number, pnl: string, opts: Partial<ClosedTrade> = {}): ClosedTrade {
  return {
    positionId: `p${i}`,
    symbol: 'ARB/USDT',
    entryPrice: '100',
    exitPrice: '100',
    quantity: '10',
    fees: '0',
    pnl,
    openedAt: i * 1000,
    closedAt: i * 1000 + 500,
    exitReason: 'TAKE_PROFIT',
    ...opts,
  };
}
