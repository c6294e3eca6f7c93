/**
 * placeOrder / batchPlaceOrders / cancelOrder / fetchBalances activities over the paper broker:
 * exactly once across crashes, error mapping to Temporal failures, fills and execution quality.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createOrderActivities, type PlaceOrderInput, type PlacedOrder } from '../../activities/orders';
import { createOrderLedger } from '../../activities/orders/ledger';
import { redactSecrets } from '../../activities/failures';
import { executionQuality } from '../../read-models/execution-quality';
import { createMarketActivities, type LevelCrossing } from '../../activities/market';
import { staticBrokerRegistry, createBrokerRegistry } from '../../exchange/broker-registry';
import { PricePathMarketData } from '../../exchange/market-data';
import { PaperBroker } from '../../exchange/paper-broker';
import { ScriptedPricePath, SyntheticPricePath } from '../../exchange/market-data/price-path';
import { BrokerError, type Broker, type OrderRequest } from '../../exchange/types';
import { freshSqliteDb, type TestDb } from '../helpers/db';

const T0 = Date.UTC(2026, 2, 1);
const H = 3_600_000;

function input(id: string, o: Partial<PlaceOrderInput> = {}): PlaceOrderInput {
  return {
    clientOrderId: id,
    strategyId: 'strat-a',
    positionId: id.split(':')[0],
    purpose: 'entry',
    mode: 'PAPER',
    symbol: 'ARB/USDT',
    side: 'buy',
    type: 'market',
    amount: '100',
    signalPrice: '0.75',
    signalSize: '100',
    asOf: T0,
    ...o,
  };
}

/** a broker wrapper that can "crash" around the venue call */
class CrashingBroker implements Broker {
  venueCalls = 0;
  constructor(
    readonly inner: Broker,
    public crash: 'before-venue' | 'after-venue' | 'none' = 'none',
  ) {}
  get venue() {
    return this.inner.venue;
  }
  async placeOrder(req: OrderRequest) {
    if (this.crash === 'before-venue') {
      this.crash = 'none';
      throw new Error('worker killed before the venue call');
    }
    this.venueCalls++;
    const o = await this.inner.placeOrder(req);
    if (this.crash === 'after-venue') {
      this.crash = 'none';
      throw new Error('worker killed after the venue accepted');
    }
    return o;
  }
  fetchOrderByClientId(s: string, c: string) {
    return this.inner.fetchOrderByClientId(s, c);
  }
  cancelOrder(s: string, c: string) {
    return this.inner.cancelOrder(s, c);
  }
  fetchOpenOrders(s?: string) {
    return this.inner.fetchOpenOrders(s);
  }
  fetchBalances() {
    return this.inner.fetchBalances();
  }
  fetchSnapshot(s: string, t?: number) {
    return this.inner.fetchSnapshot(s, t);
  }
  fetchOrderBook(s: string, l?: number, t?: number) {
    return this.inner.fetchOrderBook(s, l, t);
  }
  fetchOHLCV(s: string, tf: string, since?: number, l?: number) {
    return this.inner.fetchOHLCV(s, tf, since, l);
  }
}

describe('order activities (paper)', () => {
  let tdb: TestDb;
  let paper: PaperBroker;
  let md: PricePathMarketData;
  beforeAll(async () => {
    tdb = await freshSqliteDb();
    md = new PricePathMarketData({ path: new SyntheticPricePath({ seed: 3 }) });
    paper = new PaperBroker({ db: tdb.db, marketData: md, defaults: { initialBalances: { USDT: '100000' } } });
  });
  afterAll(async () => {
    await tdb.close();
  });

  test('places, records the row, one Fill, slippage expected vs realized; a repeat returns the same', async () => {
    const acts = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper }) });
    const snap = await md.snapshot('ARB/USDT', T0);
    const r = await acts.placeOrder(input('pos-1:entry', { signalPrice: snap.last }));
    expect(r).toMatchObject({ clientOrderId: 'pos-1:entry', venue: 'paper', status: 'FILLED', filledAmount: '100', attempts: 1 });
    expect(Number(r.realizedSlippagePct)).toBeGreaterThan(0);
    expect(Number(r.expectedSlippagePct)).toBeGreaterThanOrEqual(0.05);
    const row = await tdb.db.order.findUniqueOrThrow({ where: { clientOrderId: 'pos-1:entry' }, include: { fills: true } });
    expect(row).toMatchObject({ status: 'FILLED', venue: 'paper', mode: 'PAPER', purpose: 'entry', strategyId: 'strat-a', positionId: 'pos-1', lastError: null });
    expect(row.fills).toHaveLength(1);
    expect(row.fills[0]!.amount.toString()).toBe('100');
    const again = await acts.placeOrder(input('pos-1:entry', { signalPrice: snap.last, asOf: T0 + H }));
    expect(again).toMatchObject({ status: 'FILLED', avgPrice: r.avgPrice, attempts: 2 });
    expect(await tdb.db.fill.count({ where: { orderId: row.id } })).toBe(1);
    expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: 'pos-1:entry' } })).toBe(1);

    const q = await executionQuality(tdb.db, { venue: 'paper' });
    const arb = q.find((x) => x.symbol === 'ARB/USDT')!;
    expect(arb.count).toBeGreaterThanOrEqual(1);
    expect(Number(arb.meanRealizedSlippagePct)).toBeGreaterThan(0);
    expect(arb.meanExpectedSlippagePct).not.toBeNull();
  });

  test('a crash between "row written" and "venue called" → the retry places exactly once', async () => {
    const crashing = new CrashingBroker(paper, 'before-venue');
    const acts = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper: crashing }) });
    await expect(acts.placeOrder(input('pos-2:entry'))).rejects.toThrow(/killed before/);
    const pending = await tdb.db.order.findUniqueOrThrow({ where: { clientOrderId: 'pos-2:entry' } });
    expect(pending).toMatchObject({ status: 'PENDING_SUBMIT', attempts: 1 });
    expect(pending.lastError).toMatch(/killed before/);
    expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: 'pos-2:entry' } })).toBe(0);
    const r = await acts.placeOrder(input('pos-2:entry'));
    expect(r).toMatchObject({ status: 'FILLED', attempts: 2 });
    expect(crashing.venueCalls).toBe(1);
    expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: 'pos-2:entry' } })).toBe(1);
  });

  test('a crash after the venue accepted → the retry finds the order by client id, never re-places', async () => {
    const crashing = new CrashingBroker(paper, 'after-venue');
    const acts = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper: crashing }) });
    await expect(acts.placeOrder(input('pos-3:exit', { side: 'sell', purpose: 'exit', amount: '50' }))).rejects.toThrow(/killed after/);
    // the paper account had ARB from pos-1/pos-2 entries; the sell is at the venue, the row still pending
    expect((await tdb.db.order.findUniqueOrThrow({ where: { clientOrderId: 'pos-3:exit' } })).status).toBe('PENDING_SUBMIT');
    const r = await acts.placeOrder(input('pos-3:exit', { side: 'sell', purpose: 'exit', amount: '50' }));
    expect(r).toMatchObject({ status: 'FILLED', filledAmount: '50', attempts: 2 });
    expect(crashing.venueCalls).toBe(1);
    const row = await tdb.db.order.findUniqueOrThrow({ where: { clientOrderId: 'pos-3:exit' }, include: { fills: true } });
    expect(row.fills).toHaveLength(1);
  });

  test('errors: non-retryable → nonRetryable ApplicationFailure + REJECTED row; 429 → nextRetryDelay; secrets never leak', async () => {
    const acts = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper }) });
    const e1 = await acts.placeOrder(input('pos-4:entry', { amount: '100000000' })).catch((e) => e);
    expect(e1).toBeInstanceOf(ApplicationFailure);
    expect(e1).toMatchObject({ nonRetryable: true, type: 'INSUFFICIENT_FUNDS' });
    const row = await tdb.db.order.findUniqueOrThrow({ where: { clientOrderId: 'pos-4:entry' } });
    expect(row.status).toBe('REJECTED');
    expect(row.lastError).toMatch(/INSUFFICIENT_FUNDS/);

    const e2 = await acts.placeOrder(input('pos-5:entry', { mode: 'EMERGENCY_STOP' })).catch((e) => e);
    expect(e2).toMatchObject({ nonRetryable: true, type: 'INVALID_ORDER' });

    process.env.EXCHANGE_SECRET = 'super-secret-value-123';
    try {
      const limited = new CrashingBroker(paper);
      limited.placeOrder = async () => {
        throw new BrokerError('binance POST https://x/api/v3/order?signature=abcdef0123 429 secret super-secret-value-123', 'RATE_LIMITED', true, 1500);
      };
      const acts2 = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper: limited }) });
      const e3 = await acts2.placeOrder(input('pos-6:entry')).catch((e) => e);
      expect(e3).toBeInstanceOf(ApplicationFailure);
      expect(e3.nonRetryable).toBe(false);
      expect(e3.type).toBe('RATE_LIMITED');
      expect(e3.nextRetryDelay).toBe(1500);
      expect(e3.message).not.toContain('super-secret-value-123');
      expect(e3.message).not.toContain('abcdef0123');
      const r6 = await tdb.db.order.findUniqueOrThrow({ where: { clientOrderId: 'pos-6:entry' } });
      expect(r6.status).toBe('PENDING_SUBMIT');
      expect(r6.lastError).not.toContain('super-secret-value-123');
    } finally {
      delete process.env.EXCHANGE_SECRET;
    }
    expect(redactSecrets('apiKey=abc&x=1 "secret":"zzz"')).toBe('apiKey=***&x=1 "secret":"***"');
  });

  test('batchPlaceOrders: 40 exits concurrently in one activity, flaky venue retried inside, heartbeats, each placed once', async () => {
    // entries first so the paper account holds the ARB the exits sell
    const acts0 = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper }) });
    await acts0.placeOrder(input('batch-entry', { amount: '5000', strategyId: 'strat-batch' }));
    let calls = 0;
    const flaky = new CrashingBroker(paper.forAccount('strat-batch'));
    const inner = flaky.placeOrder.bind(flaky);
    flaky.placeOrder = async (req) => {
      if (++calls % 3 === 0) throw new BrokerError('503 Service Unavailable', 'EXCHANGE_UNAVAILABLE', true);
      return inner(req);
    };
    const acts = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper: flaky }), batchRetryBaseMs: 5 });
    const inputs = Array.from({ length: 40 }, (_, i) =>
      input(`bpos-${i}:emergency-exit`, { strategyId: 'strat-batch', purpose: 'emergency-exit', side: 'sell', amount: '100', asOf: T0 + H }),
    );
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const t = Date.now();
    const results: PlacedOrder[] = await env.run(acts.batchPlaceOrders, inputs);
    const ms = Date.now() - t;
    expect(results).toHaveLength(40);
    expect(results.filter((r) => r.status !== "FILLED" || r.error)).toEqual([]);
    expect(beats).toBeGreaterThan(40);
    for (const i of inputs) expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: i.clientOrderId } })).toBe(1);
    console.log(`batchPlaceOrders: 40 paper exits in ${ms} ms, ${calls} venue calls, ${beats} heartbeats`);
    // the same batch again (Temporal retry of the whole activity): nothing new is placed
    const again: PlacedOrder[] = await env.run(acts.batchPlaceOrders, inputs);
    expect(again.map((r) => r.avgPrice)).toEqual(results.map((r) => r.avgPrice));
    expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: { startsWith: 'bpos-' } } })).toBe(40);
    // a non-retryable one is reported, not thrown
    const mixed = await acts.batchPlaceOrders([input('bad-1:exit', { strategyId: 'strat-batch', side: 'sell', amount: '99999999' })]);
    expect(mixed[0]!.error).toMatchObject({ kind: 'INSUFFICIENT_FUNDS', retryable: false });
  });

  test('batchPlaceOrders opens every row in one transaction before the first venue call; if that fails, each order opens its own', async () => {
    const acts0 = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper }) });
    await acts0.placeOrder(input('tx-entry', { amount: '5000', strategyId: 'strat-tx' }));
    const inputs = (tag: string) =>
      Array.from({ length: 12 }, (_, i) => input(`${tag}-${i}:emergency-exit`, { strategyId: 'strat-tx', purpose: 'emergency-exit', side: 'sell', amount: '10', asOf: T0 + H }));
    // the venue sees the first order only after all 12 rows exist (PENDING_SUBMIT, attempt 1)
    const rowsAtFirstCall: number[] = [];
    let first = true;
    const watching = new CrashingBroker(paper.forAccount('strat-tx'));
    const inner = watching.placeOrder.bind(watching);
    watching.placeOrder = async (req) => {
      if (first) {
        first = false;
        rowsAtFirstCall.push(await tdb.db.order.count({ where: { clientOrderId: { startsWith: 'txa-' }, status: 'PENDING_SUBMIT', attempts: 1 } }));
      }
      return inner(req);
    };
    // the calls on the Order table: one upsert per order, all inside the one transaction, and no order
    // opening its own row afterwards (that would be a second upsert, or a findFirst of its entry venue)
    const calls: string[] = [];
    const orderTable = new Proxy(tdb.db.order, { get: (t, k) => (typeof k === 'string' && ['upsert', 'findFirst', 'findMany'].includes(k) ? (...a: unknown[]) => (calls.push(k), (Reflect.get(t, k) as (...x: unknown[]) => unknown).apply(t, a)) : Reflect.get(t, k)) });
    const counting = new Proxy(tdb.db, { get: (t, k) => (k === 'order' ? orderTable : k === '$transaction' ? (...a: unknown[]) => (calls.push('$transaction'), (t.$transaction as (...x: unknown[]) => unknown)(...a)) : Reflect.get(t, k)) });
    const a = await createOrderActivities({ db: counting, brokers: staticBrokerRegistry({ paper: watching }) }).batchPlaceOrders(inputs('txa'));
    expect(a.filter((r) => r.status !== 'FILLED' || r.error)).toEqual([]);
    expect(rowsAtFirstCall).toEqual([12]);
    expect(calls.filter((c) => c !== 'findMany')).toEqual([...Array(12).fill('upsert'), '$transaction']);
    // the transaction fails (as a racing first insert would make it): every order still placed exactly once
    const failing = new Proxy(tdb.db, { get: (t, k) => (k === '$transaction' ? async () => Promise.reject(new Error('SQLITE_BUSY: database is locked')) : Reflect.get(t, k)) });
    const b = await createOrderActivities({ db: failing, brokers: staticBrokerRegistry({ paper }) }).batchPlaceOrders(inputs('txb'));
    expect(b.filter((r) => r.status !== 'FILLED' || r.error)).toEqual([]);
    for (const i of inputs('txb')) expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: i.clientOrderId } })).toBe(1);
    expect(await tdb.db.order.count({ where: { clientOrderId: { startsWith: 'txb-' }, attempts: 1 } })).toBe(12);
  });

  test('the entry venues of a 1200-position batch come in chunks (SQLite refuses 1000 parameters in one query)', async () => {
    await tdb.db.order.create({ data: { clientOrderId: 'venue-pos-7:entry', strategyId: 'strat-v', positionId: 'venue-pos-7', purpose: 'entry', venue: 'binance', mode: 'LIVE_MINIMAL', symbol: 'ARB/USDT', side: 'buy', type: 'market', amount: '1', status: 'FILLED', signalPrice: '1', attempts: 1 } });
    const ids = Array.from({ length: 1200 }, (_, i) => `venue-pos-${i}`);
    const venues = await createOrderLedger(tdb.db).entryVenuesOf(ids);
    expect([...venues]).toEqual([['venue-pos-7', 'binance']]);
  });

  test('cancelOrder reconciles the row; fetchBalances stores a BalanceSnapshot', async () => {
    const acts = createOrderActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper }) });
    const snap = await md.snapshot('ARB/USDT', T0);
    const lim = await acts.placeOrder(input('pos-7:entry', { type: 'limit', price: (Number(snap.bid) * 0.5).toFixed(4), strategyId: 'strat-c' }));
    expect(lim.status).toBe('OPEN');
    const c = await acts.cancelOrder({ clientOrderId: 'pos-7:entry', mode: 'PAPER', symbol: 'ARB/USDT' });
    expect(c.status).toBe('CANCELED');
    expect((await tdb.db.order.findUniqueOrThrow({ where: { clientOrderId: 'pos-7:entry' } })).status).toBe('CANCELED');
    await expect(acts.cancelOrder({ clientOrderId: 'nope', mode: 'PAPER', symbol: 'ARB/USDT' })).rejects.toMatchObject({ nonRetryable: true, type: 'ORDER_NOT_FOUND' });
    const b = await acts.fetchBalances({ mode: 'PAPER', strategyId: 'strat-c' });
    expect(b.venue).toBe('paper');
    expect(b.balances).toEqual([{ currency: 'USDT', free: '100000', used: '0', total: '100000' }]);
    const rows = await tdb.db.balanceSnapshot.findMany({ where: { strategyId: 'strat-c' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.total.toString()).toBe('100000');
  });

  test('market activities: snapshot with latency; watchPriceLevels answers at once on a scripted path', async () => {
    const path = new ScriptedPricePath({ 'SUI/USDT': [{ t: T0, price: 1.2 }, { t: T0 + 10 * H, price: 1.2 }, { t: T0 + 20 * H, price: 1.0 }] });
    const reg = createBrokerRegistry({ db: tdb.db, env: {}, paperMarketData: new PricePathMarketData({ path }) });
    const m = createMarketActivities({ brokers: reg });
    const s = await m.fetchMarketSnapshot({ symbol: 'SUI/USDT', mode: 'PAPER', asOf: T0 });
    expect(s).toMatchObject({ symbol: 'SUI/USDT', last: '1.2000', venue: 'paper' });
    expect(s.latencyMs).toBeGreaterThanOrEqual(0);
    const env = new MockActivityEnvironment();
    const c: LevelCrossing | null = await env.run(m.watchPriceLevels, { symbol: 'SUI/USDT', mode: 'PAPER', stopPrice: '1.14', targetPrice: '1.30', from: T0, until: T0 + 72 * H });
    expect(c?.kind).toBe('STOP_LOSS');
    expect(Math.abs(c!.at - (T0 + 13 * H))).toBeLessThan(60_000); // 1.14 is 30 % down the 10 h ramp
    expect(await m.watchPriceLevels({ symbol: 'SUI/USDT', mode: 'PAPER', stopPrice: '0.5', from: T0, until: T0 + 72 * H })).toBeNull();
    await expect(m.fetchMarketSnapshot({ symbol: 'SUI/USDT', mode: 'LIVE_MINIMAL' })).rejects.toMatchObject({ nonRetryable: true, type: 'AUTHENTICATION' });
    await reg.close();
  });
});
