/**
 * CcxtGateway through the real ccxt `kraken` class against the simulator's Kraken dialect (API-Sign
 * checked): place / look up by cl_ord_id / cancel, stop orders, balances and market data; the venue's
 * own client order ids (free text ≤ 18 chars or a UUID derived from the canonical id); its duplicate
 * reply; "accept, then drop" and 30 % faults never double an order. The same engine answers Binance's
 * dialect on the same port, each order recorded with the key that signed it.
 */
import { startSimulator, Simulator, DEFAULT_ACCOUNT, DEFAULT_KRAKEN_ACCOUNT } from '../../simulator';
import { CcxtGateway, CcxtGatewayOptions } from '../../exchange/ccxt-gateway';
import { BrokerOrder, OrderRequest } from '../../exchange/types';
import { isDuplicateOrderError } from '../../exchange/errors';
import { clientOrderIdFor, isValidKrakenClientOrderId, venueClientOrderId } from '../../domain/ids';
import { CcxtMarketData } from '../../exchange/market-data/ccxt';
import * as ccxt from 'ccxt';
import { withRetries } from '../helpers/broker-retries';

const gateways: CcxtGateway[] = [];
function kraken(sim: Simulator, o: Partial<CcxtGatewayOptions> = {}): CcxtGateway {
  const g = new CcxtGateway({
    exchangeId: 'kraken',
    apiKey: DEFAULT_KRAKEN_ACCOUNT.apiKey,
    secret: DEFAULT_KRAKEN_ACCOUNT.secret,
    urlOverride: sim.url,
    timeoutMs: 2000,
    rateLimitMs: 2,
    ...o,
  });
  gateways.push(g);
  return g;
}

const posts = (sim: Simulator) => sim.stats().requests['POST /0/private/AddOrder'] ?? 0;

describe('CcxtGateway against the simulator\'s Kraken dialect', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0, seed: 9, matchIntervalMs: 50 });
  });
  afterEach(async () => {
    while (gateways.length) await gateways.pop()!.close();
    await sim.close();
  });

  test('client order ids: a short canonical id goes as is, a long one as a UUID derived from it (Kraken cl_ord_id rules)', () => {
    expect(venueClientOrderId('kraken', 'pos-1:entry')).toBe('pos-1:entry');
    const long = clientOrderIdFor('strategy-abc:position:ARB-2026-12-01', 'exit', 2);
    const id = venueClientOrderId('kraken', long);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(venueClientOrderId('kraken', long)).toBe(id); // a pure function: a retry sends the same id
    expect(venueClientOrderId('kraken', clientOrderIdFor('strategy-abc:position:ARB-2026-12-01', 'exit', 3))).not.toBe(id);
    expect(isValidKrakenClientOrderId(id)).toBe(true);
    expect(isValidKrakenClientOrderId('x'.repeat(19))).toBe(false);
    expect(venueClientOrderId('binance', long)).toBe(long);
  });

  test('market, limit and stop orders: place, look up by cl_ord_id, open orders, cancel, balances', async () => {
    const g = kraken(sim);
    const m = await g.placeOrder({ clientOrderId: 'pos-1:entry', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' });
    expect(m).toMatchObject({ clientOrderId: 'pos-1:entry', symbol: 'BTC/USDT', side: 'buy', type: 'market', status: 'FILLED', amount: '0.01', filledAmount: '0.01', feeCurrency: 'USDT' });
    expect(m.exchangeOrderId).toMatch(/^O[0-9A-Z]{5}-SIMKR-[0-9A-Z]{6}$/);
    expect(Number(m.fee)).toBeCloseTo(Number(m.avgPrice) * 0.01 * 0.001, 6);
    expect(await g.fetchOrderByClientId('BTC/USDT', 'pos-1:entry')).toMatchObject({ exchangeOrderId: m.exchangeOrderId, status: 'FILLED', avgPrice: m.avgPrice, fee: m.fee });
    expect(await g.fetchOrderByClientId('BTC/USDT', 'never-placed')).toBeNull();

    sim.setPrice('ETH/USDT', 3000);
    const longId = clientOrderIdFor('a-much-longer-position-id', 'entry');
    const lim = await g.placeOrder({ clientOrderId: longId, symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: '0.5', price: '2900' });
    expect(lim).toMatchObject({ clientOrderId: longId, status: 'OPEN', type: 'limit', price: '2900', filledAmount: '0' });
    // the venue holds the derived UUID, the gateway answers with the canonical id
    expect(sim.orders().map((o) => o.clientOrderId)).toContain(venueClientOrderId('kraken', longId));
    const stop = await g.placeOrder({ clientOrderId: 'pos-1:exit', symbol: 'BTC/USDT', side: 'sell', type: 'stop', amount: '0.01', price: '1000' });
    expect(stop).toMatchObject({ status: 'OPEN', type: 'stop', price: '1000' });
    expect((await g.fetchOpenOrders()).length).toBe(2);

    const usdt = (await g.fetchBalances()).find((b) => b.currency === 'USDT')!;
    expect(Number(usdt.used)).toBeCloseTo(1450 * 1.001, 6);

    expect(await g.cancelOrder('ETH/USDT', longId)).toMatchObject({ clientOrderId: longId, status: 'CANCELED' });
    expect(await g.cancelOrder('ETH/USDT', longId)).toMatchObject({ status: 'CANCELED' }); // idempotent
    await expect(g.cancelOrder('ETH/USDT', 'nope')).rejects.toMatchObject({ kind: 'ORDER_NOT_FOUND', retryable: false });

    sim.setPrice('BTC/USDT', 999);
    await new Promise((r) => setTimeout(r, 120));
    expect(await g.fetchOrderByClientId('BTC/USDT', 'pos-1:exit')).toMatchObject({ status: 'FILLED', type: 'stop', filledAmount: '0.01' });
    expect((await g.fetchBalances()).find((b) => b.currency === 'BTC')).toMatchObject({ free: '10', used: '0', total: '10' });
    // every order is the Kraken key's; the Binance account is untouched
    expect(sim.orders().every((o) => o.apiKey === DEFAULT_KRAKEN_ACCOUNT.apiKey)).toBe(true);
    expect(sim.balances(DEFAULT_ACCOUNT.apiKey).USDT).toEqual({ free: '1000000', locked: '0' });
  });

  test('symbols from AssetPairs / Assets (XBT → BTC), precision, snapshot, OHLC, depth', async () => {
    const g = kraken(sim);
    const md = new CcxtMarketData(g.exchange);
    expect(await md.precision('BTC/USDT')).toEqual({ tickSize: '0.01', stepSize: '0.00001', minAmount: '0.00001', minNotional: '5' });
    expect(g.exchange.markets!['BTC/USDT']).toMatchObject({ id: 'XBTUSDT', baseId: 'BTC', quote: 'USDT' });
    const s = await g.fetchSnapshot('ARB/USDT');
    expect(Number(s.bid)).toBeLessThan(Number(s.ask));
    expect(Number(s.volume24hQuote)).toBeGreaterThan(1_000_000);
    const candles = await g.fetchOHLCV('BTC/USDT', '1h', undefined, 24);
    expect(candles).toHaveLength(24);
    expect(candles[1]!.timestamp - candles[0]!.timestamp).toBe(3_600_000);
    const book = await g.fetchOrderBook('ETH/USDT', 7);
    expect(book.bids).toHaveLength(7);
    expect(Number(book.bids[0]!.price)).toBeLessThan(Number(book.asks[0]!.price));
  });

  test('wrong secret or key → non-retryable AUTHENTICATION; insufficient funds and bad symbol are not retried', async () => {
    const bad = kraken(sim, { secret: Buffer.from('wrong').toString('base64') });
    const err = await bad.fetchBalances().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'AUTHENTICATION', retryable: false });
    expect((err as Error).message).toContain('EAPI:Invalid signature');
    expect((err as Error).message).not.toContain(DEFAULT_KRAKEN_ACCOUNT.secret);
    expect(await kraken(sim, { apiKey: 'unknown' }).fetchBalances().catch((e: unknown) => e)).toMatchObject({ kind: 'AUTHENTICATION', retryable: false });
    // the Binance key does not sign Kraken requests
    expect(await kraken(sim, { apiKey: DEFAULT_ACCOUNT.apiKey, secret: Buffer.from(DEFAULT_ACCOUNT.secret).toString('base64') }).fetchBalances().catch((e: unknown) => e)).toMatchObject({ kind: 'AUTHENTICATION' });
    const g = kraken(sim);
    expect(await g.placeOrder({ clientOrderId: 'big:entry', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '1000' }).catch((e: unknown) => e)).toMatchObject({ kind: 'INSUFFICIENT_FUNDS', retryable: false });
    expect(await g.placeOrder({ clientOrderId: 'sym:entry', symbol: 'DOGE/USDT', side: 'buy', type: 'market', amount: '10' }).catch((e: unknown) => e)).toMatchObject({ kind: 'BAD_SYMBOL', retryable: false });
    expect(sim.stats().orders).toBe(0);
  });

  test('the duplicate reply: an open order\'s cl_ord_id sent again is "EOrder:Duplicate order", and the gateway returns the existing order', async () => {
    const g = kraken(sim);
    sim.setPrice('ETH/USDT', 3000);
    const req: OrderRequest = { clientOrderId: 'pos-9:entry', symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: '0.1', price: '2000' };
    const a = await g.placeOrder(req);
    const raw = await g.exchange.createOrder('ETH/USDT', 'limit', 'buy', 0.1, 2000, { clientOrderId: 'pos-9:entry' }).catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(ccxt.ExchangeError);
    expect(isDuplicateOrderError(raw)).toBe(true);
    expect(String((raw as Error).message)).toContain('EOrder:Duplicate order');
    const c = await g.placeOrder({ ...req, lookedUp: true });
    expect(c.exchangeOrderId).toBe(a.exchangeOrderId);
    expect(sim.stats().ordersByClientId).toEqual({ 'pos-9:entry': 1 });
    expect(posts(sim)).toBe(3);
  });

  test('"accept, then drop the response" on every first AddOrder: 50 intended orders → exactly 50 at the simulator', async () => {
    sim.faults.add({ kind: 'accept-then-drop', endpoint: '/0/private/AddOrder', method: 'POST', firstCallPerClientOrderId: true });
    // and 40 % of the lookups fail too
    sim.faults.add({ kind: 'status', status: 503, endpoint: '/0/private/ClosedOrders', method: 'POST', probability: 0.4 });
    const g = kraken(sim);
    const counter = { retries: 0 };
    const results: BrokerOrder[] = [];
    for (let i = 0; i < 50; i++) {
      const req: OrderRequest = { clientOrderId: clientOrderIdFor(`strategy-kr:position-${i}`, 'entry'), symbol: i % 2 ? 'ARB/USDT' : 'SUI/USDT', side: 'buy', type: 'market', amount: '20' };
      results.push(await withRetries(() => g.placeOrder(req), counter));
    }
    const st = sim.stats();
    console.log(`kraken accept-then-drop: 50 orders, ${counter.retries} retries, ${st.faultsInjected['accept-then-drop']} dropped, ${st.faultsInjected.status ?? 0} failed lookups, ${posts(sim)} AddOrders`);
    expect(counter.retries).toBeGreaterThan(0);
    expect(posts(sim)).toBe(50); // a dropped order is found by lookup, never re-sent
    expect(st.orders).toBe(50);
    expect(Object.values(st.ordersByClientId).every((n) => n === 1)).toBe(true);
    expect(st.faultsInjected['accept-then-drop']).toBe(50);
    expect(results.every((r) => r.status === 'FILLED')).toBe(true);
    expect(new Set(results.map((r) => r.exchangeOrderId)).size).toBe(50);
  });

  test('rate-limit / 5xx / timeout faults on 30 % of calls: every intended order ends in one terminal state', async () => {
    for (const ep of ['/0/private/AddOrder', '/0/private/OpenOrders', '/0/private/ClosedOrders', '/0/public/AssetPairs']) {
      sim.faults.add({ kind: 'rate-limit', endpoint: ep, probability: 0.1 });
      sim.faults.add({ kind: 'status', status: 503, endpoint: ep, probability: 0.1 / 0.9 });
      sim.faults.add({ kind: 'timeout', endpoint: ep, probability: 0.1 / 0.8 });
    }
    const g = kraken(sim, { timeoutMs: 1000 });
    const counter = { retries: 0 };
    const N = 40;
    const reqs: OrderRequest[] = Array.from({ length: N }, (_, i) => ({ clientOrderId: clientOrderIdFor(`pos-f${i}`, 'entry'), symbol: 'OP/USDT', side: i % 2 ? 'buy' : 'sell', type: 'market', amount: '5' }));
    const results: BrokerOrder[] = [];
    for (let i = 0; i < reqs.length; i += 8) results.push(...(await Promise.all(reqs.slice(i, i + 8).map((r) => withRetries(() => g.placeOrder(r), counter)))));
    const st = sim.stats();
    console.log(`kraken 30% faults: ${N} orders, ${counter.retries} retries, ${st.totalFaults} faults (${JSON.stringify(st.faultsInjected)})`);
    expect(st.totalFaults).toBeGreaterThan(0);
    expect(st.orders).toBe(N);
    expect(Object.values(st.ordersByClientId).every((n) => n === 1)).toBe(true);
    expect(results.every((r) => r.status === 'FILLED')).toBe(true);
  }, 90_000);
});
