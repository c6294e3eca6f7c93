/**
 * simulator/ — a local spot exchange over HTTP speaking Binance's and Kraken's REST dialects (the main
 * job's embedded default exchange, the venue of the live-mode tests). What each file holds: ./README.md.
 */
export { startSimulator, DEFAULT_ACCOUNT } from './server';
export { DEFAULT_KRAKEN_ACCOUNT } from './types';
export type { Simulator, SimulatorOptions, SimulatorStats, SimOrderView } from './server';
export { FaultInjector } from './faults';
export type { FaultKind, FaultRuleSpec } from './faults';
export { Engine } from './engine';
export type { AccountConfig, EngineOptions } from './types';
