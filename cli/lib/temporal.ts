import { Option } from 'commander';
/** Temporal helpers shared by the commands: strategy handles, friendly not-found / refusal errors, timeouts. */
import { WorkflowNotFoundError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { CliError, oneLine, type Ctx } from '../context';
import { strategyWorkflowId } from '../../workflows/strategy/api';

export const STRATEGY_ID_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function checkStrategyId(id: string): void {
  if (!STRATEGY_ID_RE.test(id)) throw new CliError(`"${id}" is not a strategy id (1-40 chars of lowercase letters, digits and "-")`);
}

export function notFound(id: string): CliError {
  return new CliError(`no strategy "${id}" (workflow ${strategyWorkflowId(id)} not found)`);
}

export function isNotFound(e: unknown): boolean {
  if (e instanceof WorkflowNotFoundError) return true;
  return (e as { code?: number })?.code === 5 && /workflow/i.test(String((e as Error)?.message));
}

/** The strategy's workflow handle and description; an unknown id is a clear error. */
export async function strategyHandle(ctx: Ctx, id: string): Promise<{ handle: WorkflowHandle; desc: WorkflowExecutionDescription }> {
  checkStrategyId(id);
  const client = await ctx.temporal();
  const handle = client.workflow.getHandle(strategyWorkflowId(id));
  try {
    const desc = await handle.describe();
    return { handle, desc };
  } catch (e) {
    if (isNotFound(e)) throw notFound(id);
    throw new CliError(`cannot describe workflow ${strategyWorkflowId(id)}: ${oneLine(e)}`);
  }
}

export function requireRunning(id: string, desc: WorkflowExecutionDescription): void {
  if (desc.status.name !== 'RUNNING') throw new CliError(`strategy "${id}" is not running (workflow ${desc.workflowId} is ${desc.status.name})`);
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CliError(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

export function uiBase(): string {
  return (process.env.TEMPORAL_UI_URL?.trim() || 'http://127.0.0.1:8233').replace(/\/+$/, '');
}

export function workflowUiUrl(namespace: string, workflowId: string): string {
  return `${uiBase()}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The command name, for hints printed to the operator. */
export const BIN = 'unlock-trader';

/** `--timeout <seconds>` → ms (a positive number, else a one-line error). */
export function timeoutMs(opts: { timeout?: string }): number {
  const s = Number(opts.timeout ?? '30');
  if (!Number.isFinite(s) || s <= 0) throw new CliError(`--timeout must be a positive number of seconds, got "${opts.timeout}"`);
  return s * 1000;
}

export const timeoutOption = () => new Option('--timeout <seconds>', 'how long to wait for the workflow to answer').default('30');

