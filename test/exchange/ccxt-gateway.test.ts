/**
 * CcxtGateway through the real ccxt `binance` class against the local simulator (signature checks on).
 * Acceptance 1–3 of issue 4 at the gateway level: place/query/cancel, a wrong secret is a clear
 * non-retryable error, "accept then drop" never doubles an order, 30 % faults end every order terminal.
 */
import { startSimulator, Simulator, DEFAULT_ACCOUNT } from '../../simulator';
import { CcxtGateway, CcxtGatewayOptions } from '../../exchange/ccxt-gateway';
import { BrokerError, BrokerOrder, OrderRequest } from '../../exchange/types';
import { classifyError, isDuplicateOrderError } from '../../exchange/errors';
import { clientOrderIdFor } from '../../domain/ids';
import { CcxtMarketData } from '../../exchange/market-data/ccxt';
import * as ccxt from 'ccxt';
import { withRetries } from '../helpers/broker-retries';

const gateways: CcxtGateway[] = [];
function gateway(sim: Simulator, o: Partial<CcxtGatewayOptions> = {}): CcxtGateway {
  const g = new CcxtGateway({
    apiKey: DEFAULT_ACCOUNT.apiKey,
    secret: DEFAULT_ACCOUNT.secret,
    urlOverride: sim.url,
    timeoutMs: 2000,
    rateLimitMs: 2,
    ...o,
  });
  gateways.push(g);
  return g;
}

async function closeAll() {
  while (gateways.length) await gateways.pop()!.close();
}

describe('CcxtGateway against the simulator', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0, seed: 9, matchIntervalMs: 50 });
  });
  afterEach(async () => {
    await closeAll();
    await sim.close();
  });

  test('market, limit and stop orders: place, query by client id, open orders, cancel, balances', async () => {
    const g = gateway(sim);
    const m = await g.placeOrder({ clientOrderId: clientOrderIdFor('pos-1', 'entry'), symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' });
    expect(m).toMatchObject({ clientOrderId: 'pos-1:entry', symbol: 'BTC/USDT', side: 'buy', type: 'market', status: 'FILLED', amount: '0.01', filledAmount: '0.01', feeCurrency: 'USDT' });
    expect(Number(m.avgPrice)).toBeGreaterThan(1000);
    expect(Number(m.fee)).toBeCloseTo(Number(m.avgPrice) * 0.01 * 0.001, 6);
    expect(g.lastLatencyMs).toBeGreaterThanOrEqual(0);

    const fetched = await g.fetchOrderByClientId('BTC/USDT', 'pos-1:entry');
    expect(fetched).toMatchObject({ exchangeOrderId: m.exchangeOrderId, status: 'FILLED', filledAmount: '0.01', avgPrice: m.avgPrice, fee: m.fee });
    expect(await g.fetchOrderByClientId('BTC/USDT', 'never-placed')).toBeNull();

    sim.setPrice('ETH/USDT', 3000);
    const lim = await g.placeOrder({ clientOrderId: 'pos-2:entry', symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount: '0.5', price: '2900' });
    expect(lim).toMatchObject({ status: 'OPEN', type: 'limit', price: '2900', filledAmount: '0', avgPrice: '0' });
    const stop = await g.placeOrder({ clientOrderId: 'pos-1:exit', symbol: 'BTC/USDT', side: 'sell', type: 'stop', amount: '0.01', price: '1000' });
    expect(stop).toMatchObject({ status: 'OPEN', type: 'stop', price: '1000' });

    const open = await g.fetchOpenOrders();
    expect(open.map((o) => o.clientOrderId).sort()).toEqual(['pos-1:exit', 'pos-2:entry']);
    expect((await g.fetchOpenOrders('ETH/USDT')).map((o) => o.clientOrderId)).toEqual(['pos-2:entry']);

    const usdtLocked = (await g.fetchBalances()).find((b) => b.currency === 'USDT')!;
    expect(Number(usdtLocked.used)).toBeCloseTo(1450 * 1.001, 6);

    const c = await g.cancelOrder('ETH/USDT', 'pos-2:entry');
    expect(c).toMatchObject({ clientOrderId: 'pos-2:entry', status: 'CANCELED' });
    // cancelling again is idempotent: reports the terminal order
    expect(await g.cancelOrder('ETH/USDT', 'pos-2:entry')).toMatchObject({ status: 'CANCELED' });
    await expect(g.cancelOrder('ETH/USDT', 'nope')).rejects.toMatchObject({ kind: 'ORDER_NOT_FOUND', retryable: false });

    // the stop triggers when the price falls through it
    sim.setPrice('BTC/USDT', 999);
    await new Promise((r) => setTimeout(r, 120));
    expect(await g.fetchOrderByClientId('BTC/USDT', 'pos-1:exit')).toMatchObject({ status: 'FILLED', type: 'stop', filledAmount: '0.01' });

    const balances = await g.fetchBalances();
    const btc = balances.find((b) => b.currency === 'BTC')!;
    expect(btc).toMatchObject({ free: '10', used: '0', total: '10' });
    expect(sim.stats().orders).toBe(3);
  });

  test('issue 17: order amounts are sent at the lot step (amountToPrecision); below one step is refused with the reason; the market precision is the venue\'s', async () => {
    const g = gateway(sim);
    const o = await g.placeOrder({ clientOrderId: 'prec-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.0123456789' });
    expect(o).toMatchObject({ status: 'FILLED', amount: '0.01234', filledAmount: '0.01234' });
    const bad = await g.placeOrder({ clientOrderId: 'prec-2', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.000001' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ kind: 'INVALID_ORDER', retryable: false });
    expect((bad as Error).message).toMatch(/^BTC\/USDT amount 0\.000001: /);
    expect(sim.orders().filter((x) => x.clientOrderId === 'prec-2')).toHaveLength(0);
    // an unknown symbol stays BAD_SYMBOL when the lookup before the order is skipped
    expect(await g.placeOrder({ clientOrderId: 'prec-3', symbol: 'DOGE/USDT', side: 'buy', type: 'market', amount: '10', lookedUp: true }).catch((e: unknown) => e)).toMatchObject({ kind: 'BAD_SYMBOL', retryable: false });
    // the same exchangeInfo, read as market data: Binance via ccxt 4 is TICK_SIZE, so the precision values are the steps
    const md = new CcxtMarketData(g.exchange);
    expect(await md.precision('BTC/USDT')).toEqual({ tickSize: '0.01', stepSize: '0.00001', minAmount: '0.00001', minNotional: '5' });
    expect(await md.precision('ARB/USDT')).toMatchObject({ tickSize: '0.0001', stepSize: '0.1' });
  });

  test('market data: snapshot, OHLCV, order book', async () => {
    const g = gateway(sim);
    const s = await g.fetchSnapshot('ARB/USDT');
    expect(Number(s.bid)).toBeLessThan(Number(s.ask));
    expect(Number(s.last)).toBeGreaterThan(0);
    expect(Number(s.volume24hQuote)).toBeGreaterThan(1_000_000);
    expect(s.change7dPct).toMatch(/^-?\d+(\.\d+)?$/);
    const candles = await g.fetchOHLCV('BTC/USDT', '1h', undefined, 24);
    expect(candles).toHaveLength(24);
    expect(candles[1]!.timestamp - candles[0]!.timestamp).toBe(3_600_000);
    for (const c of candles) expect(Number(c.high)).toBeGreaterThanOrEqual(Number(c.low));
    const book = await g.fetchOrderBook('ETH/USDT', 7);
    expect(book.bids).toHaveLength(7);
    expect(book.asks).toHaveLength(7);
    expect(Number(book.bids[0]!.price)).toBeLessThan(Number(book.asks[0]!.price));
  });

  test('wrong secret → non-retryable AUTHENTICATION; bad key too; insufficient funds and bad symbol are not retried', async () => {
    const bad = gateway(sim, { secret: 'wrong-secret' });
    const err = await bad.fetchBalances().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err).toMatchObject({ kind: 'AUTHENTICATION', retryable: false });
    expect((err as Error).message).toContain('Signature for this request is not valid');
    expect((err as Error).message).not.toContain(DEFAULT_ACCOUNT.secret);
    const e2 = await bad.placeOrder({ clientOrderId: 'x:entry', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01' }).catch((e: unknown) => e);
    expect(e2).toMatchObject({ kind: 'AUTHENTICATION', retryable: false });

    const badKey = gateway(sim, { apiKey: 'unknown-key' });
    expect(await badKey.fetchBalances().catch((e: unknown) => e)).toMatchObject({ kind: 'AUTHENTICATION', retryable: false });

    const g = gateway(sim);
    const e3 = await g.placeOrder({ clientOrderId: 'big:entry', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '1000' }).catch((e: unknown) => e);
    expect(e3).toMatchObject({ kind: 'INSUFFICIENT_FUNDS', retryable: false });
    const e4 = await g.placeOrder({ clientOrderId: 'sym:entry', symbol: 'DOGE/USDT', side: 'buy', type: 'market', amount: '10' }).catch((e: unknown) => e);
    expect(e4).toMatchObject({ kind: 'BAD_SYMBOL', retryable: false });
    expect(sim.stats().orders).toBe(0);
  });

  test('error classification of ccxt classes', () => {
    expect(classifyError(new ccxt.RequestTimeout('t'))).toMatchObject({ kind: 'TIMEOUT', retryable: true });
    expect(classifyError(new ccxt.DDoSProtection('binance 429'), { headers: { 'Retry-After': '7' } })).toMatchObject({ kind: 'RATE_LIMITED', retryable: true, retryAfterMs: 7000 });
    expect(classifyError(new ccxt.ExchangeNotAvailable('503'))).toMatchObject({ kind: 'EXCHANGE_UNAVAILABLE', retryable: true });
    expect(classifyError(new ccxt.NetworkError('reset'))).toMatchObject({ kind: 'NETWORK', retryable: true });
    expect(classifyError(new ccxt.InsufficientFunds('x'))).toMatchObject({ kind: 'INSUFFICIENT_FUNDS', retryable: false });
    expect(classifyError(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Account has insufficient balance for requested action."}'))).toMatchObject({ kind: 'INSUFFICIENT_FUNDS' });
    expect(classifyError(new ccxt.BadRequest('binance {"code":-1022,"msg":"Signature for this request is not valid."}'))).toMatchObject({ kind: 'AUTHENTICATION', retryable: false });
    expect(classifyError(new ccxt.PermissionDenied('x'))).toMatchObject({ kind: 'AUTHENTICATION', retryable: false });
    expect(classifyError(new ccxt.BadSymbol('x'))).toMatchObject({ kind: 'BAD_SYMBOL', retryable: false });
    expect(classifyError(new ccxt.OrderNotFound('x'))).toMatchObject({ kind: 'ORDER_NOT_FOUND', retryable: false });
    expect(isDuplicateOrderError(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'))).toBe(true);
    expect(isDuplicateOrderError(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Account has insufficient balance for requested action."}'))).toBe(false);
    expect(isDuplicateOrderError(new ccxt.DuplicateOrderId('x'))).toBe(true);
  });

  test('reusing a clientOrderId returns the existing order (lookup first, and via the duplicate reply)', async () => {
    const g = gateway(sim);
    const req: OrderRequest = { clientOrderId: 'pos-9:entry', symbol: 'ETH/USDT', side: 'buy', type: 'market', amount: '0.1' };
    const a = await g.placeOrder(req);
    const b = await g.placeOrder(req);
    expect(b.exchangeOrderId).toBe(a.exchangeOrderId);
    // without the lookup the simulator answers "Duplicate order sent." and the gateway fetches the order
    const c = await g.placeOrder({ ...req, lookedUp: true });
    expect(c.exchangeOrderId).toBe(a.exchangeOrderId);
    expect(c.status).toBe('FILLED');
    expect(sim.stats().ordersByClientId).toEqual({ 'pos-9:entry': 1 });
    expect(sim.stats().requests['POST /api/v3/order']).toBe(2);
  });

  test('"accept, then drop the response" on every first order call: 50 intended orders → exactly 50 at the simulator', async () => {
    sim.faults.add({ kind: 'accept-then-drop', endpoint: '/api/v3/order', method: 'POST', firstCallPerClientOrderId: true });
    // and 40 % of the lookups fail too, so the order is often only found by a later attempt of the retry loop
    sim.faults.add({ kind: 'status', status: 503, endpoint: '/api/v3/order', method: 'GET', probability: 0.4 });
    const g = gateway(sim);
    const counter = { retries: 0 };
    const results: BrokerOrder[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 50; i++) {
      const req: OrderRequest = { clientOrderId: clientOrderIdFor(`pos-${i}`, 'entry'), symbol: i % 2 ? 'ARB/USDT' : 'SUI/USDT', side: 'buy', type: 'market', amount: '20' };
      results.push(await withRetries(() => g.placeOrder(req), counter));
    }
    const st = sim.stats();
    console.log(
      `accept-then-drop: 50 orders, ${counter.retries} retries, ${st.faultsInjected['accept-then-drop']} dropped responses, ` +
        `${st.faultsInjected.status ?? 0} failed lookups, ${st.requests['POST /api/v3/order']} POSTs, ${Date.now() - t0} ms`,
    );
    expect(counter.retries).toBeGreaterThan(0);
    expect(st.requests['POST /api/v3/order']).toBe(50); // a dropped order is found by lookup, never re-sent
    expect(st.orders).toBe(50);
    expect(Object.values(st.ordersByClientId).every((n) => n === 1)).toBe(true);
    expect(st.faultsInjected['accept-then-drop']).toBe(50);
    expect(results.every((r) => r.status === 'FILLED')).toBe(true);
    expect(new Set(results.map((r) => r.exchangeOrderId)).size).toBe(50);
  });

  test('429 / 5xx / timeout faults on 30 % of calls: every intended order ends in one terminal state', async () => {
    for (const ep of ['/api/v3/order', '/api/v3/myTrades', '/api/v3/exchangeInfo']) {
      sim.faults.add({ kind: 'rate-limit', endpoint: ep, probability: 0.1, retryAfterSec: 0.05 });
      sim.faults.add({ kind: 'status', status: 503, endpoint: ep, probability: 0.1 / 0.9 });
      sim.faults.add({ kind: 'timeout', endpoint: ep, probability: 0.1 / 0.8 });
    }
    const g = gateway(sim, { timeoutMs: 1000 });
    const counter = { retries: 0 };
    const t0 = Date.now();
    const N = 50;
    const reqs: OrderRequest[] = Array.from({ length: N }, (_, i) => ({
      clientOrderId: clientOrderIdFor(`pos-f${i}`, 'entry'),
      symbol: 'OP/USDT',
      side: i % 2 ? 'buy' : 'sell',
      type: 'market',
      amount: '5',
    }));
    const results: BrokerOrder[] = [];
    const concurrency = 8;
    for (let i = 0; i < reqs.length; i += concurrency) {
      results.push(...(await Promise.all(reqs.slice(i, i + concurrency).map((r) => withRetries(() => g.placeOrder(r), counter)))));
    }
    const st = sim.stats();
    const apiCalls = st.totalRequests;
    console.log(
      `30% faults: ${N} orders, ${counter.retries} retries, ${st.totalFaults} faults injected (${JSON.stringify(st.faultsInjected)}) over ${apiCalls} API calls, ${Date.now() - t0} ms`,
    );
    expect(st.totalFaults).toBeGreaterThan(0);
    expect(counter.retries).toBeGreaterThan(0);
    expect(st.orders).toBe(N);
    expect(Object.values(st.ordersByClientId).every((n) => n === 1)).toBe(true);
    expect(results.every((r) => r.status === 'FILLED')).toBe(true);
    for (const o of sim.orders()) expect(o.status).toBe('FILLED');
  }, 60_000);
});
