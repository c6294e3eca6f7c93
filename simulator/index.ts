/**
 * simulator/ — a local Binance-spot exchange over HTTP, the embedded default exchange of the main job
 * (scripts/main-job.ts) and the venue of the live-mode tests, proofs and benchmarks. ccxt's real
 * `binance` class talks to it through EXCHANGE_URL_OVERRIDE; nothing in the product knows it is not
 * Binance.
 *
 *   server.ts         HTTP server, fault injection in front of every API request, the `Simulator` handle
 *   binance-wire.ts   the wire format: request parsing, signing, error codes and bodies, JSON shapes
 *   routes/           route groups: public market data, signed orders and account, admin and faults
 *   engine.ts         accounts, balances, order matching; order-book.ts its synthetic book
 *   faults.ts         scriptable faults (latency, status, rate limit, reset, timeout, accept-then-drop)
 *   types.ts          orders, fills, accounts and options in Binance terms
 *   main.ts           run it as a process (`npx tsx simulator/main.ts --port 8710`)
 *
 * Prices come from the exchange room's price path (exchange/market-data/price-path.ts).
 */
export { startSimulator, DEFAULT_ACCOUNT } from './server';
export type { Simulator, SimulatorOptions, SimulatorStats, SimOrderView } from './server';
export { FaultInjector } from './faults';
export type { FaultKind, FaultRuleSpec } from './faults';
export { Engine } from './engine';
export type { AccountConfig, EngineOptions } from './types';
