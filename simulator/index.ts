/**
 * simulator/ — a local Binance-spot exchange over HTTP (the main job's embedded default exchange, the
 * venue of the live-mode tests). What each file holds: ./README.md.
 */
export { startSimulator, DEFAULT_ACCOUNT } from './server';
export type { Simulator, SimulatorOptions, SimulatorStats, SimOrderView } from './server';
export { FaultInjector } from './faults';
export type { FaultKind, FaultRuleSpec } from './faults';
export { Engine } from './engine';
export type { AccountConfig, EngineOptions } from './types';
