export { startSimulator, DEFAULT_ACCOUNT } from './server';
export type { Simulator, SimulatorOptions, SimulatorStats, SimOrderView } from './server';
export { FaultInjector } from './faults';
export type { FaultKind, FaultRuleSpec } from './faults';
export { Engine } from './engine';
export type { AccountConfig, EngineOptions } from './engine';
