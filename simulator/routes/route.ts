/**
 * What a route of the simulator's Binance API gets and returns. The server (../server.ts) builds one
 * context per request, after the fault injector let it through; public, signed and admin route groups
 * live beside this file.
 */
import type { Engine } from '../engine';
import type { WireRequest, WireResult } from '../binance-wire';
import type { Market } from '../types';

export interface RouteContext {
  engine: Engine;
  req: WireRequest;
  /** the engine's clock when the request arrived (after resting orders were advanced) */
  now: number;
  /** the market named by the `symbol` parameter (Binance -1102 when missing, -1121 when unknown) */
  market(): Market;
  /** authenticates a signed request and returns its account's API key (failures are counted) */
  signed(): string;
}

/** One endpoint: answers or throws a SimError (sent as Binance's {code, msg} body). */
export type Route = (ctx: RouteContext) => WireResult;

/** Routes keyed by "METHOD /path". */
export type RouteTable = Readonly<Record<string, Route>>;
