/**
 * A generated unlock calendar of any length, written to disk in chunks (never built whole in memory):
 * the large-import tests and the import benchmark (bench/unlock-import.ts). Row i (1-based) is
 * `gen-<i>`, one minute after the previous, on one of a few symbols; `badAt` makes that row's symbol
 * invalid.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const CALENDAR_HEADER = 'id,symbol,unlockAt,unlockAmount,circulatingSupply,source';
const SYMBOLS = ['ARB/USDT', 'OP/USDT', 'APT/USDT', 'SUI/USDT', 'STRK/USDT', 'TIA/USDT'];

export interface CalendarSpec {
  rows: number;
  /** epoch ms of row 1's unlock (default: 2030-01-01) */
  from?: number;
  /** this row (1-based) gets a symbol that fails validation */
  badAt?: number;
  format?: 'csv' | 'json';
}

export function calendarRow(i: number, spec: CalendarSpec) {
  return {
    id: `gen-${i}`,
    symbol: i === spec.badAt ? 'not-a-symbol' : SYMBOLS[i % SYMBOLS.length]!,
    unlockAt: new Date((spec.from ?? Date.UTC(2030, 0, 1)) + i * 60_000).toISOString(),
    unlockAmount: String(1_000_000 + i),
    circulatingSupply: '100000000',
    source: 'generated',
  };
}

export async function writeCalendar(file: string, spec: CalendarSpec): Promise<void> {
  const out = createWriteStream(file);
  const json = spec.format === 'json';
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(json ? '[\n' : `${CALENDAR_HEADER}\n`);
  let chunk = '';
  for (let i = 1; i <= spec.rows; i++) {
    const r = calendarRow(i, spec);
    chunk += json ? `${i > 1 ? ',\n' : ''}${JSON.stringify(r)}` : `${r.id},${r.symbol},${r.unlockAt},${r.unlockAmount},${r.circulatingSupply},${r.source}\n`;
    if (i % 1000 === 0) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk + (json ? '\n]\n' : ''));
  out.end();
  await once(out, 'finish');
}
