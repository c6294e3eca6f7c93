/** audit verify | export — the tamper-evident audit log (hash chain, read-models/audit-chain.ts). */
import type { Command } from 'commander';
import { CliError, type Ctx } from '../context';
import { toCsv } from '../lib/csv';
import { writeOut } from '../lib/files';
import { exportAuditEntries, verifyAuditChain } from '../../read-models/audit-chain';

export function registerAuditCommands(program: Command, ctx: Ctx): void {
  const audit = program.command('audit').description('the tamper-evident audit log');

  audit
    .command('verify')
    .description('walk the hash chain; exit 1 naming every edited, deleted or reordered entry')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const db = await ctx.database();
      const { entries, problems } = await verifyAuditChain(db);
      if (o.json) ctx.json({ entries, intact: problems.length === 0, problems });
      else for (const p of problems) ctx.out(`entry ${p.seq} ${p.problem}: ${p.detail}`);
      if (problems.length) {
        const seqs = [...new Set(problems.map((p) => p.seq))];
        throw new CliError(`audit chain broken: ${problems.length} problem(s) at entr${seqs.length === 1 ? 'y' : 'ies'} ${seqs.join(', ')} of ${entries}`);
      }
      if (!o.json) ctx.out(`audit chain intact: ${entries} entries`);
    });

  audit
    .command('export')
    .description('export the audit log in chain order (payloads verbatim, so the export can be re-verified)')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--strategy <id>', 'only entries of this strategy (the export is then not a full chain)')
    .action(async (o: { format: string; out?: string; strategy?: string }) => {
      if (o.format !== 'json' && o.format !== 'csv') throw new CliError(`--format must be json or csv, got "${o.format}"`);
      const db = await ctx.database();
      const out = await exportAuditEntries(db, { strategyId: o.strategy });
      const text =
        o.format === 'json'
          ? JSON.stringify(out, null, 2) + '\n'
          : toCsv(['seq', 'entryKey', 'kind', 'strategyId', 'createdAt', 'payloadJson', 'prevHash', 'hash'], out.map((r) => [r.seq, r.entryKey, r.kind, r.strategyId, r.createdAt, r.payloadJson, r.prevHash, r.hash]));
      if (o.out) {
        writeOut(o.out, text);
        ctx.out(`exported ${out.length} audit entries as ${o.format.toUpperCase()} to ${o.out}`);
      } else ctx.io.stdout.write(text);
    });
}
