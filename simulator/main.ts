/**
 * CLI: run the local simulator (Binance and Kraken dialects) as a process (the main job's exchange, crash tests).
 *
 *   tsx simulator/main.ts [--port 8710] [--seed 42] [--symbols BTC/USDT,ETH/USDT]
 *                        [--volatility 0.04] [--longest-scale-ms N] [--state <file.json>]
 *                        [--api-key K --api-secret S] [--kraken-api-key K --kraken-api-secret S]
 *                        [--no-signature] [--log]
 * Env: SIM_PORT, SIM_SEED, SIM_SYMBOLS, SIM_API_KEY, SIM_API_SECRET, SIM_KRAKEN_API_KEY,
 * SIM_KRAKEN_API_SECRET (base64, as Kraken issues secrets). The Kraken account defaults to
 * DEFAULT_KRAKEN_ACCOUNT (sim-kraken-key).
 * Prices are a pure function of (seed, symbol, time) (exchange/market-data/price-path.ts): a restart
 * with the same seed continues the same market. `--state` keeps orders and balances across restarts
 * (./state-file.ts). Prints one JSON line {"event":"listening","url":…,"port":…} on stdout once ready.
 * Drive it at runtime through /__admin/* (faults, prices, balances, orders, stats).
 */
import { startSimulator, DEFAULT_ACCOUNT } from './server';
import { DEFAULT_KRAKEN_ACCOUNT } from './types';
import { SyntheticPricePath } from '../exchange/market-data/price-path';
import { arg, flag } from '../config/argv';

/** a numeric flag, validated: one clear line instead of a NaN seed or port */
function numberArg(name: string, fallback: string | undefined, ok: (n: number) => boolean, what: string): number | undefined {
  const raw = arg(name) ?? fallback;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !ok(n)) throw new Error(`--${name} must be ${what}, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const port = numberArg('port', process.env.SIM_PORT ?? '8710', (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port (0-65535)')!;
  const seed = numberArg('seed', process.env.SIM_SEED ?? '42', (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer from 0 to 4294967295')!;
  const volatility = numberArg('volatility', undefined, (n) => n > 0 && n <= 5, 'a daily volatility fraction above 0, at most 5');
  const longestScaleMs = numberArg('longest-scale-ms', undefined, (n) => Number.isInteger(n) && n >= 1000, 'an integer number of ms, at least 1000');
  const symbols = (arg('symbols') ?? process.env.SIM_SYMBOLS)?.split(',').map((s) => s.trim()).filter(Boolean);
  if (symbols?.some((s) => !/^[A-Z0-9]+\/[A-Z0-9]+$/.test(s))) throw new Error(`--symbols must be BASE/QUOTE pairs separated by commas, got "${symbols.join(',')}"`);
  const apiKey = arg('api-key') ?? process.env.SIM_API_KEY ?? DEFAULT_ACCOUNT.apiKey;
  const secret = arg('api-secret') ?? process.env.SIM_API_SECRET ?? DEFAULT_ACCOUNT.secret;
  const krakenKey = arg('kraken-api-key') ?? process.env.SIM_KRAKEN_API_KEY ?? DEFAULT_KRAKEN_ACCOUNT.apiKey;
  const krakenSecret = arg('kraken-api-secret') ?? process.env.SIM_KRAKEN_API_SECRET ?? DEFAULT_KRAKEN_ACCOUNT.secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(krakenSecret)) throw new Error('--kraken-api-secret must be base64 (Kraken secrets are)');
  if (krakenKey === apiKey) throw new Error('--kraken-api-key must differ from --api-key (one account per key)');
  const sim = await startSimulator({
    port,
    seed,
    symbols,
    pricePath: new SyntheticPricePath({ seed, dailyVolatility: volatility, longestScaleMs }),
    accounts: [
      { apiKey, secret, balances: DEFAULT_ACCOUNT.balances },
      { apiKey: krakenKey, secret: krakenSecret, balances: DEFAULT_KRAKEN_ACCOUNT.balances },
    ],
    checkSignature: !flag('no-signature'),
    log: flag('log'),
    stateFile: arg('state'),
  });
  process.stdout.write(JSON.stringify({ event: 'listening', url: sim.url, port: sim.port }) + '\n');
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`error: simulator: ${(e as Error).message}\n`);
  process.exit(1);
});
