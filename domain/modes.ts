/**
 * The trading modes: the one place they are listed. The config schema, the ladder, the broker
 * registry and the workflows derive theirs from here, so adding a step is one edit.
 *
 * The ladder (live-trading controller report) goes PAPER → LIVE_MINIMAL → LIVE_SCALED_1 → 2 → 3;
 * EMERGENCY_STOP is off the ladder: a halt, not a step.
 */
export const LADDER_MODES = ['PAPER', 'LIVE_MINIMAL', 'LIVE_SCALED_1', 'LIVE_SCALED_2', 'LIVE_SCALED_3'] as const;
export const EMERGENCY_STOP = 'EMERGENCY_STOP' as const;
export const TRADING_MODES = [...LADDER_MODES, EMERGENCY_STOP] as const;

export type LadderMode = (typeof LADDER_MODES)[number];
export type TradingMode = (typeof TRADING_MODES)[number];
export type LiveMode = Exclude<LadderMode, 'PAPER'>;

export function isLadderMode(mode: string): mode is LadderMode {
  return (LADDER_MODES as readonly string[]).includes(mode);
}

/**
 * True for the ladder steps above PAPER (real orders). PAPER and EMERGENCY_STOP are false: a workflow
 * in EMERGENCY_STOP must remember which mode it stopped from to know which broker holds its positions.
 */
export function isLiveMode(mode: string): mode is LiveMode {
  return isLadderMode(mode) && mode !== 'PAPER';
}
