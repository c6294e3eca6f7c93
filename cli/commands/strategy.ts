/**
 * strategy start | list | status, config validate, positions. The controls of a running strategy
 * (approve, reject, pause, resume, emergency-stop, limits, stop) are in controls.ts.
 */
import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { CliError, oneLine, type Ctx } from '../context';
import { readStructured } from '../lib/files';
import { duration, isoTime, listing, table } from '../lib/table';
import { formatMoney, formatPrice, formatQty } from '../../domain/format';
import { knownStep, knownTick } from '../../exchange/market-data/markets';
import { startStrategyWorkflow, dailyReportScheduleId } from '../../client/strategy-client';
import { BIN, checkStrategyId, notFound, strategyHandle, timeoutMs, timeoutOption, withTimeout, workflowUiUrl } from '../lib/temporal';
import { printStatus } from '../lib/strategy-status-view';
import { ConfigError, parseStrategyConfig } from '../../config/strategy-config';
import type { StrategyConfig } from '../../domain/config-types';
import {
  openPositionsQuery,
  statusQuery,
  strategyWorkflowId,
  type OpenPositionInfo,
  type StrategyStatus,
} from '../../workflows/strategy/api';
import { StrategyIdKey, StrategyStateKey, TradingModeKey } from '../../workflows/search-attributes';
import { d, toStr } from '../../domain/money';

export function loadConfigFile(file: string): StrategyConfig {
  const raw = readStructured(file);
  try {
    return parseStrategyConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`${e.message.replace(/^invalid strategy config: /, `invalid strategy config ${file}: `)}`);
    throw e;
  }
}

export function registerStrategyCommands(program: Command, ctx: Ctx): void {
  const strategy = program.command('strategy').description('start, list and inspect strategy workflows');

  strategy
    .command('start')
    .description('validate a strategy config (JSON or YAML) and start its workflow; refuses a duplicate')
    .argument('<config-file>', 'strategy config, .json or .yaml (see examples/)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const config = loadConfigFile(file); // validated BEFORE anything connects
      const { loadAppEnv } = await import('../../config/env');
      const taskQueue = loadAppEnv().TRADER_TASK_QUEUE;
      const id = config.strategyId;
      const workflowId = strategyWorkflowId(id);
      const client = await ctx.temporal();
      let runId: string;
      try {
        ({ runId } = await startStrategyWorkflow(client, config, taskQueue));
      } catch (e) {
        if (e instanceof WorkflowExecutionAlreadyStartedError) throw new CliError(`strategy ${id} is already running (workflow ${workflowId})`);
        throw new CliError(`could not start strategy ${id}: ${oneLine(e)}`);
      }
      const ui = workflowUiUrl(await ctx.namespace(), workflowId);
      if (opts.json) return ctx.json({ strategyId: id, workflowId, runId, taskQueue, mode: 'PAPER', webUi: ui });
      ctx.out(`started strategy ${id}${config.name ? ` (${config.name})` : ''}: workflow ${workflowId}, run ${runId}, task queue ${taskQueue}, mode PAPER`);
      ctx.out(`Web UI: ${ui}`);
      ctx.out(`daily report: Temporal Schedule ${dailyReportScheduleId(id)} (every ${duration(config.timing.tradingDay)})`);
      ctx.out('next:');
      ctx.out(`  ${BIN} strategy status ${id}            mode, gate progress, limits, risk`);
      ctx.out(`  ${BIN} positions ${id}                  open and closed positions with P&L`);
      ctx.out(`  ${BIN} approve ${id} --by <name>        promote once the paper gate has passed`);
      ctx.out(`  ${BIN} pause ${id}  /  ${BIN} resume ${id} --by <name>`);
      ctx.out(`  ${BIN} emergency-stop ${id} --reason "<why>"`);
      ctx.out(`  ${BIN} stop ${id}                       exit open positions and end the strategy`);
    });

  listing(strategy, 'list', 'list strategy workflows (Temporal visibility: WorkflowType="strategyWorkflow")')
    .option('--running', 'only running workflows')
    .action(async (opts: { running?: boolean; json?: boolean }) => {
      const client = await ctx.temporal();
      const query = `WorkflowType="strategyWorkflow"${opts.running ? ' AND ExecutionStatus="Running"' : ''}`;
      const rows: Array<{ id: string; workflowId: string; name: string | null; mode: string | null; state: string | null; status: string; startTime: string; closeTime: string | null }> = [];
      try {
        for await (const wf of client.workflow.list({ query })) {
          const memo = (wf.memo ?? {}) as { strategyName?: string };
          rows.push({
            id: wf.typedSearchAttributes.get(StrategyIdKey) ?? wf.workflowId.replace(/^strategy-/, ''),
            workflowId: wf.workflowId,
            name: memo.strategyName ?? null,
            mode: wf.typedSearchAttributes.get(TradingModeKey) ?? null,
            state: wf.typedSearchAttributes.get(StrategyStateKey) ?? null,
            status: wf.status.name,
            startTime: wf.startTime.toISOString(),
            closeTime: wf.closeTime ? wf.closeTime.toISOString() : null,
          });
        }
      } catch (e) {
        throw new CliError(`cannot list workflows: ${oneLine(e)}`);
      }
      if (opts.json) return ctx.json(rows);
      if (!rows.length) return ctx.out(`no strategy workflows${opts.running ? ' running' : ''}; start one with: ${BIN} strategy start <config-file>`);
      ctx.out(table(['ID', 'MODE', 'STATE', 'STATUS', 'STARTED'], rows.map((r) => [r.id, r.mode, r.state, r.status, r.startTime])));
    });

  strategy
    .command('status')
    .description('mode, state, gate progress per criterion, limits, risk state, emergency, last refusal')
    .argument('<id>', 'strategy id')
    .option('--json', 'print the raw status as JSON')
    .addOption(timeoutOption())
    .action(async (id: string, opts: { json?: boolean; timeout?: string }) => {
      const ms = timeoutMs(opts);
      const { handle, desc } = await strategyHandle(ctx, id);
      let st: StrategyStatus;
      try {
        st = await withTimeout(handle.query(statusQuery), ms, `status query of ${desc.workflowId}`);
      } catch (e) {
        throw e instanceof CliError ? new CliError(`${e.message} (is a worker polling task queue ${desc.taskQueue}?)`) : new CliError(`cannot query strategy "${id}": ${oneLine(e)}`);
      }
      if (opts.json) return ctx.json({ workflowId: desc.workflowId, workflowStatus: desc.status.name, ...st });
      printStatus(ctx, st, desc.workflowId, desc.status.name);
    });

  program
    .command('config')
    .description('strategy config files')
    .command('validate')
    .description('validate a strategy config and print it normalized (defaults filled, durations in ms)')
    .argument('<file>', 'strategy config, .json or .yaml')
    .action(async (file: string) => {
      const config = loadConfigFile(file);
      ctx.json(config);
    });

  program
    .command('positions')
    .description('open positions (workflow query) and closed positions with P&L (database)')
    .argument('<id>', 'strategy id')
    .option('--json', 'print as JSON')
    .addOption(timeoutOption())
    .action(async (id: string, opts: { json?: boolean; timeout?: string }) => {
      checkStrategyId(id);
      const ms = timeoutMs(opts);
      const db = await ctx.database();
      let open: Array<OpenPositionInfo & { source: string }> = [];
      let running = false;
      try {
        const { handle, desc } = await strategyHandle(ctx, id);
        running = desc.status.name === 'RUNNING';
        if (running) {
          const q = await withTimeout(handle.query(openPositionsQuery), ms, `openPositions query of ${desc.workflowId}`).catch((e: unknown) => {
            throw e instanceof CliError ? new CliError(`${e.message} (is a worker polling task queue ${desc.taskQueue}?)`) : new CliError(`cannot query strategy "${id}": ${oneLine(e)}`);
          });
          open = q.map((p) => ({ ...p, source: 'workflow' }));
        }
      } catch (e) {
        // a strategy whose workflow is gone (e.g. an in-memory server was reset) is still in the DB
        if (!(e instanceof CliError && e.message === notFound(id).message)) throw e;
        if (!(await db.strategy.findUnique({ where: { id } }))) throw e;
      }
      if (!running) {
        const rows = await db.position.findMany({ where: { strategyId: id, status: { in: ['OPEN', 'ENTERING', 'EXITING'] } }, orderBy: { openedAt: 'asc' } });
        open = rows.map((r) => ({
          positionId: r.id,
          symbol: r.symbol,
          status: (r.status === 'ENTERING' ? 'ENTERING' : 'OPEN') as OpenPositionInfo['status'],
          mode: r.mode as OpenPositionInfo['mode'],
          quantity: r.quantity.toString(),
          notional: r.entryPrice ? toStr(d(r.entryPrice.toString()).times(d(r.quantity.toString()))) : '0',
          entryPrice: r.entryPrice?.toString(),
          openedAt: r.openedAt?.getTime(),
          source: 'database',
        }));
      }
      const closedRows = await db.position.findMany({ where: { strategyId: id, status: 'CLOSED' }, orderBy: { closedAt: 'asc' } });
      const closed = closedRows.map((r) => ({
        positionId: r.id,
        symbol: r.symbol,
        mode: r.mode,
        quantity: r.quantity.toString(),
        entryPrice: r.entryPrice?.toString() ?? null,
        exitPrice: r.exitPrice?.toString() ?? null,
        fees: toStr(d(r.entryFee.toString()).plus(d(r.exitFee.toString()))),
        pnl: r.realizedPnl?.toString() ?? '0',
        exitReason: r.exitReason,
        openedAt: r.openedAt?.toISOString() ?? null,
        closedAt: r.closedAt?.toISOString() ?? null,
      }));
      const totalPnl = toStr(closed.reduce((a, c) => a.plus(d(c.pnl)), d(0)));
      if (opts.json) return ctx.json({ strategyId: id, open, closed, totalRealizedPnl: totalPnl });
      ctx.out(`open positions (${open.length})${running ? '' : ' — from the database, the workflow is not running'}`);
      if (open.length)
        ctx.out(table(['POSITION', 'SYMBOL', 'STATUS', 'MODE', 'QTY', 'ENTRY', 'NOTIONAL', 'OPENED'], open.map((p) => [p.positionId, p.symbol, p.status, p.mode, formatQty(p.quantity, knownStep(p.symbol)), formatPrice(p.entryPrice, knownTick(p.symbol)), formatMoney(p.notional), isoTime(p.openedAt)])));
      ctx.out('');
      ctx.out(`closed positions (${closed.length}), realized P&L ${formatMoney(totalPnl)}`);
      if (closed.length)
        ctx.out(table(['POSITION', 'SYMBOL', 'MODE', 'QTY', 'ENTRY', 'EXIT', 'FEES', 'P&L', 'REASON', 'CLOSED'], closed.map((c) => [c.positionId, c.symbol, c.mode, formatQty(c.quantity, knownStep(c.symbol)), formatPrice(c.entryPrice, knownTick(c.symbol)), formatPrice(c.exitPrice, knownTick(c.symbol)), formatMoney(c.fees), formatMoney(c.pnl), c.exitReason, c.closedAt])));
    });

}
