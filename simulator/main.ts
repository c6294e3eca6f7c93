/**
 * CLI: run the local Binance-spot simulator as a process (demo, crash tests).
 *
 *   tsx simulator/main.ts [--port 8710] [--seed 42] [--symbols BTC/USDT,ETH/USDT]
 *                        [--api-key K --api-secret S] [--no-signature] [--log]
 * Env: SIM_PORT, SIM_SEED, SIM_SYMBOLS, SIM_API_KEY, SIM_API_SECRET.
 * Prints one JSON line {"event":"listening","url":…,"port":…} on stdout once ready.
 * Drive it at runtime through /__admin/* (faults, prices, balances, orders, stats).
 */
import { startSimulator, DEFAULT_ACCOUNT } from './server';
import { arg, flag } from '../config/argv';


async function main(): Promise<void> {
  const port = Number(arg('port') ?? process.env.SIM_PORT ?? 8710);
  const seed = Number(arg('seed') ?? process.env.SIM_SEED ?? 42);
  const symbols = (arg('symbols') ?? process.env.SIM_SYMBOLS)?.split(',').map((s) => s.trim()).filter(Boolean);
  const apiKey = arg('api-key') ?? process.env.SIM_API_KEY ?? DEFAULT_ACCOUNT.apiKey;
  const secret = arg('api-secret') ?? process.env.SIM_API_SECRET ?? DEFAULT_ACCOUNT.secret;
  const sim = await startSimulator({
    port,
    seed,
    symbols,
    accounts: [{ apiKey, secret, balances: DEFAULT_ACCOUNT.balances }],
    checkSignature: !flag('no-signature'),
    log: flag('log'),
  });
  process.stdout.write(JSON.stringify({ event: 'listening', url: sim.url, port: sim.port }) + '\n');
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`simulator failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
