/**
 * Paper strategies price at their own venue (issue 15): with MARKET_DATA=ccxt a paper strategy whose
 * config names kraken takes its fills, quotes, watched prices and daily candles from Kraken's public
 * data — here the simulator's Kraken dialect, counted per wire path — and a paper strategy on binance
 * from Binance's; MARKET_DATA=synthetic stays one source for all. And one owner of a venue's daily
 * candles per worker: the live gateway's snapshot reads the same cache as the venue's market data.
 */
import { createMarketActivities } from '../../activities/market';
import { createOrderActivities, type PlaceOrderInput } from '../../activities/orders';
import { createBrokerRegistry, marketDataOfWorkflow, type BrokerRegistry } from '../../exchange/broker-registry';
import { CcxtGateway } from '../../exchange/ccxt-gateway';
import { noopWaitContext } from '../../exchange/market-data';
import { dailyClosesOf } from '../../exchange/market-data/daily-closes';
import { DEFAULT_ACCOUNT, DEFAULT_KRAKEN_ACCOUNT, startSimulator, type Simulator } from '../../simulator';
import { freshSqliteDb, type TestDb } from '../helpers/db';

let sim: Simulator;
let tdb: TestDb;
const open: BrokerRegistry[] = [];

beforeAll(async () => {
  [sim, tdb] = await Promise.all([startSimulator({ port: 0, seed: 31, matchIntervalMs: 50 }), freshSqliteDb()]);
  const strategy = (id: string, venue: string, mode: string) =>
    tdb.db.strategy.create({
      data: { id, strategyType: 'token-unlock', configJson: JSON.stringify({ exchange: { id: venue } }), mode, state: 'RUNNING', workflowId: `strategy-${id}`, initialCapital: '10000', riskPerTradePct: '1', maxExposurePct: '20', dailyLossPct: '5' },
    });
  await Promise.all([strategy('paper-kraken', 'kraken', 'PAPER'), strategy('paper-binance', 'binance', 'PAPER'), strategy('live-kraken', 'kraken', 'LIVE_MINIMAL')]);
});
afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
  await sim?.close();
  await tdb?.close();
});

function registry(marketData: string): BrokerRegistry {
  const reg = createBrokerRegistry({
    db: tdb.db,
    env: {
      MARKET_DATA: marketData,
      EXCHANGE_URL_OVERRIDE: sim.url,
      EXCHANGE_API_KEY: DEFAULT_ACCOUNT.apiKey,
      EXCHANGE_SECRET: DEFAULT_ACCOUNT.secret,
      EXCHANGE_SANDBOX: 'false',
      EXCHANGE_RATE_LIMIT_MS: '1',
      EXCHANGE_TIMEOUT_MS: '5000',
      EXCHANGE_KRAKEN_URL_OVERRIDE: sim.url,
      EXCHANGE_KRAKEN_API_KEY: DEFAULT_KRAKEN_ACCOUNT.apiKey,
      EXCHANGE_KRAKEN_SECRET: DEFAULT_KRAKEN_ACCOUNT.secret,
    },
  });
  open.push(reg);
  return reg;
}

/** the simulator's requests since `before`, by "METHOD path", zero counts left out */
function since(before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(sim.stats().requests)) if (n - (before[k] ?? 0) > 0) out[k] = n - (before[k] ?? 0);
  return out;
}
const binancePaths = (r: Record<string, number>) => Object.keys(r).filter((k) => k.includes('/api/v3/'));
const krakenPaths = (r: Record<string, number>) => Object.keys(r).filter((k) => k.includes('/0/'));

const entry = (strategyId: string, n: number): PlaceOrderInput => ({
  clientOrderId: `position-${strategyId}-${n}:entry`,
  strategyId,
  positionId: `position-${strategyId}-${n}`,
  purpose: 'entry',
  mode: 'PAPER',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  amount: '0.01',
  signalPrice: '60000',
  asOf: Date.now(),
});

test('MARKET_DATA=ccxt: a paper kraken strategy fills, quotes, watches and reads daily candles on the Kraken wire; a paper binance strategy on the Binance wire', async () => {
  const reg = registry('ccxt');
  const orders = createOrderActivities({ db: tdb.db, brokers: reg });
  const market = createMarketActivities({ brokers: reg });

  let before = sim.stats().requests;
  const fill = await orders.placeOrder(entry('paper-kraken', 1));
  const snap = await market.fetchMarketSnapshot({ symbol: 'BTC/USDT', mode: 'PAPER', strategyId: 'paper-kraken', asOf: Date.now() });
  const watched = await marketDataOfWorkflow(reg, 'PAPER', 'strategy-paper-kraken');
  const crossing = await watched.firstCrossing({ symbol: 'BTC/USDT', below: '100000000', from: Date.now(), until: Date.now() + 30_000 }, noopWaitContext(50));
  const closes = await dailyClosesOf(watched, ['BTC/USDT'], Date.now(), 5);
  const kraken = since(before);
  expect(fill).toMatchObject({ venue: 'paper', status: 'FILLED', filledAmount: '0.01' });
  expect(snap.venue).toBe('paper');
  expect(watched.name).toBe('ccxt:kraken');
  expect(crossing?.side).toBe('below');
  expect(closes.closes['BTC/USDT']?.length).toBeGreaterThan(0);
  // the fill's quote and book, the snapshot's ticker and 7-day change, the watcher's price, the closes: all Kraken's
  expect(kraken['GET /0/public/Ticker']).toBeGreaterThanOrEqual(2);
  expect(kraken['GET /0/public/Depth']).toBeGreaterThanOrEqual(1);
  expect(kraken['GET /0/public/OHLC']).toBeGreaterThanOrEqual(1);
  expect(binancePaths(kraken)).toEqual([]);

  before = sim.stats().requests;
  const onBinance = await orders.placeOrder(entry('paper-binance', 1));
  const binanceWatch = await marketDataOfWorkflow(reg, 'PAPER', 'strategy-paper-binance');
  const binance = since(before);
  expect(onBinance).toMatchObject({ venue: 'paper', status: 'FILLED' });
  expect(binanceWatch.name).toBe('ccxt:binance');
  expect(binance['GET /api/v3/depth']).toBeGreaterThanOrEqual(1);
  expect(krakenPaths(binance)).toEqual([]);

  // one public-data source per venue per worker: paper and live of a venue share it
  expect(reg.marketData('PAPER', 'kraken')).toBe(reg.marketData('LIVE_MINIMAL', 'kraken'));
  expect(reg.marketData('PAPER', 'kraken')).toBe(watched);
  console.log(`paper on kraken: ${JSON.stringify(kraken)}\npaper on binance: ${JSON.stringify(binance)}`);
}, 60_000);

test('MARKET_DATA=synthetic: one path for every paper strategy, whatever its venue; nothing asked of any venue', async () => {
  const reg = registry('synthetic');
  expect(reg.paperPerVenue).toBe(false);
  const orders = createOrderActivities({ db: tdb.db, brokers: reg });
  const before = sim.stats().requests;
  const fill = await orders.placeOrder(entry('paper-kraken', 2));
  expect(fill).toMatchObject({ venue: 'paper', status: 'FILLED' });
  expect((await marketDataOfWorkflow(reg, 'PAPER', 'strategy-paper-kraken')).name).toBe('synthetic:42');
  expect(reg.marketData('PAPER', 'kraken')).toBe(reg.marketData('PAPER', 'binance'));
  expect(since(before)).toEqual({});
});

test("one owner of a venue's daily candles per worker: the live gateway's snapshot and the venue's market data read one cache", async () => {
  const reg = registry('ccxt');
  const market = createMarketActivities({ brokers: reg });
  const before = sim.stats().requests;
  const live = await market.fetchMarketSnapshot({ symbol: 'ETH/USDT', mode: 'LIVE_MINIMAL', strategyId: 'live-kraken' });
  const paper = await market.fetchMarketSnapshot({ symbol: 'ETH/USDT', mode: 'PAPER', strategyId: 'paper-kraken' });
  const closes = await dailyClosesOf(reg.marketData('LIVE_MINIMAL', 'kraken'), ['ETH/USDT'], Date.now(), 5);
  const asked = since(before);
  expect(live.venue).toBe('kraken');
  expect(paper.venue).toBe('paper');
  expect(closes.closes['ETH/USDT']?.length).toBeGreaterThan(0);
  // one daily-candle read of ETH/USDT at kraken for the three readers; both snapshots judge the same 7-day change
  expect(asked['GET /0/public/OHLC']).toBe(1);
  // the same base candle; each snapshot reads its own ticker a moment apart on the simulator's moving path
  // (-6.0797 vs -6.08 seen), so the last price may differ in its last digits
  expect(Math.abs(Number(live.change7dPct) - Number(paper.change7dPct))).toBeLessThan(0.1);

  // a gateway built alone keeps a cache of its own: a second snapshot reads no candles again
  const alone = new CcxtGateway({ apiKey: DEFAULT_ACCOUNT.apiKey, secret: DEFAULT_ACCOUNT.secret, urlOverride: sim.url, rateLimitMs: 1, timeoutMs: 5000 });
  try {
    const b0 = sim.stats().requests;
    await alone.fetchSnapshot('BTC/USDT');
    await alone.fetchSnapshot('BTC/USDT');
    expect(since(b0)['GET /api/v3/klines']).toBe(1);
    expect(since(b0)['GET /api/v3/ticker/24hr']).toBe(2);
  } finally {
    await alone.close();
  }
}, 60_000);
