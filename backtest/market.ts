/**
 * The paper broker's market in a backtest: the recorded candles (ReplayMarketData, the same class a
 * paper run over history uses), read through the backtest clock (backtest/clock.ts). Every time the
 * workflows pass in is simulated time; the replay is asked at the snapped data time, and the
 * crossings it reports are scheduled on the clock (the workflow will sleep until them and act there).
 */
import type { MarketPrecision, MarketSnapshot, OrderBookSnapshot } from '../domain/types';
import type { Candle } from '../exchange/types';
import type { Crossing, CrossingQuery, MarketDataSource, WaitContext } from '../exchange/market-data/common';
import type { ReplayMarketData } from '../exchange/market-data/replay';
import type { BacktestClock } from './clock';

export class BacktestMarketData implements MarketDataSource {
  readonly timeIndexed = true;
  readonly name: string;

  constructor(
    private readonly replay: ReplayMarketData,
    private readonly clock: BacktestClock,
  ) {
    this.name = `backtest:${replay.name}`;
  }

  private data(asOf: number | undefined): number {
    if (asOf === undefined) throw new Error('a backtest market read needs asOf (the workflow time)');
    return this.clock.toData(asOf);
  }

  async snapshot(symbol: string, asOf?: number): Promise<MarketSnapshot> {
    const s = await this.replay.snapshot(symbol, this.data(asOf));
    return { ...s, timestamp: asOf! };
  }

  async orderBook(symbol: string, asOf?: number, limit?: number): Promise<OrderBookSnapshot> {
    const b = await this.replay.orderBook(symbol, this.data(asOf), limit);
    return { ...b, timestamp: asOf! };
  }

  precision(symbol: string): Promise<MarketPrecision> {
    return this.replay.precision(symbol);
  }

  async ohlcv(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
    const cs = await this.replay.ohlcv(symbol, timeframe, since === undefined ? undefined : since - this.clock.shift, limit);
    return cs.map((c) => ({ ...c, timestamp: this.clock.toSim(c.timestamp) }));
  }

  async firstCrossing(q: CrossingQuery, ctx: WaitContext): Promise<Crossing | null> {
    const c = await this.replay.firstCrossing({ ...q, from: this.data(q.from), until: q.until - this.clock.shift }, ctx);
    if (!c) return null;
    this.clock.schedule(c.at);
    return { ...c, at: this.clock.toSim(c.at) };
  }
}
