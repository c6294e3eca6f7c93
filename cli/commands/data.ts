/**
 * unlock-trader data ohlcv --exchange <ccxt id> --symbols A/USDT,B/USDT --timeframe 1h --since <date>
 *   [--until <date>] --out <dir>
 *
 * Downloads candles for backtests (backtest/ohlcv-download.ts): paginated, rate limited, resumable,
 * one BASE_QUOTE.csv per symbol. Every option is validated before anything is fetched or written.
 * EXCHANGE_URL_OVERRIDE re-hosts the exchange's API (e.g. the local simulator), EXCHANGE_RATE_LIMIT_MS
 * overrides ccxt's spacing.
 */
import * as ccxt from 'ccxt';
import type { Command } from 'commander';
import { CliError, oneLine, type Ctx } from '../context';
import { CcxtGateway } from '../../exchange/ccxt-gateway';
import { loadExchangeEnv } from '../../exchange/broker-registry';
import { ConfigError } from '../../config/strategy-config';
import { BacktestInputError } from '../../backtest/candles';
import { parseDateOption } from '../../backtest/inputs';
import { downloadOhlcv, type OhlcvExchange } from '../../backtest/ohlcv-download';

interface OhlcvOpts {
  exchange: string;
  symbols: string;
  timeframe: string;
  since: string;
  until?: string;
  out: string;
  json?: boolean;
}

function dateOption(flag: string, v: string): number {
  try {
    return parseDateOption(flag, v);
  } catch (e) {
    throw new CliError((e as BacktestInputError).message);
  }
}

export function registerDataCommands(program: Command, ctx: Ctx): void {
  const data = program.command('data').description('market data for backtests');
  data
    .command('ohlcv')
    .description('download candles with ccxt fetchOHLCV into one CSV per symbol (resumable: re-running fills only what is missing)')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. binance')
    .requiredOption('--symbols <list>', 'comma-separated BASE/QUOTE symbols, e.g. ARB/USDT,OP/USDT')
    .requiredOption('--timeframe <tf>', "candle length the exchange offers, e.g. 1h")
    .requiredOption('--since <date>', 'first candle (YYYY-MM-DD or ISO time with zone)')
    .option('--until <date>', 'end, exclusive (default: now)')
    .requiredOption('--out <dir>', 'folder for the CSV files (created)')
    .option('--json', 'print the result as JSON')
    .action(async (o: OhlcvOpts) => {
      const id = o.exchange.trim();
      const known = ccxt.exchanges as unknown;
      if (!(Array.isArray(known) ? known.includes(id) : typeof (ccxt as unknown as Record<string, unknown>)[id] === 'function')) throw new CliError(`--exchange: "${id}" is not a ccxt exchange id (e.g. binance, kraken, okx)`);
      const symbols = o.symbols.split(',').map((s) => s.trim()).filter(Boolean);
      if (!symbols.length) throw new CliError('--symbols: give at least one BASE/QUOTE symbol');
      const bad = symbols.find((s) => !/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/.test(s));
      if (bad) throw new CliError(`--symbols: "${bad}" is not BASE/QUOTE in capitals, e.g. ARB/USDT`);
      const since = dateOption('--since', o.since);
      const until = o.until !== undefined ? dateOption('--until', o.until) : Date.now();
      if (!(until > since)) throw new CliError('--until must be after --since');
      let env;
      try {
        env = loadExchangeEnv();
      } catch (e) {
        throw new CliError((e as ConfigError).message);
      }
      const gateway = new CcxtGateway({
        exchangeId: id,
        sandbox: false,
        urlOverride: env.EXCHANGE_URL_OVERRIDE,
        enableRateLimit: true,
        ...(env.EXCHANGE_RATE_LIMIT_MS !== undefined ? { rateLimitMs: env.EXCHANGE_RATE_LIMIT_MS } : {}),
      });
      ctx.onClose(() => gateway.close());
      const ex = gateway.exchange as unknown as OhlcvExchange & { has: Record<string, unknown>; timeframes?: Record<string, unknown> };
      if (!ex.has.fetchOHLCV) throw new CliError(`--exchange: ${id} has no OHLCV endpoint in ccxt`);
      const tfs = Object.keys(ex.timeframes ?? {});
      if (!tfs.includes(o.timeframe)) throw new CliError(`--timeframe: ${id} offers ${tfs.join(', ') || 'no timeframes'}, not "${o.timeframe}"`);
      let result;
      try {
        result = await downloadOhlcv({ exchange: ex, symbols, timeframe: o.timeframe, since, until, outDir: o.out, log: (l) => ctx.err(l) });
      } catch (e) {
        throw new CliError(`data ohlcv: ${oneLine(e)}`);
      }
      if (o.json) return ctx.json(result);
      for (const r of result) ctx.out(`${r.file}: ${r.kept + r.added} candles (${r.added} new, ${r.requests} request(s))`);
    });
}
