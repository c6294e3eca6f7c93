/**
 * Who is running the CLI: the operator named by UNLOCK_TRADER_OPERATOR (a profile, a CI job, a shared
 * host's login script sets it), else the OS user. Approvals are recorded under this name, not under a
 * free-text `--by`: `--by` is still accepted for scripts written before, but only when it names the
 * identified operator.
 *
 * This identifies; it does not authenticate. Who may reach the workflow at all is Temporal's access
 * control (mTLS / API keys, namespace permissions); who may approve is the strategy's approver list,
 * which the workflow enforces (README, "Approvers and four-eyes").
 */
import { userInfo } from 'node:os';
import { z } from 'zod';
import { CliError } from '../context';

export const OPERATOR_ENV = 'UNLOCK_TRADER_OPERATOR';

const operatorName = z
  .string()
  .trim()
  .min(1, 'is empty')
  .max(100, 'is longer than 100 characters')
  // eslint-disable-next-line no-control-regex
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'contains control characters');

export interface OperatorSources {
  env?: NodeJS.ProcessEnv;
  /** the OS user name; throws where the system has none (a container without a passwd entry) */
  osUser?: () => string;
}

/** The identified operator, or a one-line CliError saying how to set it. */
export function identifyOperator({ env = process.env, osUser = () => userInfo().username }: OperatorSources = {}): string {
  const fromEnv = env[OPERATOR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const r = operatorName.safeParse(fromEnv);
    if (!r.success) throw new CliError(`${OPERATOR_ENV} ${r.error.issues[0]!.message}`);
    return r.data;
  }
  let user: string;
  try {
    user = osUser();
  } catch {
    throw new CliError(`cannot identify the operator: set ${OPERATOR_ENV} to your name`);
  }
  const r = operatorName.safeParse(user);
  if (!r.success) throw new CliError(`cannot identify the operator (the OS user name ${r.error.issues[0]!.message}): set ${OPERATOR_ENV} to your name`);
  return r.data;
}

/** The name a control is sent under: the operator; `--by`, if given, must name the same person. */
export function operatorFor(by: string | undefined, sources: OperatorSources = {}): string {
  const operator = identifyOperator(sources);
  if (by === undefined) return operator;
  if (by.trim().toLowerCase() === operator.toLowerCase()) return operator;
  const from = (sources.env ?? process.env)[OPERATOR_ENV]?.trim() ? OPERATOR_ENV : 'the OS user';
  throw new CliError(`--by "${by.trim()}" is not you: the operator is "${operator}" (from ${from}); drop --by, or set ${OPERATOR_ENV}`);
}

/** `--by`'s help text on the approval commands. */
export const BY_OPERATOR_HELP = `who approves: must be you (${OPERATOR_ENV}, else the OS user), which is also the default`;
