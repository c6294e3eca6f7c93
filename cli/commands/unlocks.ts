/**
 * unlocks import | list — the token unlock calendar.
 *
 * IMPORT POLICY (documented in --help and the README):
 *   - every row is validated (id, symbol BASE/QUOTE, unlockAt ISO 8601 with a time zone, unlockAmount
 *     and circulatingSupply positive decimals, optional source); ids must be unique within the file;
 *   - each bad row is reported by its location: CSV "line N" (the physical line, header = line 1),
 *     JSON "item N" (array index + 1);
 *   - by default NOTHING is imported when any row is bad (exit 1);
 *   - with --skip-invalid the valid rows are imported and the bad ones reported (exit 0);
 *   - the file is streamed, never held whole (cli/lib/unlock-import.ts): checked in a first pass, then
 *     the valid rows are written in batches inside ONE database transaction: all of them or none;
 *   - an id that already exists is updated (re-importing a file is idempotent);
 *   - an event more than MAX_PAST_DAYS in the past is a bad row (refused, not warned about): a live
 *     calendar holds coming unlocks, and a date like 1970 is a broken export (issue 17, defect 11); the
 *     last days' events stay importable, since a calendar file often still lists them. Backtests read
 *     past calendars from their own file (`backtest --unlocks`), without this rule.
 */
import type { Command } from 'commander';
import { CliError, oneLine, type Ctx } from '../context';
import { isoTime, listing, table } from '../lib/table';
import { MAX_PAST_DAYS, scanUnlockFile, writeUnlockRows } from '../lib/unlock-import';
import { d, toStr } from '../../domain/money';
import { formatPct } from '../../domain/format';

export function registerUnlockCommands(program: Command, ctx: Ctx): void {
  const unlocks = program.command('unlocks').description('the token unlock calendar');

  unlocks
    .command('import')
    .description('import unlock events from a CSV or JSON file (validated; one transaction; re-import updates by id)')
    .argument('<file>', '.csv with header id,symbol,unlockAt,unlockAmount,circulatingSupply[,source] — or a .json array of such objects')
    .option('--skip-invalid', 'import the valid rows and report the bad ones (default: import nothing when any row is bad)')
    .option('--dry-run', 'validate and report only; write nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Policy: every bad row is reported by location (CSV: "line N", the physical line with the header as
line 1; JSON: "item N", array index + 1). By default NOTHING is imported when any row is bad (exit 1).
With --skip-invalid only the valid rows are imported (exit 0). The rows are written in one database
transaction (never a partial import); an id that already exists is updated, so re-importing is
idempotent; the same id twice in one file makes both rows bad. An unlock more than ${MAX_PAST_DAYS} days in
the past is a bad row (a live calendar holds coming unlocks; backtests take theirs with --unlocks).`,
    )
    .action(async (file: string, o: { skipInvalid?: boolean; dryRun?: boolean; json?: boolean }) => {
      const now = Date.now();
      const scan = await scanUnlockFile(file, now);
      const { valid, invalid } = scan;
      const report = (imported: number, created: number, updated: number) =>
        o.json ? ctx.json({ file, imported, created, updated, valid, invalid: invalid.map((p) => ({ where: p.where, problems: p.problems })) }) : undefined;
      if (!o.json) for (const p of invalid) ctx.out(`${file} ${p.where}: ${p.problems.join('; ')}`);
      if (invalid.length && !o.skipInvalid) {
        report(0, 0, 0);
        throw new CliError(`${invalid.length} invalid row(s) in ${file}: nothing imported (fix them, or use --skip-invalid to import the ${valid} valid row(s))`);
      }
      if (!valid) {
        report(0, 0, 0);
        throw new CliError(`${file}: no valid rows to import`);
      }
      if (o.dryRun) {
        if (!o.json) ctx.out(`dry run: ${valid} valid row(s) would be imported, ${invalid.length} skipped`);
        return void report(0, 0, 0);
      }
      const db = await ctx.database();
      let written: { created: number; updated: number };
      try {
        written = await writeUnlockRows(db, file, scan, now);
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError(`import failed, nothing imported: ${oneLine(e)}`);
      }
      const { created, updated } = written;
      if (o.json) return void report(valid, created, updated);
      ctx.out(`imported ${valid} unlock event(s) from ${file} (${created} new, ${updated} updated)${invalid.length ? `; skipped ${invalid.length} invalid row(s)` : ''}`);
    });

  listing(unlocks, 'list', 'list unlock events in the database')
    .option('--upcoming', 'only events whose unlock is in the future')
    .action(async (o: { upcoming?: boolean; json?: boolean }) => {
      const db = await ctx.database();
      const rows = await db.unlockEvent.findMany({ where: o.upcoming ? { unlockAt: { gte: new Date() } } : {}, orderBy: [{ unlockAt: 'asc' }, { id: 'asc' }] });
      const out = rows.map((r) => {
        const amount = r.unlockAmount.toString();
        const supply = r.circulatingSupply.toString();
        return {
          id: r.id,
          symbol: r.symbol,
          unlockAt: r.unlockAt.toISOString(),
          unlockAmount: amount,
          circulatingSupply: supply,
          unlockPct: d(supply).gt(0) ? toStr(d(amount).div(d(supply)).times(100).toDecimalPlaces(4)) : null,
          source: r.source,
          importedAt: r.importedAt.toISOString(),
        };
      });
      if (o.json) return ctx.json(out);
      if (!out.length) return ctx.out('no unlock events; import some with: unlock-trader unlocks import examples/unlocks-sample.csv');
      ctx.out(table(['ID', 'SYMBOL', 'UNLOCK AT', 'AMOUNT', 'SUPPLY', 'UNLOCK %', 'SOURCE'], out.map((r) => [r.id, r.symbol, isoTime(Date.parse(r.unlockAt)), r.unlockAmount, r.circulatingSupply, r.unlockPct === null ? null : formatPct(r.unlockPct), r.source])));
    });
}
