/**
 * strategy start | list | status, config validate, and the controls (approve, reject, pause, resume,
 * emergency-stop, limits, stop), positions. Controls use the workflow's UPDATES by default so a refusal
 * comes back with its reason; `--no-wait` sends the equivalent SIGNAL instead (fire and forget).
 */
import { Option, type Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { checkFreeText } from '../lib/free-text';
import { CliError, oneLine, type Ctx } from '../context';
import { readStructured } from '../lib/files';
import { duration, isoTime, num, table } from '../lib/table';
import { startStrategyWorkflow, dailyReportScheduleId } from '../../client/strategy-client';
import { checkStrategyId, isNotFound, notFound, requireRunning, strategyHandle, withTimeout, workflowUiUrl } from '../lib/temporal';
import { ConfigError, parseStrategyConfig, strategyConfigSchema } from '../../config/strategy-config';
import type { StrategyConfig } from '../../domain/config-types';
import {
  approveSignal,
  approveUpdate,
  emergencyStopSignal,
  emergencyStopUpdate,
  openPositionsQuery,
  pauseSignal,
  pauseUpdate,
  rejectSignal,
  rejectUpdate,
  resumeSignal,
  resumeUpdate,
  statusQuery,
  stopStrategySignal,
  strategyWorkflowId,
  updateLimitsSignal,
  updateLimitsUpdate,
  type LimitsUpdate,
  type OpenPositionInfo,
  type StrategyStatus,
} from '../../workflows/strategy/api';
import { StrategyIdKey, StrategyStateKey, TradingModeKey } from '../../workflows/search-attributes';
import { d, toStr } from '../../domain/money';

const BIN = 'unlock-trader';

export function loadConfigFile(file: string): StrategyConfig {
  const raw = readStructured(file);
  try {
    return parseStrategyConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`${e.message.replace(/^invalid strategy config: /, `invalid strategy config ${file}: `)}`);
    throw e;
  }
}

function timeoutMs(opts: { timeout?: string }): number {
  const s = Number(opts.timeout ?? '30');
  if (!Number.isFinite(s) || s <= 0) throw new CliError(`--timeout must be a positive number of seconds, got "${opts.timeout}"`);
  return s * 1000;
}

const timeoutOption = () => new Option('--timeout <seconds>', 'how long to wait for the workflow to answer').default('30');

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

  strategy
    .command('list')
    .description('list strategy workflows (Temporal visibility: WorkflowType="strategyWorkflow")')
    .option('--running', 'only running workflows')
    .option('--json', 'print as JSON')
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
        ctx.out(table(['POSITION', 'SYMBOL', 'STATUS', 'MODE', 'QTY', 'ENTRY', 'NOTIONAL', 'OPENED'], open.map((p) => [p.positionId, p.symbol, p.status, p.mode, p.quantity, p.entryPrice, p.notional, isoTime(p.openedAt)])));
      ctx.out('');
      ctx.out(`closed positions (${closed.length}), realized P&L ${totalPnl}`);
      if (closed.length)
        ctx.out(table(['POSITION', 'SYMBOL', 'MODE', 'QTY', 'ENTRY', 'EXIT', 'FEES', 'P&L', 'REASON', 'CLOSED'], closed.map((c) => [c.positionId, c.symbol, c.mode, c.quantity, c.entryPrice, c.exitPrice, c.fees, c.pnl, c.exitReason, c.closedAt])));
    });

  // ------------------------------------------------------------------ controls
  interface ControlSpec<A> {
    update: UpdateDefinition<StrategyStatus, [A]>;
    signal: SignalDefinition<[A]>;
    /** "approval refused: <reason>" */
    refusal: string;
    args: A;
    done(st: StrategyStatus): string;
  }
  const control = async <A>(id: string, opts: { wait?: boolean; timeout?: string }, spec: ControlSpec<A>) => {
    checkFreeText(spec.args as Parameters<typeof checkFreeText>[0]); // before anything connects
    const ms = timeoutMs(opts);
    const { handle, desc } = await strategyHandle(ctx, id);
    requireRunning(id, desc);
    if (opts.wait === false) {
      try {
        await handle.signal(spec.signal, spec.args);
      } catch (e) {
        if (isNotFound(e)) throw notFound(id);
        throw new CliError(`could not send ${spec.signal.name} to ${desc.workflowId}: ${oneLine(e)}`);
      }
      ctx.out(`sent signal "${spec.signal.name}" to ${desc.workflowId} (not waiting; a refusal shows as "last refusal" in: ${BIN} strategy status ${id})`);
      return;
    }
    let st: StrategyStatus;
    try {
      st = await withTimeout(handle.executeUpdate(spec.update, { args: [spec.args] }), ms, `${spec.update.name} update of ${desc.workflowId}`);
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError) throw new CliError(`${spec.refusal} refused: ${oneLine(e.cause?.message ?? e.message)}`);
      if (e instanceof CliError) throw new CliError(`${e.message} (is a worker polling task queue ${desc.taskQueue}?)`);
      if (isNotFound(e)) throw notFound(id);
      throw new CliError(`${spec.update.name} failed: ${oneLine(e)}`);
    }
    ctx.out(spec.done(st));
  };
  const waitOptions = (c: Command) => c.option('--no-wait', 'send the signal instead of the update: do not wait for the answer').addOption(timeoutOption());
  const nonEmpty = (what: string, v: string | undefined) => {
    if (v !== undefined && !v.trim()) throw new CliError(`${what} must not be empty`);
  };

  waitOptions(
    program
      .command('approve')
      .description('approve the promotion the gate is waiting for (or resume after an emergency stop cooldown)')
      .argument('<id>', 'strategy id')
      .requiredOption('--by <name>', 'who approves (recorded in the audit log)')
      .option('--note <text>', 'free text kept with the approval'),
  ).action(async (id: string, o: { by: string; note?: string; wait?: boolean; timeout?: string }) => {
    nonEmpty('--by', o.by);
    await control(id, o, { update: approveUpdate, signal: approveSignal, refusal: 'approval', args: { by: o.by, ...(o.note ? { note: o.note } : {}) }, done: (st) => `approved by ${o.by}: strategy ${id} is now ${st.mode} (${st.state})` });
  });

  waitOptions(
    program
      .command('reject')
      .description('reject the promotion the gate is waiting for (a new validation period starts)')
      .argument('<id>', 'strategy id')
      .requiredOption('--by <name>', 'who rejects')
      .option('--note <text>', 'why'),
  ).action(async (id: string, o: { by: string; note?: string; wait?: boolean; timeout?: string }) => {
    nonEmpty('--by', o.by);
    await control(id, o, { update: rejectUpdate, signal: rejectSignal, refusal: 'rejection', args: { by: o.by, ...(o.note ? { note: o.note } : {}) }, done: (st) => `promotion rejected by ${o.by}: strategy ${id} stays ${st.mode}` });
  });

  waitOptions(
    program
      .command('pause')
      .description('stop opening new positions (open positions keep their exits)')
      .argument('<id>', 'strategy id')
      .option('--by <name>', 'who pauses')
      .option('--reason <text>', 'why'),
  ).action(async (id: string, o: { by?: string; reason?: string; wait?: boolean; timeout?: string }) => {
    await control(id, o, { update: pauseUpdate, signal: pauseSignal, refusal: 'pause', args: { ...(o.by ? { by: o.by } : {}), ...(o.reason ? { reason: o.reason } : {}) }, done: (st) => `strategy ${id} is ${st.state} (mode ${st.mode})` });
  });

  waitOptions(
    program
      .command('resume')
      .description('resume a paused strategy (after an emergency stop: once the cooldown has passed)')
      .argument('<id>', 'strategy id')
      .requiredOption('--by <name>', 'who resumes'),
  ).action(async (id: string, o: { by: string; wait?: boolean; timeout?: string }) => {
    nonEmpty('--by', o.by);
    await control(id, o, { update: resumeUpdate, signal: resumeSignal, refusal: 'resume', args: { by: o.by }, done: (st) => `strategy ${id} is ${st.state} (mode ${st.mode})` });
  });

  waitOptions(
    program
      .command('emergency-stop')
      .description('halt trading now: every open position exits at market; resuming needs the cooldown and an approval')
      .argument('<id>', 'strategy id')
      .requiredOption('--reason <text>', 'why (recorded in the audit log)')
      .option('--by <name>', 'who stops'),
  ).action(async (id: string, o: { reason: string; by?: string; wait?: boolean; timeout?: string }) => {
    nonEmpty('--reason', o.reason);
    await control(id, o, {
      update: emergencyStopUpdate,
      signal: emergencyStopSignal,
      refusal: 'emergency stop',
      args: { reason: o.reason, ...(o.by ? { by: o.by } : {}) },
      done: (st) => `strategy ${id} is in ${st.mode}: exits dispatched; cooldown until ${isoTime(st.emergency?.cooldownUntil)}, then: ${BIN} approve ${id} --by <name>`,
    });
  });

  waitOptions(
    program
      .command('limits')
      .description('change risk limits of a running strategy, e.g. --set risk.maxOpenPositions=3 --set ladder.PAPER.riskPerTradePct=0.25')
      .argument('<id>', 'strategy id')
      .option('--set <path=value>', 'risk.<field>=<value> or ladder.<MODE>.<field>=<value> (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .option('--by <name>', 'who changes them'),
  ).action(async (id: string, o: { set: string[]; by?: string; wait?: boolean; timeout?: string }) => {
    checkStrategyId(id);
    const update = parseLimitSets(o.set); // validated before anything connects
    if (o.by) update.by = o.by;
    await control(id, o, {
      update: updateLimitsUpdate,
      signal: updateLimitsSignal,
      refusal: 'limits update',
      args: update,
      done: (st) => `limits updated for strategy ${id}: ${o.set.join(', ')} (active rung limits: risk/trade ${st.limits.riskPerTradePct} %, max exposure ${st.limits.maxExposurePct} %, daily loss ${st.limits.dailyLossPct} %)`,
    });
  });

  program
    .command('stop')
    .description('stop the strategy: open positions exit at market, then the workflow completes (signal stopStrategy)')
    .argument('<id>', 'strategy id')
    .option('--by <name>', 'who stops')
    .option('--reason <text>', 'why')
    .option('--wait', 'wait until the workflow has completed')
    .addOption(timeoutOption().default('120'))
    .action(async (id: string, o: { by?: string; reason?: string; wait?: boolean; timeout?: string }) => {
      checkFreeText(o);
      const ms = timeoutMs(o);
      const { handle, desc } = await strategyHandle(ctx, id);
      requireRunning(id, desc);
      try {
        await handle.signal(stopStrategySignal, { ...(o.by ? { by: o.by } : {}), ...(o.reason ? { reason: o.reason } : {}) });
      } catch (e) {
        throw new CliError(`could not signal ${desc.workflowId}: ${oneLine(e)}`);
      }
      if (!o.wait) return ctx.out(`stop requested for strategy ${id}: open positions exit at market, then the workflow completes`);
      try {
        await withTimeout(handle.result(), ms, `waiting for ${desc.workflowId} to complete`);
      } catch (e) {
        throw e instanceof CliError ? e : new CliError(`strategy ${id} did not complete cleanly: ${oneLine(e)}`);
      }
      ctx.out(`strategy ${id} stopped`);
    });
}

/** `--set` entries → a LimitsUpdate, each value validated with the config schema's own field shapes. */
export function parseLimitSets(sets: string[]): LimitsUpdate {
  if (!sets.length) throw new CliError('nothing to change: give at least one --set risk.<field>=<value> or --set ladder.<MODE>.<field>=<value>');
  const shape = strategyConfigSchema.shape;
  const riskShape = shape.risk.unwrap().shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ message: string }> } } }>;
  const ladderShape = shape.ladder.unwrap().shape as Record<string, { unwrap(): { shape: Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ message: string }> } } }> } }>;
  const update: LimitsUpdate = {};
  const parseValue = (path: string, field: { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ message: string }> } } }, raw: string) => {
    let r = field.safeParse(raw);
    if (!r.success && /^-?\d+(\.\d+)?$/.test(raw)) r = field.safeParse(Number(raw));
    if (!r.success) throw new CliError(`--set ${path}=${raw}: ${r.error?.issues.map((i) => i.message).join('; ')}`);
    if (r.data === undefined || r.data === null) throw new CliError(`--set ${path}: a value is required`);
    return r.data;
  };
  for (const s of sets) {
    const m = /^([A-Za-z0-9_.]+)=(.*)$/.exec(s.trim());
    if (!m) throw new CliError(`--set "${s}": expected <path>=<value>, e.g. risk.maxOpenPositions=3`);
    const [, path, rawValue] = m as unknown as [string, string, string];
    const raw = rawValue.trim();
    if (!raw) throw new CliError(`--set ${path}: a value is required`);
    const parts = path.split('.');
    if (parts[0] === 'risk' && parts.length === 2) {
      const field = riskShape[parts[1]!];
      if (!field) throw new CliError(`--set ${path}: risk has no field "${parts[1]}" (fields: ${Object.keys(riskShape).join(', ')})`);
      const v = parseValue(path, field, raw);
      if (typeof v === 'string' ? !(d(v).gt(0)) : !((v as number) > 0)) throw new CliError(`--set ${path}=${raw}: must be greater than 0`);
      update.risk = { ...update.risk, [parts[1]!]: v };
    } else if (parts[0] === 'ladder' && parts.length === 3) {
      const rung = ladderShape[parts[1]!];
      if (!rung) throw new CliError(`--set ${path}: "${parts[1]}" is not a mode of the ladder (${Object.keys(ladderShape).join(', ')})`);
      const field = rung.unwrap().shape[parts[2]!];
      if (!field) throw new CliError(`--set ${path}: a ladder rung has no field "${parts[2]}" (fields: ${Object.keys(rung.unwrap().shape).join(', ')})`);
      const v = parseValue(path, field, raw);
      const ladder = (update.ladder ??= {}) as Record<string, Record<string, unknown>>;
      ladder[parts[1]!] = { ...ladder[parts[1]!], [parts[2]!]: v };
    } else {
      throw new CliError(`--set ${path}: only risk.<field> and ladder.<MODE>.<field> can change at run time`);
    }
  }
  return update;
}

function printStatus(ctx: Ctx, st: StrategyStatus, workflowId: string, wfStatus: string): void {
  const now = Date.now();
  const row = (k: string, v: string) => ctx.out(`${k.padEnd(15)}${v}`);
  ctx.out(`strategy ${st.strategyId}${st.name ? ` (${st.name})` : ''}: workflow ${workflowId} ${wfStatus}`);
  row('mode', `${st.mode} since ${isoTime(st.modeSince)} (${duration(now - st.modeSince)} ago)`);
  row('state', st.state);
  row('limits', `risk/trade ${st.limits.riskPerTradePct} % · max exposure ${st.limits.maxExposurePct} % · daily loss ${st.limits.dailyLossPct} %`);
  const g = st.gate;
  if (g.kind === 'NONE') row('gate', st.mode === 'EMERGENCY_STOP' ? 'none while in EMERGENCY_STOP' : 'none (top of the ladder)');
  else {
    const head = `${g.kind === 'PAPER' ? 'paper gate' : 'live step gate'} → ${g.nextMode}`;
    if (!g.result) row('gate', `${head}: not evaluated yet${g.nextEvaluationAt ? `; evaluates at ${isoTime(g.nextEvaluationAt)}` : ''}`);
    else {
      row('gate', `${head}: ${g.result.passed ? 'PASSED' : 'NOT PASSED'} at ${isoTime(g.evaluatedAt)}${g.awaitingApproval ? ' — awaiting approval' : ''}${g.nextEvaluationAt ? `; next evaluation ${isoTime(g.nextEvaluationAt)}` : ''}`);
      ctx.out(
        table(
          ['  CRITERION', 'VALUE', 'NEEDS', 'PASSED'],
          g.result.criteria.map((c) => [`  ${c.name}`, `${c.unit === 'ms' ? duration(Number(c.value)) : c.value}${c.unit === '%' ? ' %' : ''}`, `${c.op} ${c.unit === 'ms' ? duration(Number(c.threshold)) : c.threshold}${c.unit === '%' ? ' %' : ''}`, c.passed ? 'yes' : 'NO']),
        ),
      );
    }
    if (g.kind === 'PAPER') row('gate basis', gateBasisText(g.result ? (g.result.basis ?? 'per-trade') : undefined));
    if (g.awaitingApproval) row('approval', `waiting: ${BIN} approve ${st.strategyId} --by <name>  or  ${BIN} reject ${st.strategyId} --by <name>`);
  }
  const r = st.risk;
  const peak = d(r.peakEquity);
  const dd = peak.gt(0) ? toStr(peak.minus(d(r.equity)).div(peak).times(100).toDecimalPlaces(4)) : '0';
  row('risk', `equity ${num(r.equity)} (peak ${num(r.peakEquity)}, drawdown ${dd} %) · P&L day ${num(r.dailyPnl)} / week ${num(r.weeklyPnl)} / month ${num(r.monthlyPnl)}`);
  row('', `consecutive losses ${r.consecutiveLosses} · open exposure ${r.openExposure} in ${r.openPositions} position(s) · exchange latency ${r.lastLatencyMs === null ? '-' : `${r.lastLatencyMs} ms`}`);
  if (st.emergency) {
    const e = st.emergency;
    row('emergency', `since ${isoTime(e.at)}: ${e.reason}`);
    row('', `triggers: ${e.triggers.map((t) => `${t.code} ${t.message}`).join('; ') || '-'}`);
    row('cooldown', e.cooldownUntil > now ? `until ${isoTime(e.cooldownUntil)} (${duration(e.cooldownUntil - now)} left), then resumes to ${e.resumeMode} with an approval` : `over; ${BIN} approve ${st.strategyId} --by <name> resumes ${e.resumeMode}`);
  } else row('emergency', 'none');
  row('positions', `${st.openPositions} open · ${st.closedTrades} closed trades`);
  row('last refusal', st.lastRefusal ? `${isoTime(st.lastRefusal.at)} ${st.lastRefusal.command}: ${st.lastRefusal.reason}` : 'none');
}

/** Which figures the paper gate's Sharpe and drawdown come from (before the first evaluation: the config's gate.basis, default daily). */
function gateBasisText(basis: 'daily' | 'per-trade' | undefined): string {
  if (basis === 'per-trade') return 'per-trade: Sharpe and drawdown over closed trades, not annualised';
  const daily = 'daily: Sharpe (×√365) and drawdown on daily mark-to-market equity';
  return basis ? daily : `${daily} unless the config sets gate.basis per-trade (shown after the first evaluation)`;
}
