/**
 * Issue 17, defect 9: a restarted simulator must continue the same market and still know its orders.
 * The simulator runs as the process the main job runs (simulator/main.ts with the demo's market flags
 * and a state file) and is killed with SIGKILL between the two runs: prices read at the same past
 * times are the same, an order acknowledged just before the kill is found by its client order id with
 * the same order id, fills and balances, and the next order id continues the counter.
 */
import { createHmac } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_ACCOUNT } from '../../simulator';
import { SyntheticPricePath } from '../../exchange/market-data/price-path';
import { freePort } from '../helpers/ports';

const ROOT = join(__dirname, '..', '..');
const MIN = 60_000;

function signed(params: Record<string, string>): string {
  const qs = new URLSearchParams({ ...params, timestamp: String(Date.now()), recvWindow: '10000' }).toString();
  return `${qs}&signature=${createHmac('sha256', DEFAULT_ACCOUNT.secret).update(qs).digest('hex')}`;
}

async function startSim(args: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'simulator/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (b) => (err += b));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).once('line', resolve);
    proc.once('exit', (c) => reject(new Error(`simulator exited ${c}: ${err}`)));
  });
  return { proc, url: (JSON.parse(line) as { url: string }).url };
}

async function json(url: string, init?: RequestInit): Promise<any> {
  const r = await fetch(url, init);
  return r.json();
}

/** [open time, open, high, low, close] of ARB/USDT 1 m candles from `from`: the market at those times */
async function market(url: string, from: number): Promise<string[][]> {
  const rows = (await json(`${url}/api/v3/klines?symbol=ARBUSDT&interval=1m&startTime=${from}&limit=10`)) as unknown[][];
  return rows.map((r) => r.slice(0, 5).map(String));
}

const killed = (proc: ChildProcess) => new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : (proc.once('exit', () => r()), proc.kill('SIGKILL'))));

test('a simulator killed and restarted with the same seed and state file continues the same market and knows its orders', async () => {
  const port = await freePort();
  const stateFile = join(mkdtempSync(join(tmpdir(), 'sim-restart-')), 'sim.json');
  const args = ['--port', String(port), '--seed', '9', '--symbols', 'ARB/USDT,OP/USDT', '--volatility', '0.5', '--longest-scale-ms', '7200000', '--state', stateFile];
  const from = Math.floor(Date.now() / MIN) * MIN - 20 * MIN;

  let sim = await startSim(args);
  const procs = [sim.proc];
  try {
    const before = await market(sim.url, from);
    expect(before).toHaveLength(10);
    const headers = { 'X-MBX-APIKEY': DEFAULT_ACCOUNT.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' };
    const placed = await json(`${sim.url}/api/v3/order`, { method: 'POST', headers, body: signed({ symbol: 'ARBUSDT', side: 'BUY', type: 'MARKET', quantity: '100', newClientOrderId: 'restart-entry-1' }) });
    expect(placed.status).toBe('FILLED');
    const balances = await json(`${sim.url}/__admin/balances`);
    // acknowledged, then killed at once: the order must already be on disk
    await killed(sim.proc);
    expect(existsSync(stateFile)).toBe(true);

    sim = await startSim(args);
    procs.push(sim.proc);
    expect(await market(sim.url, from)).toEqual(before);
    const found = await json(`${sim.url}/api/v3/order?${signed({ symbol: 'ARBUSDT', origClientOrderId: 'restart-entry-1' })}`, { headers });
    expect({ orderId: found.orderId, status: found.status, executedQty: found.executedQty, quote: found.cummulativeQuoteQty }).toEqual({ orderId: placed.orderId, status: 'FILLED', executedQty: placed.executedQty, quote: placed.cummulativeQuoteQty });
    expect(await json(`${sim.url}/__admin/balances`)).toEqual(balances);
    // the same client order id is still refused, and the next order continues the id counter
    const again = await json(`${sim.url}/api/v3/order`, { method: 'POST', headers, body: signed({ symbol: 'ARBUSDT', side: 'BUY', type: 'MARKET', quantity: '100', newClientOrderId: 'restart-entry-1' }) });
    expect(again.code).toBe(-2010);
    const next = await json(`${sim.url}/api/v3/order`, { method: 'POST', headers, body: signed({ symbol: 'ARBUSDT', side: 'SELL', type: 'MARKET', quantity: '100', newClientOrderId: 'restart-exit-1' }) });
    expect(next.orderId).toBeGreaterThan(placed.orderId);
  } finally {
    for (const p of procs) await killed(p);
  }
}, 60_000);

test('the demo market: lively by the minute, near its listed prices over a year (slow components capped)', () => {
  const t0 = Date.UTC(2026, 10, 25);
  const capped = new SyntheticPricePath({ seed: 42, dailyVolatility: 0.5, longestScaleMs: 2 * 3_600_000 });
  const uncapped = new SyntheticPricePath({ seed: 42, dailyVolatility: 0.5 });
  let lo = Infinity;
  let hi = 0;
  let far = 0;
  for (let d = 0; d < 365; d++) {
    const p = Number(capped.priceAt('ARB/USDT', t0 + d * 86_400_000));
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
    const u = Number(uncapped.priceAt('ARB/USDT', t0 + d * 86_400_000));
    far = Math.max(far, Math.abs(Math.log(u / 0.8)));
  }
  expect(lo).toBeGreaterThan(0.8 / 2);
  expect(hi).toBeLessThan(0.8 * 2);
  expect(far).toBeGreaterThan(Math.log(2)); // what the cap prevents: the 50 %/day walk leaves the listed price far behind
  // and within minutes it still moves by more than the demo's 1 % stop or target
  let range = 0;
  for (let m = 0; m < 24 * 60; m += 4) {
    const a = Number(capped.priceAt('ARB/USDT', t0 + m * MIN));
    const b = Number(capped.priceAt('ARB/USDT', t0 + (m + 4) * MIN));
    range = Math.max(range, Math.abs(b / a - 1));
  }
  expect(range).toBeGreaterThan(0.01);
});
