/**
 * ONE contract suite for every Broker (issue 4, acceptance 4): the paper broker and the live gateway
 * (CcxtGateway → ccxt `binance` → the local simulator, signatures checked) must behave the same.
 */
import { d } from '../../domain/money';
import { CcxtGateway } from '../../exchange/ccxt-gateway';
import { PricePathMarketData } from '../../exchange/market-data';
import { PaperBroker } from '../../exchange/paper-broker';
import { SyntheticPricePath } from '../../exchange/market-data/price-path';
import { DEFAULT_ACCOUNT, startSimulator } from '../../simulator';
import { BrokerError, type Broker } from '../../exchange/types';
import { freshSqliteDb } from '../helpers/db';

export interface ContractSubject {
  broker: Broker;
  /** orders the venue holds for a client id (must be exactly 1 after any number of placements) */
  venueOrderCount(clientOrderId: string): Promise<number>;
  close(): Promise<void>;
}

const SYMBOL = 'ETH/USDT';
const AMOUNT = '0.05';

export function brokerContract(name: string, factory: () => Promise<ContractSubject>): void {
  describe(`Broker contract: ${name}`, () => {
    let s: ContractSubject;
    let n = 0;
    const id = (tag: string) => `ct-${process.pid % 1000}-${n++}-${tag}`;
    beforeAll(async () => {
      s = await factory();
    });
    afterAll(async () => {
      await s?.close();
    });

    test('snapshot and order book are coherent', async () => {
      const snap = await s.broker.fetchSnapshot(SYMBOL, Date.now());
      expect(snap.symbol).toBe(SYMBOL);
      expect(d(snap.bid).gt(0)).toBe(true);
      expect(d(snap.bid).lte(d(snap.ask))).toBe(true);
      expect(d(snap.last).gt(0)).toBe(true);
      expect(d(snap.volume24hQuote).gt(0)).toBe(true);
      expect(snap.change7dPct).toMatch(/^-?\d+(\.\d+)?$/);
      const ob = await s.broker.fetchOrderBook(SYMBOL, 5, Date.now());
      expect(ob.bids.length).toBeGreaterThan(0);
      expect(ob.asks.length).toBeGreaterThan(0);
      expect(ob.bids.length).toBeLessThanOrEqual(5);
      expect(d(ob.bids[0]!.price).lt(d(ob.asks[0]!.price))).toBe(true);
      for (let i = 1; i < ob.bids.length; i++) expect(d(ob.bids[i]!.price).lt(d(ob.bids[i - 1]!.price))).toBe(true);
      for (let i = 1; i < ob.asks.length; i++) expect(d(ob.asks[i]!.price).gt(d(ob.asks[i - 1]!.price))).toBe(true);
      const candles = await s.broker.fetchOHLCV(SYMBOL, '1h', undefined, 3);
      expect(candles.length).toBeGreaterThan(0);
    });

    test('market buy then sell: filled, fetchable by client id, fees in quote', async () => {
      const buyId = id('buy');
      const buy = await s.broker.placeOrder({ clientOrderId: buyId, symbol: SYMBOL, side: 'buy', type: 'market', amount: AMOUNT, asOf: Date.now() });
      expect(buy).toMatchObject({ clientOrderId: buyId, symbol: SYMBOL, side: 'buy', type: 'market', status: 'FILLED', filledAmount: AMOUNT });
      expect(d(buy.avgPrice).gt(0)).toBe(true);
      expect(d(buy.fee).gt(0)).toBe(true);
      expect(buy.feeCurrency).toBe('USDT');
      expect(buy.exchangeOrderId).not.toBe('');
      const fetched = await s.broker.fetchOrderByClientId(SYMBOL, buyId);
      expect(fetched).toMatchObject({ clientOrderId: buyId, exchangeOrderId: buy.exchangeOrderId, status: 'FILLED', filledAmount: AMOUNT });
      expect(d(fetched!.avgPrice).eq(d(buy.avgPrice))).toBe(true);

      const sellId = id('sell');
      const sell = await s.broker.placeOrder({ clientOrderId: sellId, symbol: SYMBOL, side: 'sell', type: 'market', amount: AMOUNT, asOf: Date.now() });
      expect(sell).toMatchObject({ side: 'sell', status: 'FILLED', filledAmount: AMOUNT });
      expect(await s.broker.fetchOrderByClientId(SYMBOL, id('never'))).toBeNull();
    });

    test('the same clientOrderId twice → one order at the venue', async () => {
      const cid = id('dup');
      const req = { clientOrderId: cid, symbol: SYMBOL, side: 'buy' as const, type: 'market' as const, amount: AMOUNT, asOf: Date.now() };
      const a = await s.broker.placeOrder(req);
      const b = await s.broker.placeOrder(req);
      const [c, e] = await Promise.all([s.broker.placeOrder(req), s.broker.placeOrder(req)]);
      for (const x of [b, c, e]) {
        expect(x.exchangeOrderId).toBe(a.exchangeOrderId);
        expect(x.filledAmount).toBe(a.filledAmount);
      }
      expect(await s.venueOrderCount(cid)).toBe(1);
    });

    test('a limit order rests, shows in open orders and reserved balance, then cancels', async () => {
      const snap = await s.broker.fetchSnapshot(SYMBOL, Date.now());
      const price = d(snap.bid).times('0.8').toDecimalPlaces(2).toFixed();
      const cid = id('lim');
      const before = (await s.broker.fetchBalances()).find((b) => b.currency === 'USDT')!;
      const o = await s.broker.placeOrder({ clientOrderId: cid, symbol: SYMBOL, side: 'buy', type: 'limit', amount: AMOUNT, price, asOf: Date.now() });
      expect(o).toMatchObject({ status: 'OPEN', type: 'limit', filledAmount: '0' });
      expect(d(o.price!).eq(d(price))).toBe(true);
      expect((await s.broker.fetchOpenOrders(SYMBOL)).map((x) => x.clientOrderId)).toContain(cid);
      const during = (await s.broker.fetchBalances()).find((b) => b.currency === 'USDT')!;
      expect(d(during.used).minus(d(before.used)).gte(d(AMOUNT).times(d(price)))).toBe(true);
      expect(d(during.free).plus(d(during.used)).eq(d(during.total))).toBe(true);
      const c = await s.broker.cancelOrder(SYMBOL, cid);
      expect(c).toMatchObject({ clientOrderId: cid, status: 'CANCELED' });
      expect((await s.broker.fetchOpenOrders(SYMBOL)).map((x) => x.clientOrderId)).not.toContain(cid);
      expect(await s.broker.fetchOrderByClientId(SYMBOL, cid)).toMatchObject({ status: 'CANCELED' });
      const after = (await s.broker.fetchBalances()).find((b) => b.currency === 'USDT')!;
      expect(d(after.used).eq(d(before.used))).toBe(true);
      // cancelling again reports the terminal state; an unknown id is ORDER_NOT_FOUND (not retryable)
      expect(await s.broker.cancelOrder(SYMBOL, cid)).toMatchObject({ status: 'CANCELED' });
      const err = await s.broker.cancelOrder(SYMBOL, id('ghost')).catch((x) => x);
      expect(err).toBeInstanceOf(BrokerError);
      expect(err).toMatchObject({ kind: 'ORDER_NOT_FOUND', retryable: false });
    });

    test('balances: total = free + used for every currency, quote currency present', async () => {
      const bal = await s.broker.fetchBalances();
      expect(bal.find((b) => b.currency === 'USDT')).toBeDefined();
      for (const b of bal) expect(d(b.free).plus(d(b.used)).eq(d(b.total))).toBe(true);
    });
  });
}

brokerContract('PaperBroker (synthetic prices, SQLite)', async () => {
  const tdb = await freshSqliteDb();
  const broker = new PaperBroker({
    db: tdb.db,
    marketData: new PricePathMarketData({ path: new SyntheticPricePath({ seed: 5 }) }),
    account: 'contract',
  });
  return {
    broker,
    venueOrderCount: (cid) => tdb.db.paperVenueOrder.count({ where: { clientOrderId: cid } }),
    close: () => tdb.close(),
  };
});

brokerContract('CcxtGateway → ccxt binance → local simulator', async () => {
  const sim = await startSimulator({ port: 0, seed: 5, matchIntervalMs: 50 });
  const broker = new CcxtGateway({ apiKey: DEFAULT_ACCOUNT.apiKey, secret: DEFAULT_ACCOUNT.secret, urlOverride: sim.url, rateLimitMs: 2, timeoutMs: 3000 });
  return {
    broker,
    venueOrderCount: async (cid) => sim.stats().ordersByClientId[cid] ?? 0,
    close: async () => {
      await broker.close();
      await sim.close();
    },
  };
});
