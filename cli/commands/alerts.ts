/** alerts [--strategy id] [--unacked] [--json]; alerts ack <alertId...> --by <name> */
import type { Command } from 'commander';
import { CliError, type Ctx } from '../context';
import { checkFreeText } from '../lib/free-text';
import { isoTime, table } from '../lib/table';
import { deliveryStates, notifiedText } from '../../read-models/alert-deliveries';

const SEVERITIES = ['info', 'warning', 'error', 'critical'];

export function registerAlertCommands(program: Command, ctx: Ctx): void {
  const alerts = program
    .command('alerts')
    .description('list alerts (newest first); "alerts ack" acknowledges them')
    .option('--strategy <id>', 'only this strategy')
    .option('--unacked', 'only alerts not yet acknowledged')
    .option('--severity <level>', `at least this severity (${SEVERITIES.join(' < ')})`)
    .option('--limit <n>', 'at most this many', '200')
    .option('--json', 'print as JSON')
    .action(async (o: { strategy?: string; unacked?: boolean; severity?: string; limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive integer, got "${o.limit}"`);
      if (o.severity && !SEVERITIES.includes(o.severity)) throw new CliError(`--severity must be one of ${SEVERITIES.join(', ')}, got "${o.severity}"`);
      const db = await ctx.database();
      const rows = await db.alert.findMany({
        where: {
          ...(o.strategy ? { strategyId: o.strategy } : {}),
          ...(o.unacked ? { acknowledged: false } : {}),
          ...(o.severity ? { severity: { in: SEVERITIES.slice(SEVERITIES.indexOf(o.severity)) } } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
        take: limit,
      });
      const deliveries = await deliveryStates(db, rows.map((r) => r.id));
      const out = rows.map((a) => ({
        id: a.id,
        createdAt: a.createdAt.toISOString(),
        severity: a.severity,
        strategyId: a.strategyId,
        kind: a.kind,
        message: a.message,
        details: a.detailsJson ? (JSON.parse(a.detailsJson) as unknown) : null,
        acknowledged: a.acknowledged,
        acknowledgedBy: a.acknowledgedBy,
        acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
        notifications: deliveries.get(a.id) ?? [],
      }));
      if (o.json) return ctx.json(out);
      if (!out.length) return ctx.out(`no ${o.unacked ? 'unacknowledged ' : ''}alerts${o.strategy ? ` for strategy ${o.strategy}` : ''}`);
      ctx.out(table(['ID', 'TIME', 'SEVERITY', 'STRATEGY', 'KIND', 'ACK', 'NOTIFIED', 'MESSAGE'], out.map((a) => [a.id, isoTime(Date.parse(a.createdAt)), a.severity.toUpperCase(), a.strategyId, a.kind, a.acknowledged ? a.acknowledgedBy : 'no', notifiedText(a.notifications), a.message])));
    });

  alerts
    .command('ack')
    .description('acknowledge alerts by id (all or none: an unknown id acknowledges nothing)')
    .argument('<alertId...>', 'alert ids as listed by "alerts"')
    .requiredOption('--by <name>', 'who acknowledges')
    .action(async (ids: string[], o: { by: string }) => {
      if (!o.by.trim()) throw new CliError('--by must not be empty');
      checkFreeText(o);
      const db = await ctx.database();
      const unique = [...new Set(ids)];
      const found = await db.alert.findMany({ where: { id: { in: unique } }, select: { id: true, acknowledged: true } });
      const missing = unique.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw new CliError(`no alert ${missing.map((m) => `"${m}"`).join(', ')}: nothing acknowledged`);
      const at = new Date();
      const todo = found.filter((f) => !f.acknowledged).map((f) => f.id);
      if (todo.length) await db.alert.updateMany({ where: { id: { in: todo }, acknowledged: false }, data: { acknowledged: true, acknowledgedBy: o.by, acknowledgedAt: at } });
      const already = unique.length - todo.length;
      ctx.out(`acknowledged ${todo.length} alert(s) by ${o.by}${already ? ` (${already} already acknowledged)` : ''}`);
    });
}
