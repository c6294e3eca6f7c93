/**
 * Walking the mode ladder (the modes themselves are listed in ./modes):
 *   PAPER → LIVE_MINIMAL (0.1 % risk/trade, 2 % exposure, 1 % daily loss)
 *         → LIVE_SCALED_1 (0.25 %, 5 %, 2 %) → LIVE_SCALED_2 (0.5 %, 10 %, 2 %) → LIVE_SCALED_3 (1 %, 10 %, 2 %);
 * EMERGENCY_STOP is off the ladder: a halt, not a step. Limits come from `cfg.ladder` (defaults = the report).
 */
import type { ModeLimits, StrategyConfig } from './config-types';
import { EMERGENCY_STOP, LADDER_MODES, isLadderMode, type LadderMode, type TradingMode } from './modes';

/** Limits of EMERGENCY_STOP: nothing may be opened. */
const HALTED_LIMITS: ModeLimits = { riskPerTradePct: '0', maxExposurePct: '0', dailyLossPct: '0' };

/** Position on the ladder (PAPER = 0 … LIVE_SCALED_3 = 4); -1 for EMERGENCY_STOP. */
function modeRank(mode: TradingMode): number {
  return (LADDER_MODES as readonly string[]).indexOf(mode);
}

/** The next step up, or null at the top (LIVE_SCALED_3) and for EMERGENCY_STOP (resuming is not a promotion). */
export function nextMode(mode: TradingMode): LadderMode | null {
  const i = modeRank(mode);
  if (i < 0 || i >= LADDER_MODES.length - 1) return null;
  return LADDER_MODES[i + 1]!;
}

/** The step below, or null at PAPER and for EMERGENCY_STOP. */
export function previousMode(mode: TradingMode): LadderMode | null {
  const i = modeRank(mode);
  if (i <= 0) return null;
  return LADDER_MODES[i - 1]!;
}

/** The mode's limits from the config ladder; EMERGENCY_STOP gets all-zero limits. */
export function limitsFor(mode: TradingMode, cfg: Pick<StrategyConfig, 'ladder'>): ModeLimits {
  if (!isLadderMode(mode)) return HALTED_LIMITS;
  return cfg.ladder[mode];
}

export function isHalted(mode: TradingMode): boolean {
  return mode === EMERGENCY_STOP;
}
