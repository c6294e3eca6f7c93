/**
 * Recorded candles for a backtest: one file (a CSV / JSON with a symbol column or keys) or a
 * directory of them (one file per symbol; a file without a symbol column belongs to the symbol its
 * name spells, `ARB_USDT.csv` or `ARB-USDT.csv` → ARB/USDT). Parsing is replay.ts's
 * (`parseOhlcvFile`), so the backtest reads exactly what the paper broker's replay reads.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseOhlcvFile, type ReplayCandle } from '../exchange/market-data/replay';

export class BacktestInputError extends Error {
  override name = 'BacktestInputError';
}

export interface CandleSet {
  /** symbol → candles in time order */
  bySymbol: Map<string, ReplayCandle[]>;
  /** the files read, in a stable order (the data fingerprint hashes their bytes) */
  files: string[];
}

const CANDLE_EXTS = new Set(['.csv', '.json']);

/** `ARB_USDT.csv` → `ARB/USDT`; undefined when the name is not BASE_QUOTE / BASE-QUOTE. */
export function symbolFromFileName(file: string): string | undefined {
  const m = /^([A-Z0-9]{1,20})[_-]([A-Z0-9]{1,20})$/.exec(basename(file, extname(file)));
  return m ? `${m[1]}/${m[2]}` : undefined;
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BacktestInputError(code === 'ENOENT' ? `candle file not found: ${file}` : `cannot read candle file ${file}: ${(e as Error).message}`);
  }
}

export function loadCandles(path: string): CandleSet {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new BacktestInputError(`--ohlcv: no such file or directory: ${path}`);
  }
  const files = isDir
    ? readdirSync(path)
        .filter((n) => CANDLE_EXTS.has(extname(n).toLowerCase()))
        .sort()
        .map((n) => join(path, n))
    : [path];
  if (!files.length) throw new BacktestInputError(`--ohlcv: no .csv or .json candle files in ${path}`);
  const bySymbol = new Map<string, ReplayCandle[]>();
  for (const file of files) {
    let candles: ReplayCandle[];
    try {
      candles = parseOhlcvFile(readFile(file), file);
    } catch (e) {
      throw e instanceof BacktestInputError ? e : new BacktestInputError((e as Error).message);
    }
    const fallback = symbolFromFileName(file);
    for (const c of candles) {
      const symbol = c.symbol ?? fallback;
      if (!symbol) throw new BacktestInputError(`${file}: rows have no symbol column and the file name is not BASE_QUOTE.csv (e.g. ARB_USDT.csv)`);
      if (!bySymbol.has(symbol)) bySymbol.set(symbol, []);
      bySymbol.get(symbol)!.push({ ...c, symbol });
    }
  }
  for (const [symbol, cs] of bySymbol) {
    cs.sort((a, b) => a.timestamp - b.timestamp);
    for (let i = 1; i < cs.length; i++) {
      if (cs[i]!.timestamp === cs[i - 1]!.timestamp) throw new BacktestInputError(`--ohlcv: ${symbol} has two candles at ${new Date(cs[i]!.timestamp).toISOString()}`);
    }
  }
  return { bySymbol, files };
}

/** The daily close (last candle of each UTC day) of a series: YYYY-MM-DD → close. */
export function dailyCloses(candles: readonly ReplayCandle[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of candles) out.set(new Date(c.timestamp).toISOString().slice(0, 10), c.close);
  return out;
}
