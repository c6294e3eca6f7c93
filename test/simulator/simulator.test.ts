/**
 * The local Binance-spot simulator at the HTTP level (signature checks, Binance error JSON, matching,
 * fault injection, admin endpoints, CLI), plus the pure helpers it builds on (price paths, client ids).
 */
import { d } from '../../domain/money';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { startSimulator, Simulator, DEFAULT_ACCOUNT } from '../../simulator';
import { syntheticPrice, SyntheticPricePath, ScriptedPricePath } from '../../exchange/market-data/price-path';
import { clientOrderIdFor, isValidClientOrderId } from '../../domain/ids';

const KEY = DEFAULT_ACCOUNT.apiKey;
const SECRET = DEFAULT_ACCOUNT.secret;

function sign(params: Record<string, string | number>, secret = SECRET, ts = Date.now()): string {
  const qs = new URLSearchParams({ ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])), timestamp: String(ts), recvWindow: '10000' }).toString();
  return `${qs}&signature=${createHmac('sha256', secret).update(qs).digest('hex')}`;
}

async function call(sim: Simulator, method: string, p: string, opts: { query?: string; body?: string; key?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (opts.key !== null) headers['X-MBX-APIKEY'] = opts.key ?? KEY;
  if (opts.body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(`${sim.url}${p}${opts.query ? `?${opts.query}` : ''}`, { method, headers, body: opts.body });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
}

describe('price paths', () => {
  test('synthetic price is a pure, seeded function of (seed, symbol, t) and fast', () => {
    const t = Date.UTC(2026, 2, 16, 12);
    expect(syntheticPrice('BTC/USDT', t, { seed: 7 })).toBe(syntheticPrice('BTC/USDT', t, { seed: 7 }));
    expect(syntheticPrice('BTC/USDT', t, { seed: 7 })).not.toBe(syntheticPrice('BTC/USDT', t, { seed: 8 }));
    expect(syntheticPrice('ARB/USDT', t, { seed: 7 })).toMatch(/^\d+\.\d{4}$/);
    const p = new SyntheticPricePath({ seed: 7 });
    const t0 = Date.now();
    let prev = Number(p.priceAt('ETH/USDT', t));
    let maxStep = 0;
    for (let i = 1; i <= 50_000; i++) {
      const x = Number(p.priceAt('ETH/USDT', t + i * 1000));
      maxStep = Math.max(maxStep, Math.abs(x / prev - 1));
      prev = x;
    }
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(maxStep).toBeLessThan(0.01); // no jumps between 1 s steps
    const far = Number(p.priceAt('ETH/USDT', t + 365 * 86_400_000));
    expect(far).toBeGreaterThan(3000 / 3);
    expect(far).toBeLessThan(3000 * 3);
    expect(Number(p.volume24hQuote('BTC/USDT', t))).toBeGreaterThan(0);
    expect(p.change7dPct('BTC/USDT', t)).toMatch(/^-?\d+(\.\d+)?$/);
  });

  test('scripted path: piecewise linear, steps, fallback', () => {
    const s = new ScriptedPricePath({ 'ARB/USDT': [{ t: 1000, price: 1 }, { t: 2000, price: 2 }] }, { change7dPct: { 'ARB/USDT': -12.5 } });
    expect(s.priceAt('ARB/USDT', 0)).toBe('1.0000');
    expect(s.priceAt('ARB/USDT', 1500)).toBe('1.5000');
    expect(s.priceAt('ARB/USDT', 5000)).toBe('2.0000');
    s.stepPct('ARB/USDT', 10_000, -4);
    expect(s.priceAt('ARB/USDT', 10_000)).toBe('2.0000');
    expect(s.priceAt('ARB/USDT', 10_001)).toBe('1.9200');
    expect(s.change7dPct('ARB/USDT', 0)).toBe('-12.5');
    expect(s.priceAt('BTC/USDT', 1234)).toBe(new SyntheticPricePath().priceAt('BTC/USDT', 1234));
  });
});

describe('client order ids', () => {
  test('natural form when it fits, deterministic hash otherwise', () => {
    expect(clientOrderIdFor('pos-ARB-2026-03', 'entry')).toBe('pos-ARB-2026-03:entry');
    expect(clientOrderIdFor('pos-ARB', 'exit', 2)).toBe('pos-ARB:exit:2');
    const long = 'position/strategy-unlock-short/ARB-2026-03-16T00:00:00Z';
    const a = clientOrderIdFor(long, 'emergency-exit');
    expect(a).toBe(clientOrderIdFor(long, 'emergency-exit'));
    expect(a.length).toBeLessThanOrEqual(36);
    expect(isValidClientOrderId(a)).toBe(true);
    expect(a.startsWith('position/strategy')).toBe(true);
    expect(a).not.toBe(clientOrderIdFor(long, 'exit'));
    expect(clientOrderIdFor(long + 'x', 'entry')).not.toBe(clientOrderIdFor(long, 'entry'));
    const weird = clientOrderIdFor('wf with spaces ü', 'entry');
    expect(isValidClientOrderId(weird)).toBe(true);
  });
});

describe('simulator over HTTP', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0, seed: 3, matchIntervalMs: 0 });
  });
  afterEach(async () => {
    await sim.close();
  });

  test('binds 127.0.0.1 on an OS-assigned port; public endpoints', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(sim, 'GET', '/api/v3/ping', { key: null })).body).toEqual({});
    const info = (await call(sim, 'GET', '/api/v3/exchangeInfo', { key: null })).body;
    expect(info.symbols.map((s: any) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'ARBUSDT', 'OPUSDT', 'APTUSDT', 'SUIUSDT']);
    const depth = (await call(sim, 'GET', '/api/v3/depth', { query: 'symbol=BTCUSDT&limit=5', key: null })).body;
    expect(depth.bids).toHaveLength(5);
    expect(Number(depth.bids[0][0])).toBeLessThan(Number(depth.asks[0][0]));
    const bad = await call(sim, 'GET', '/api/v3/depth', { query: 'symbol=FOOUSDT', key: null });
    expect(bad).toMatchObject({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
  });

  test('signature, key and timestamp checks answer Binance error JSON', async () => {
    expect(await call(sim, 'GET', '/api/v3/account', { query: sign({}), key: null })).toMatchObject({ status: 401, body: { code: -2014 } });
    expect(await call(sim, 'GET', '/api/v3/account', { query: sign({}), key: 'nope' })).toMatchObject({
      status: 401,
      body: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    });
    expect(await call(sim, 'GET', '/api/v3/account', { query: sign({}, 'wrong-secret') })).toMatchObject({
      status: 400,
      body: { code: -1022, msg: 'Signature for this request is not valid.' },
    });
    expect(await call(sim, 'GET', '/api/v3/account', { query: sign({}, SECRET, Date.now() - 60_000) })).toMatchObject({ status: 400, body: { code: -1021 } });
    const ok = await call(sim, 'GET', '/api/v3/account', { query: sign({}) });
    expect(ok.status).toBe(200);
    expect(ok.body.balances.find((b: any) => b.asset === 'USDT').free).toBe('1000000.00000000');
    expect(sim.stats().authFailures).toBe(4);
  });

  test('orders: duplicate client id, insufficient balance, limit fill on price cross, stop trigger, depth walk', async () => {
    sim.setPrice('ETH/USDT', 3000);
    const place = (p: Record<string, string | number>) => call(sim, 'POST', '/api/v3/order', { body: sign(p) });
    const lim = await place({ symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '2900', newClientOrderId: 'L1' });
    expect(lim).toMatchObject({ status: 200, body: { clientOrderId: 'L1', status: 'NEW' } });
    expect(await place({ symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '2900', newClientOrderId: 'L1' })).toMatchObject({
      status: 400,
      body: { code: -2010, msg: 'Duplicate order sent.' },
    });
    expect(await place({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '10000', newClientOrderId: 'BIG' })).toMatchObject({
      status: 400,
      body: { code: -2010, msg: 'Account has insufficient balance for requested action.' },
    });
    expect(sim.balances().USDT!.locked).toBe('2902.9');
    sim.setPrice('ETH/USDT', 2899);
    const q = await call(sim, 'GET', '/api/v3/order', { query: sign({ symbol: 'ETHUSDT', origClientOrderId: 'L1' }) });
    expect(q.body).toMatchObject({ status: 'FILLED', executedQty: '1.00000000', cummulativeQuoteQty: '2900.00000000' });
    expect(sim.balances().USDT!.locked).toBe('0');

    // stop-loss sell triggers when the bid falls through the stop
    const stop = await place({ symbol: 'ETHUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '1', stopPrice: '2800', newClientOrderId: 'S1' });
    expect(stop.body.status).toBe('NEW');
    sim.stepPct('ETH/USDT', -4);
    await new Promise((r) => setTimeout(r, 5));
    const sq = await call(sim, 'GET', '/api/v3/order', { query: sign({ symbol: 'ETHUSDT', origClientOrderId: 'S1' }) });
    expect(sq.body.status).toBe('FILLED');

    // a market order larger than the synthetic book expires partially filled, paying up the book
    const big = await place({ symbol: 'ARBUSDT', side: 'SELL', type: 'MARKET', quantity: '99000', newClientOrderId: 'M-BIG' });
    expect(big.status).toBe(200);
    const depth = (await call(sim, 'GET', '/api/v3/depth', { query: 'symbol=ARBUSDT&limit=20', key: null })).body;
    const bookQty = depth.bids.reduce((a: number, l: string[]) => a + Number(l[1]), 0);
    expect(big.body.fills.length).toBeGreaterThan(1);
    // issue 17: every fill is at the market's tick and lot step (ARB/USDT: 0.0001, 0.1), as a venue's
    for (const f of big.body.fills as Array<{ price: string; qty: string }>) {
      expect(d(f.price).mod('0.0001').isZero()).toBe(true);
      expect(d(f.qty).mod('0.1').isZero()).toBe(true);
    }
    if (bookQty < 99000) expect(big.body.status).toBe('EXPIRED');
    expect(Number(big.body.executedQty)).toBeGreaterThan(0);

    const cancel = await call(sim, 'DELETE', '/api/v3/order', { query: sign({ symbol: 'ETHUSDT', origClientOrderId: 'L1' }) });
    expect(cancel.body).toMatchObject({ code: -2011, msg: 'Unknown order sent.' });
    expect(sim.stats().ordersByClientId).toEqual({ L1: 1, S1: 1, 'M-BIG': 1 });
  });

  test('fault injection: 429 + Retry-After, 5xx, reset, timeout, accept-then-drop, first call per client id', async () => {
    sim.faults.add({ kind: 'rate-limit', endpoint: '/api/v3/ticker/24hr', retryAfterSec: 3, times: 1 });
    const r429 = await call(sim, 'GET', '/api/v3/ticker/24hr', { query: 'symbol=BTCUSDT', key: null });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('3');
    expect((await call(sim, 'GET', '/api/v3/ticker/24hr', { query: 'symbol=BTCUSDT', key: null })).status).toBe(200);

    sim.faults.add({ kind: 'status', status: 502, endpoint: '/api/v3/time', firstCalls: 2 });
    expect((await call(sim, 'GET', '/api/v3/time', { key: null })).status).toBe(502);
    expect((await call(sim, 'GET', '/api/v3/time', { key: null })).status).toBe(502);
    expect((await call(sim, 'GET', '/api/v3/time', { key: null })).status).toBe(200);

    sim.faults.add({ kind: 'reset', endpoint: '/api/v3/ping', times: 1 });
    await expect(call(sim, 'GET', '/api/v3/ping', { key: null })).rejects.toThrow();

    sim.faults.add({ kind: 'timeout', endpoint: '/api/v3/exchangeInfo', times: 1 });
    await expect(fetch(`${sim.url}/api/v3/exchangeInfo`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();

    // accept, then drop: the order exists although the client saw a dead socket; the retry gets the duplicate reply
    sim.faults.add({ id: 'drop', kind: 'accept-then-drop', endpoint: '/api/v3/order', method: 'POST', firstCallPerClientOrderId: true });
    const body = sign({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'D1' });
    await expect(call(sim, 'POST', '/api/v3/order', { body })).rejects.toThrow();
    expect(sim.orders().map((o) => o.clientOrderId)).toEqual(['D1']);
    const again = await call(sim, 'POST', '/api/v3/order', { body: sign({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'D1' }) });
    expect(again.body).toEqual({ code: -2010, msg: 'Duplicate order sent.' });

    // admin endpoints (for child processes)
    const st = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as any;
    expect(st.faultsInjected).toMatchObject({ 'rate-limit': 1, status: 2, reset: 1, timeout: 1, 'accept-then-drop': 1 });
    expect(st.ordersByClientId).toEqual({ D1: 1 });
    const add = await fetch(`${sim.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'latency', latencyMs: 150, endpoint: '/api/v3/ping' }) });
    expect(((await add.json()) as any).ids).toHaveLength(1);
    const t0 = Date.now();
    await call(sim, 'GET', '/api/v3/ping', { key: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await fetch(`${sim.url}/__admin/faults`, { method: 'DELETE' });
    expect(await (await fetch(`${sim.url}/__admin/faults`)).json()).toEqual([]);
    await fetch(`${sim.url}/__admin/price`, { method: 'POST', body: JSON.stringify({ symbol: 'BTCUSDT'.replace('USDT', '/USDT'), price: 12345 }) });
    expect(sim.priceOf('BTC/USDT')).toBe('12345.00');
    const orders = (await (await fetch(`${sim.url}/__admin/orders`)).json()) as any;
    expect(orders[0]).toMatchObject({ clientOrderId: 'D1', status: 'FILLED' });
  });

  test('clock override + scripted price path drive tickers and klines', async () => {
    let now = Date.UTC(2026, 2, 16, 0, 0, 0);
    const path = new ScriptedPricePath({ 'ARB/USDT': [{ t: now, price: 1 }, { t: now + 3_600_000, price: 0.96 }] });
    const s = await startSimulator({ port: 0, pricePath: path, clock: () => now, matchIntervalMs: 0 });
    try {
      const t1 = (await call(s, 'GET', '/api/v3/ticker/24hr', { query: 'symbol=ARBUSDT', key: null })).body;
      expect(t1.lastPrice).toBe('1.0000');
      now += 3_600_000;
      const t2 = (await call(s, 'GET', '/api/v3/ticker/24hr', { query: 'symbol=ARBUSDT', key: null })).body;
      expect(t2.lastPrice).toBe('0.9600');
      const k = (await call(s, 'GET', '/api/v3/klines', { query: 'symbol=ARBUSDT&interval=1h&limit=2', key: null })).body;
      expect(k).toHaveLength(2);
      expect(k[0][1]).toBe('1.0000'); // open of the hour that drifted down
      expect(k[0][4]).toBe('0.9600');
    } finally {
      await s.close();
    }
  });

  test('probabilistic faults are seeded (same seed → same fault pattern)', async () => {
    const pattern = async (seed: number) => {
      const s = await startSimulator({ port: 0, faultSeed: seed, matchIntervalMs: 0 });
      s.faults.add({ kind: 'status', status: 503, endpoint: '/api/v3/ping', probability: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await call(s, 'GET', '/api/v3/ping', { key: null })).status);
      await s.close();
      return out;
    };
    const a = await pattern(11);
    expect(await pattern(11)).toEqual(a);
    expect(a.filter((x) => x === 503).length).toBeGreaterThan(2);
    expect(a.filter((x) => x === 503).length).toBeLessThan(20);
  });
});

describe('simulator CLI', () => {
  test('tsx simulator/main.ts --port 0 prints its url and is driven through /__admin', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'simulator/main.ts'), '--port', '0', '--seed', '5'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const rl = readline.createInterface({ input: child.stdout! });
        rl.once('line', resolve);
        child.once('exit', (c) => reject(new Error(`exited ${c}`)));
        setTimeout(() => reject(new Error('no listening line')), 20_000);
      });
      const { url, port } = JSON.parse(line);
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const r = await fetch(`${url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 500, endpoint: '/api/v3/ping', times: 1 }) });
      expect(r.status).toBe(200);
      expect((await fetch(`${url}/api/v3/ping`)).status).toBe(500);
      expect((await fetch(`${url}/api/v3/ping`)).status).toBe(200);
      expect(((await (await fetch(`${url}/__admin/stats`)).json()) as any).requests['GET /api/v3/ping']).toBe(2);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 30_000);
});
