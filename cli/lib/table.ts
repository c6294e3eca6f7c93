import type { Command } from 'commander';
import { d } from '../../domain/money';
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
 * Display form of an exact decimal string: at most 8 decimal places (terminal tables only; --json and
 * reports keep every digit). Anything that is not a plain decimal is returned unchanged.
 */
export function num(s: string): string {
  const m = /^(-?\d+)\.(\d{9,})$/.exec(s);
  if (!m) return s;
  return d(s).toDecimalPlaces(8).toFixed();
}

/** A listing command: it prints a table, or JSON with --json (every listing takes the flag the same way). */
export function listing(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).option('--json', 'print as JSON');
}
