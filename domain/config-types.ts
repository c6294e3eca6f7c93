/**
 * The strategy config as the domain core and the workflows see it: validated, defaults filled,
 * plain JSON. The domain owns this shape; the zod schema that parses user documents into it
 * (config/strategy-config.ts) is checked against it at compile time.
 *
 * Conventions: a field named `...Pct` is a percentage (3 = 3 %); `...Rate` is a fraction (0.001 = 0.1 %);
 * money and quantities are decimal strings (never JS floats); durations (`Ms`-typed numbers) are ms.
 */
import type { LadderMode, LiveMode } from './modes';
import type { DecimalString } from './types';

/** a duration in milliseconds */
type Ms = number;

/** The limits of one ladder step. */
/** The paper gate's statistics basis (domain/gate.ts applies it). */
export type GateBasis = 'daily' | 'per-trade';

/** What a correlation breach among open positions does (domain/correlation.ts). */
export type CorrelationAction = 'EMERGENCY_STOP' | 'ALERT';

export interface ModeLimits {
  riskPerTradePct: DecimalString;
  maxExposurePct: DecimalString;
  dailyLossPct: DecimalString;
}

/** Trading hours; crypto venues trade 24/7 (no session). */
export interface TradingSession {
  timezone: string;
  /** HH:MM */
  open: string;
  /** HH:MM */
  close: string;
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  /** YYYY-MM-DD */
  holidays: string[];
}

export interface StrategyConfig {
  strategyId: string;
  name?: string;
  /** which playbook trades it (domain/playbook.ts registry); the field keeps its recorded name */
  strategy: string;
  /** Starting mode. Anything but PAPER must be reached through the gate + approvals. */
  mode: 'PAPER';
  exchange: {
    id: string;
    /** testnet / sandbox endpoints in live modes */
    sandbox: boolean;
    quoteCurrency: string;
    /** fee the paper broker charges, as a fraction (0.001 = 0.1 %) */
    feeRate: DecimalString;
    session: TradingSession | null;
  };
  capital: { initial: DecimalString; currency: string };
  tokenUnlock: {
    minUnlockPct: DecimalString;
    minVolume24hUsd: DecimalString;
    minChange7dPct: DecimalString;
    entryLead: Ms;
    entryTolerance: Ms;
    exitAfterUnlock: Ms;
    stopLossPct: DecimalString;
    takeProfitPct: DecimalString;
  };
  sizing: {
    /** % of capital per trade before the mode's risk/exposure caps */
    positionPct: DecimalString;
  };
  risk: {
    maxPositionPct: DecimalString;
    maxOpenPositions: number;
    weeklyLossPct: DecimalString;
    monthlyLossPct: DecimalString;
    maxDrawdownPct: DecimalString;
    maxConsecutiveLosses: number;
    maxSpreadPct: DecimalString;
    /** order notional must be at most this % of the 24 h quote volume */
    maxOrderPctOfVolume: DecimalString;
    maxSlippagePct: DecimalString;
    maxLatencyMs: number;
    /** highest Pearson r of two symbols' daily returns an entry / a pair of open positions may have (domain/correlation.ts) */
    maxCorrelation: DecimalString;
    /** how many completed days of daily returns r is computed over */
    correlationLookbackDays: number;
    /** what open positions crossing maxCorrelation do: stop the strategy, or only raise an alert */
    correlationAction: CorrelationAction;
  };
  ladder: Record<LadderMode, ModeLimits>;
  /**
   * Who may approve promotions and resumes (names as the CLI identifies operators). Absent: anyone
   * who can reach the workflow (Temporal's access control is then the only boundary). domain/approvals.ts.
   */
  approvers?: string[];
  /** Distinct approvals a step into each live rung needs (promotion or resume after an emergency stop); 2 = four eyes. */
  approvalsRequired: Record<LiveMode, number>;
  gate: {
    paperPeriod: Ms;
    minWinRatePct: DecimalString;
    minSharpe: DecimalString;
    maxDrawdownPct: DecimalString;
    minTrades: number;
    /** each live step needs this long of profitable operation */
    liveStepPeriod: Ms;
    /** what the paper gate's Sharpe and drawdown are computed from: daily mark-to-market equity (default) or closed trades */
    basis: GateBasis;
  };
  timing: {
    /** how often the strategy rescans the unlock calendar */
    scanInterval: Ms;
    /** how often a position's watcher reads the shared price cache */
    priceCheckInterval: Ms;
    /** emergency stop cooldown before an approval may resume trading */
    emergencyCooldown: Ms;
    /** the "day" of the daily loss budget (compressible for demos) */
    tradingDay: Ms;
  };
}
