import type { Command } from 'commander';
import { formatFigure } from '../../domain/format';
/** Plain-text tables and value formatting for terminal output. */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : num(String(c)))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function isoTime(ms: number | Date | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  const t = ms instanceof Date ? ms.getTime() : ms;
  return Number.isFinite(t) ? new Date(t).toISOString() : '-';
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h}h` : `${Math.round(h / 24)}d`;
}

/**
 * Display form of a table cell nobody formatted: a raw decimal with 9+ decimal places reads as a figure
 * (domain/format.ts formatFigure, 6 significant digits). Commands format prices, quantities, money and
 * percentages themselves (formatPrice / formatQty / formatMoney / formatPct); --json keeps every digit.
 */
export function num(s: string): string {
  return /^-?\d+\.\d{9,}$/.test(s) ? formatFigure(s) : s;
}

/** A listing command: it prints a table, or JSON with --json (every listing takes the flag the same way). */
export function listing(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).option('--json', 'print as JSON');
}
