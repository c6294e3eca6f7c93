/**
 * Candle download for backtests (`unlock-trader data ohlcv`): ccxt `fetchOHLCV`, paginated, within
 * the exchange's rate limit (ccxt's limiter, `enableRateLimit`), one CSV per symbol in the format the
 * backtest reads (`BASE_QUOTE.csv`: timestamp,open,high,low,close,volume; replay.ts parses it).
 *
 * Resumable: an existing file is read (and must parse), and only candles after its last one are
 * fetched and appended, so re-running fills what is missing and never duplicates a row. Only closed
 * candles are written (open time + timeframe <= until and <= now). Each page is appended in one
 * write, so an interrupted download leaves a file that resumes cleanly.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOhlcvFile } from '../exchange/market-data/replay';
import { timeframeMs } from '../exchange/market-data/common';

/** The part of a ccxt exchange the download uses. */
export interface OhlcvExchange {
  id: string;
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Array<Array<number | undefined>>>;
}

export interface OhlcvDownload {
  exchange: OhlcvExchange;
  symbols: string[];
  timeframe: string;
  since: number;
  until: number;
  outDir: string;
  /** candles per request (default 1000) */
  pageSize?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export interface SymbolDownload {
  symbol: string;
  file: string;
  /** candles already in the file before this run */
  kept: number;
  added: number;
  requests: number;
}

export const csvFileFor = (outDir: string, symbol: string) => join(outDir, `${symbol.replace('/', '_')}.csv`);
const HEADER = 'timestamp,open,high,low,close,volume\n';
const num = (v: number | undefined) => (v === undefined || v === null ? '0' : String(v));

export async function downloadOhlcv(o: OhlcvDownload): Promise<SymbolDownload[]> {
  const tf = timeframeMs(o.timeframe);
  const pageSize = o.pageSize ?? 1000;
  const now = o.now ?? Date.now;
  // existing files are checked before anything is fetched or written: a corrupt one stops the run
  const plans = o.symbols.map((symbol) => {
    const file = csvFileFor(o.outDir, symbol);
    if (!existsSync(file)) return { symbol, file, last: undefined as number | undefined, kept: 0 };
    const rows = parseOhlcvFile(readFileSync(file, 'utf8'), file);
    return { symbol, file, last: rows[rows.length - 1]!.timestamp, kept: rows.length };
  });
  mkdirSync(o.outDir, { recursive: true });
  const out: SymbolDownload[] = [];
  for (const p of plans) {
    if (p.last === undefined) writeFileSync(p.file, HEADER);
    let cursor = p.last === undefined ? o.since : p.last + tf;
    const end = Math.min(o.until, now());
    let added = 0;
    let requests = 0;
    while (cursor + tf <= end) {
      requests++;
      const page = await o.exchange.fetchOHLCV(p.symbol, o.timeframe, cursor, pageSize);
      const rows = page.filter((r) => typeof r[0] === 'number' && r[0] >= cursor && r[0] + tf <= end);
      if (!rows.length) break;
      appendFileSync(p.file, rows.map((r) => [r[0], num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5])].join(',')).join('\n') + '\n');
      added += rows.length;
      cursor = (rows[rows.length - 1]![0] as number) + tf;
      o.log?.(`${p.symbol}: ${p.kept + added} candles, up to ${new Date(cursor).toISOString()}`);
    }
    out.push({ symbol: p.symbol, file: p.file, kept: p.kept, added, requests });
  }
  return out;
}
