/**
 * Streaming vs polling (issue 15): a trade through a stop level at the simulator → the exit order placed
 * at the simulator, p50 / p99, with PRICE_FEED=poll (priceCheckInterval) and PRICE_FEED=stream.
 *
 *   npm run bench -- --stream [--n 20] [--poll-ms 5000]
 *
 * Each trial: a watcher on the symbol (the price watcher's code path: CcxtMarketData.firstCrossing over
 * ccxt, REST and ccxt.pro, against the in-process simulator), a random wait of up to one poll interval
 * (so the move lands anywhere in the poll cycle), then the simulator's price steps through the stop and
 * the clock starts; it stops when the exit order (a ccxt market sell through CcxtGateway, the live
 * broker) is acknowledged by the simulator. What it leaves out: the Temporal round trip between the
 * watcher activity's result and the exit activity (the same in both modes).
 */
import { startSimulator, DEFAULT_ACCOUNT } from '../simulator/server';
import { CcxtGateway } from '../exchange/ccxt-gateway';
import { CcxtMarketData } from '../exchange/market-data/ccxt';
import { ccxtTradeStream } from '../exchange/market-data/ccxt-stream';
import { arg } from '../config/argv';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { dist, log, table } from './lib/util';

function intArg(name: string, dflt: number, min: number, max: number): number {
  const v = arg(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runStreamBench(): Promise<void> {
  const n = intArg('n', 20, 1, 1000);
  const pollMs = intArg('poll-ms', 5000, 50, 600_000);
  const sim = await startSimulator({ port: 0, seed: 7, matchIntervalMs: 0 });
  const gw = new CcxtGateway({ urlOverride: sim.url, apiKey: DEFAULT_ACCOUNT.apiKey, secret: DEFAULT_ACCOUNT.secret, rateLimitMs: 1, timeoutMs: 5000 });
  const results: Record<string, number[]> = { poll: [], stream: [] };
  const symbol = 'ARB/USDT';
  try {
    for (const mode of ['stream', 'poll'] as const) {
      for (let i = 0; i < n; i++) {
        sim.setPrice(symbol, '1');
        await sleep(200);
        // a fresh source per trial: no price of the previous trial in its cache
        const md = new CcxtMarketData(gw.exchange, mode === 'stream' ? { stream: ccxtTradeStream({ exchangeId: 'binance', urlOverride: sim.url }) } : {});
        const watch = md.firstCrossing({ symbol, below: '0.95', from: Date.now(), until: Date.now() + 10 * pollMs + 60_000 }, { heartbeat() {}, signal: new AbortController().signal, pollMs });
        if (mode === 'stream') while (!md.cache.streamStats(symbol)?.up) await sleep(20);
        await sleep(Math.random() * pollMs);
        const t0 = performance.now();
        // a step (over 1 ms) from 1 to 0.94 now: setPrice would run the path straight from the last point
        sim.stepPct(symbol, -6);
        const c = await watch;
        if (!c) throw new Error('no crossing');
        await gw.placeOrder({ clientOrderId: `bs-${mode}-${Date.now()}-${i}`, symbol, side: 'sell', type: 'market', amount: '10' });
        results[mode]!.push(performance.now() - t0);
        log(`${mode} ${i + 1}/${n}: ${Math.round(results[mode]!.at(-1)!)} ms`);
        md.cache.closeAll();
        if (mode === 'stream') await md.close().catch(() => undefined);
      }
    }
  } finally {
    await gw.close();
    await sim.close();
  }
  const f = (x: number | null) => (x === null ? '-' : String(Math.round(x)));
  const rows = [['feed', 'n', 'p50 ms', 'p99 ms', 'min ms', 'max ms']];
  for (const m of ['stream', 'poll'] as const) {
    const dd = dist(results[m]!);
    rows.push([m === 'poll' ? `poll (${pollMs} ms)` : 'stream', String(dd.n), f(dd.p50), f(dd.p99), f(dd.min), f(dd.max)]);
  }
  const s = dist(results.stream!);
  const p = dist(results.poll!);
  console.log(`\ntrade through the stop → exit order acknowledged by the simulator (${new Date().toISOString()}, n=${n} per feed)`);
  console.log(table(rows));
  if (s.p50 && p.p50) console.log(`poll / stream: p50 ×${(p.p50 / s.p50).toFixed(1)}, p99 ×${(p.p99! / s.p99!).toFixed(1)}`);
  const at = new Date().toISOString();
  const file = join(__dirname, `results-stream-${at.slice(0, 19).replace(/:/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at, n, pollMs, loadavg: loadavg(), stream: s, poll: p, samplesMs: results }, null, 1));
  console.log(`results: ${file}`);
}
