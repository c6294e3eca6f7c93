/**
 * The operator's controls of a running strategy: approve, reject, pause, resume, emergency-stop,
 * limits, stop. Each is sent as the update defined beside the workflow (workflows/strategy/api.ts),
 * so a refusal comes back with its reason; `--no-wait` sends the signal of the same name instead.
 */
import type { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { CliError, oneLine, type Ctx } from '../context';
import { isoTime } from '../lib/table';
import { checkFreeText } from '../lib/free-text';
import { BY_OPERATOR_HELP, operatorFor } from '../lib/operator';
import { approvalsPending } from '../lib/approvals-text';
import { emergencyExitsText } from '../lib/strategy-status-view';
import { BIN, checkStrategyId, isNotFound, notFound, requireRunning, strategyHandle, timeoutMs, timeoutOption, withTimeout } from '../lib/temporal';
import { strategyConfigSchema } from '../../config/strategy-config';
import { d } from '../../domain/money';
import {
  approveSignal,
  approveUpdate,
  emergencyStopSignal,
  emergencyStopUpdate,
  pauseSignal,
  pauseUpdate,
  rejectSignal,
  rejectUpdate,
  resumeSignal,
  resumeUpdate,
  stopStrategySignal,
  updateLimitsSignal,
  updateLimitsUpdate,
  type LimitsUpdate,
  type StrategyStatus,
} from '../../workflows/strategy/api';

export function registerControlCommands(program: Command, ctx: Ctx): void {
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

  // approve and reject: the operator's decision on the promotion the gate waits for
  const decisions = [
    { name: 'approve', description: 'approve the promotion the gate is waiting for (or resume after an emergency stop cooldown)', noteHelp: 'free text kept with the approval', update: approveUpdate, signal: approveSignal, refusal: 'approval', done: (id: string, by: string, st: StrategyStatus) => `approved by ${by}: strategy ${id} is now ${st.mode} (${st.state})${approvalsPending(st)}` },
    { name: 'reject', description: 'reject the promotion the gate is waiting for (a new validation period starts)', noteHelp: 'why', update: rejectUpdate, signal: rejectSignal, refusal: 'rejection', done: (id: string, by: string, st: StrategyStatus) => `promotion rejected by ${by}: strategy ${id} stays ${st.mode}` },
  ];
  for (const c of decisions) {
    waitOptions(program.command(c.name).description(c.description).argument('<id>', 'strategy id').option('--by <name>', BY_OPERATOR_HELP).option('--note <text>', c.noteHelp)).action(
      async (id: string, o: { by?: string; note?: string; wait?: boolean; timeout?: string }) => {
        checkFreeText(o); // a 100 kB --by is refused for its length, not echoed in the identity check
        const by = operatorFor(o.by);
        await control(id, o, { update: c.update, signal: c.signal, refusal: c.refusal, args: { by, ...(o.note ? { note: o.note } : {}) }, done: (st) => c.done(id, by, st) });
      },
    );
  }

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
      .option('--by <name>', BY_OPERATOR_HELP),
  ).action(async (id: string, o: { by?: string; wait?: boolean; timeout?: string }) => {
    checkFreeText(o); // a 100 kB --by is refused for its length, not echoed in the identity check
        const by = operatorFor(o.by);
    await control(id, o, { update: resumeUpdate, signal: resumeSignal, refusal: 'resume', args: { by }, done: (st) => `strategy ${id} is ${st.state} (mode ${st.mode})${approvalsPending(st)}` });
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
      done: (st) => `strategy ${id} is in ${st.mode}: ${emergencyExitsText(st.emergency?.exits)}; cooldown until ${isoTime(st.emergency?.cooldownUntil)}, then: ${BIN} approve ${id} --by <name>\n  progress of the exits: ${BIN} strategy status ${id}`,
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
      const numeric = typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));
      if (numeric && (typeof v === 'string' ? !d(v).gt(0) : !((v as number) > 0))) throw new CliError(`--set ${path}=${raw}: must be greater than 0`);
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
