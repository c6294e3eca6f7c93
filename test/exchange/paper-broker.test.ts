/**
 * PaperBroker: fills from the domain model (never better than the touch, 0.1 % fee, partial fills on a
 * thin book), exactly-once by clientOrderId (retries, restarts, concurrent calls), balances derived
 * from the account's orders, resting limit orders.
 */
import { d } from '../../domain/money';
import { marketPrecision } from '../../exchange/market-data/markets';
import { PricePathMarketData } from '../../exchange/market-data';
import { PaperBroker } from '../../exchange/paper-broker';
import { ScriptedPricePath, SyntheticPricePath } from '../../exchange/market-data/price-path';
import { BrokerError } from '../../exchange/types';
import { freshSqliteDb, type TestDb } from '../helpers/db';

const T0 = Date.UTC(2026, 2, 1);
const H = 3_600_000;

describe('PaperBroker', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await freshSqliteDb();
  });
  afterAll(async () => {
    await tdb.close();
  });

  const synthetic = () => new PricePathMarketData({ path: new SyntheticPricePath({ seed: 11 }) });

  test("a burst of orders reads the account's settings once (the emergency batch's 1000 exits shared one read)", async () => {
    let reads = 0;
    const broker = new PaperBroker({
      db: tdb.db,
      marketData: synthetic(),
      account: 'burst',
      accountSettings: async () => {
        reads++;
        await new Promise((r) => setTimeout(r, 20));
        return { initialBalances: { USDT: '1000000' }, feeRate: '0.001' };
      },
    });
    const fills = await Promise.all(Array.from({ length: 30 }, (_, i) => broker.placeOrder({ clientOrderId: `burst-${i}`, symbol: 'ARB/USDT', side: 'buy', type: 'market', amount: '10', asOf: T0 + H })));
    expect(fills.map((f) => f.status)).toEqual(Array(30).fill('FILLED'));
    expect(reads).toBe(1);
  });

  test('fills are never better than the touch and pay exactly 0.1 % of notional', async () => {
    const md = synthetic();
    const broker = new PaperBroker({ db: tdb.db, marketData: md, account: 'touch', defaults: { initialBalances: { USDT: '1000000', ARB: '1000000', ETH: '1000' } } });
    for (let i = 0; i < 20; i++) {
      const t = T0 + i * 7 * 60_000;
      const symbol = i % 2 ? 'ARB/USDT' : 'ETH/USDT';
      const side = i % 4 < 2 ? 'buy' : 'sell';
      const amount = symbol === 'ARB/USDT' ? '1000' : '0.5';
      const snap = await md.snapshot(symbol, t);
      const o = await broker.placeOrder({ clientOrderId: `touch-${i}`, symbol, side, type: 'market', amount, asOf: t });
      expect(o.status).toBe('FILLED');
      expect(o.filledAmount).toBe(amount);
      if (side === 'buy') expect(d(o.avgPrice).gte(d(snap.ask))).toBe(true);
      else expect(d(o.avgPrice).lte(d(snap.bid))).toBe(true);
      expect(d(o.fee).eq(d(o.filledAmount).times(d(o.avgPrice)).times('0.001'))).toBe(true);
      expect(o.feeCurrency).toBe('USDT');
      expect(o.exchangeOrderId).toMatch(/^paper-/);
    }
  });

  test('a thin book fills partially: market remainder expires, limit remainder rests', async () => {
    const md = new PricePathMarketData({ path: new SyntheticPricePath({ seed: 11 }), book: { depthQuotePerLevel: 100, levels: 3 } });
    const broker = new PaperBroker({ db: tdb.db, marketData: md, account: 'thin' });
    const snap = await md.snapshot('ARB/USDT', T0);
    const amount = '2000'; // ~1,500 USDT against 3 levels of 100 USDT
    const m = await broker.placeOrder({ clientOrderId: 'thin-m', symbol: 'ARB/USDT', side: 'buy', type: 'market', amount, asOf: T0 });
    expect(m.status).toBe('EXPIRED');
    expect(d(m.filledAmount).gt(0)).toBe(true);
    expect(d(m.filledAmount).lt(d(amount))).toBe(true);
    expect(d(m.avgPrice).gte(d(snap.ask))).toBe(true);
    const l = await broker.placeOrder({ clientOrderId: 'thin-l', symbol: 'ARB/USDT', side: 'buy', type: 'limit', amount, price: (Number(snap.ask) * 1.01).toFixed(4), asOf: T0 });
    expect(l.status).toBe('PARTIALLY_FILLED');
    expect((await broker.fetchOpenOrders('ARB/USDT')).map((o) => o.clientOrderId)).toEqual(['thin-l']);
    const c = await broker.cancelOrder('ARB/USDT', 'thin-l');
    expect(c.status).toBe('CANCELED');
    expect(c.filledAmount).toBe(l.filledAmount);
  });

  test('the same clientOrderId never fills twice: retries, concurrent calls, a restarted process', async () => {
    const md = synthetic();
    const broker = new PaperBroker({ db: tdb.db, marketData: md, account: 'once' });
    const req = { clientOrderId: 'pos-9:entry', symbol: 'ARB/USDT', side: 'buy' as const, type: 'market' as const, amount: '100', asOf: T0 };
    const all = await Promise.all(Array.from({ length: 10 }, () => broker.placeOrder(req)));
    expect(new Set(all.map((o) => JSON.stringify(o))).size).toBe(1);
    // a later retry at another time, in a "new process" (new broker over the same DB)
    const restarted = new PaperBroker({ db: tdb.db, marketData: md, account: 'once' });
    const again = await restarted.placeOrder({ ...req, asOf: T0 + 5 * H });
    expect(again).toEqual(all[0]);
    expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: 'pos-9:entry' } })).toBe(1);
    expect(await restarted.fetchOrderByClientId('ARB/USDT', 'pos-9:entry')).toEqual(all[0]);
    expect(await restarted.fetchOrderByClientId('ARB/USDT', 'nope')).toBeNull();
    const bal = await restarted.fetchBalances();
    expect(bal.find((b) => b.currency === 'ARB')!.total).toBe('100');
  });

  test('balances derive from initial capital (Strategy row) and the account\'s fills; funds are enforced', async () => {
    await tdb.db.strategy.create({
      data: {
        id: 'strat-b',
        strategyType: 'token-unlock',
        configJson: JSON.stringify({ capital: { currency: 'USDT' }, exchange: { feeRate: '0.002' } }),
        mode: 'PAPER',
        state: 'RUNNING',
        workflowId: 'strategy-strat-b',
        initialCapital: '500',
        riskPerTradePct: '0.5',
        maxExposurePct: '20',
        dailyLossPct: '5',
      },
    });
    const md = synthetic();
    const base = new PaperBroker({ db: tdb.db, marketData: md });
    const broker = base.forAccount('strat-b');
    expect(await broker.fetchBalances()).toEqual([{ currency: 'USDT', free: '500', used: '0', total: '500' }]);
    const buy = await broker.placeOrder({ clientOrderId: 'b-1', symbol: 'ARB/USDT', side: 'buy', type: 'market', amount: '200', asOf: T0 });
    expect(d(buy.fee).eq(d(buy.filledAmount).times(d(buy.avgPrice)).times('0.002'))).toBe(true);
    const sell = await broker.placeOrder({ clientOrderId: 'b-2', symbol: 'ARB/USDT', side: 'sell', type: 'market', amount: '50', asOf: T0 + H });
    const usdt = d(500).minus(d(buy.filledAmount).times(d(buy.avgPrice))).minus(d(buy.fee)).plus(d(sell.filledAmount).times(d(sell.avgPrice))).minus(d(sell.fee));
    const bal = await broker.fetchBalances();
    expect(bal.find((b) => b.currency === 'ARB')).toEqual({ currency: 'ARB', free: '150', used: '0', total: '150' });
    expect(d(bal.find((b) => b.currency === 'USDT')!.total).eq(usdt)).toBe(true);
    // other accounts are untouched
    expect(await base.forAccount('someone-else').fetchBalances()).toEqual([{ currency: 'USDT', free: '10000', used: '0', total: '10000' }]);

    // a resting limit buy reserves quote; more than the account has is rejected, not retried
    const lim = await broker.placeOrder({ clientOrderId: 'b-3', symbol: 'ARB/USDT', side: 'buy', type: 'limit', amount: '100', price: '0.5', asOf: T0 + H });
    expect(lim.status).toBe('OPEN');
    const used = (await broker.fetchBalances()).find((b) => b.currency === 'USDT')!.used;
    expect(used).toBe('50.1'); // 100 × 0.5 × (1 + 0.002)
    const err = await broker.placeOrder({ clientOrderId: 'b-4', symbol: 'ARB/USDT', side: 'buy', type: 'market', amount: '1000', asOf: T0 + H }).catch((e) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ kind: 'INSUFFICIENT_FUNDS', retryable: false });
    const err2 = await broker.placeOrder({ clientOrderId: 'b-5', symbol: 'ARB/USDT', side: 'sell', type: 'market', amount: '151', asOf: T0 + H }).catch((e) => e);
    expect(err2).toMatchObject({ kind: 'INSUFFICIENT_FUNDS', retryable: false });
    expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: { in: ['b-4', 'b-5'] } } })).toBe(0);
    const bad = await broker.placeOrder({ clientOrderId: 'b 6', symbol: 'ARB/USDT', side: 'buy', type: 'market', amount: '1', asOf: T0 }).catch((e) => e);
    expect(bad).toMatchObject({ kind: 'INVALID_ORDER', retryable: false });
  });

  test('a resting limit order fills when a later price crosses it', async () => {
    const path = new ScriptedPricePath({ 'OP/USDT': [{ t: T0, price: 1.6 }, { t: T0 + H, price: 1.6 }, { t: T0 + 2 * H, price: 1.4 }] });
    const md = new PricePathMarketData({ path });
    const broker = new PaperBroker({ db: tdb.db, marketData: md, account: 'rest' });
    const o = await broker.placeOrder({ clientOrderId: 'rest-1', symbol: 'OP/USDT', side: 'buy', type: 'limit', amount: '10', price: '1.5', asOf: T0 });
    expect(o.status).toBe('OPEN');
    expect((await broker.fetchOrderByClientId('OP/USDT', 'rest-1'))!.status).toBe('OPEN');
    await broker.fetchSnapshot('OP/USDT', T0 + 2 * H); // the broker sees workflow time move on
    const f = await broker.fetchOrderByClientId('OP/USDT', 'rest-1');
    expect(f).toMatchObject({ status: 'FILLED', filledAmount: '10' });
    expect(d(f!.avgPrice).lte('1.5')).toBe(true);
    expect(await broker.cancelOrder('OP/USDT', 'rest-1')).toMatchObject({ status: 'FILLED' });
    await expect(broker.cancelOrder('OP/USDT', 'never')).rejects.toMatchObject({ kind: 'ORDER_NOT_FOUND', retryable: false });
  });

  test('issue 17: fills at the venue precision: price on the tick against the trader, amount on the lot step, fee exact', async () => {
    const md = synthetic();
    const broker = new PaperBroker({ db: tdb.db, marketData: md, account: 'precision', defaults: { initialBalances: { USDT: '1000000', ARB: '100000', ETH: '100' } } });
    for (const [i, symbol, side, amount, step] of [
      [0, 'ARB/USDT', 'buy', '1234.5678', '1234.5'],
      [1, 'ARB/USDT', 'sell', '999.99', '999.9'],
      [2, 'ETH/USDT', 'buy', '0.123456789', '0.1234'],
      [3, 'ETH/USDT', 'sell', '0.05555', '0.0555'],
    ] as const) {
      const t = T0 + i * 60_000;
      const { tickSize } = marketPrecision(symbol);
      const snap = await md.snapshot(symbol, t);
      const o = await broker.placeOrder({ clientOrderId: `prec-${i}`, symbol, side, type: 'market', amount, asOf: t });
      expect(o).toMatchObject({ status: 'FILLED', amount: step, filledAmount: step });
      expect(d(o.avgPrice).mod(tickSize).isZero()).toBe(true);
      // against the trader: a buy pays at least the exact model price (ask + slippage), a sell gets at most its
      if (side === 'buy') expect(d(o.avgPrice).gt(d(snap.ask))).toBe(true);
      else expect(d(o.avgPrice).lt(d(snap.bid))).toBe(true);
      expect(d(o.fee).eq(d(o.filledAmount).times(d(o.avgPrice)).times('0.001'))).toBe(true);
      const stored = await tdb.db.paperVenueOrder.findUnique({ where: { clientOrderId: `prec-${i}` } });
      expect(JSON.parse(stored!.orderJson)).toMatchObject({ amount: step, filledAmount: step, avgPrice: o.avgPrice });
    }
  });

  test('issue 17: an order below the lot step or the minimum notional is refused with the reason, nothing stored', async () => {
    const broker = new PaperBroker({ db: tdb.db, marketData: synthetic(), account: 'refuse' });
    const step = await broker.placeOrder({ clientOrderId: 'refuse-1', symbol: 'ARB/USDT', side: 'buy', type: 'market', amount: '0.05', asOf: T0 }).catch((e) => e);
    expect(step).toBeInstanceOf(BrokerError);
    expect(step).toMatchObject({ kind: 'INVALID_ORDER', retryable: false, message: 'ARB/USDT buy refused (BELOW_STEP): amount 0.05 is below the lot step 0.1' });
    const notional = await broker.placeOrder({ clientOrderId: 'refuse-2', symbol: 'ARB/USDT', side: 'buy', type: 'market', amount: '1', asOf: T0 }).catch((e) => e);
    expect(notional).toMatchObject({ kind: 'INVALID_ORDER', retryable: false });
    expect((notional as Error).message).toMatch(/^ARB\/USDT buy refused \(BELOW_MIN_NOTIONAL\): order notional 0\.\d+ \(1 at 0\.\d+\) is below the minimum notional 5$/);
    expect(await tdb.db.paperVenueOrder.count({ where: { clientOrderId: { in: ['refuse-1', 'refuse-2'] } } })).toBe(0);
  });

  test('issue 17: a limit price is taken on the tick inside the trader\'s limit', async () => {
    const broker = new PaperBroker({ db: tdb.db, marketData: synthetic(), account: 'limit-tick' });
    const o = await broker.placeOrder({ clientOrderId: 'lt-1', symbol: 'OP/USDT', side: 'buy', type: 'limit', amount: '10', price: '1.23456', asOf: T0 });
    expect(o).toMatchObject({ status: 'OPEN', price: '1.234' });
  });
});
