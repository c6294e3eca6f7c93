import { run } from '../../cli/main';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process with captured output. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** Runs the CLI as `operator` (UNLOCK_TRADER_OPERATOR for this call only: approvals go under the identified operator). */
export async function cliAs(operator: string, ...argv: string[]): Promise<CliResult> {
  const saved = process.env.UNLOCK_TRADER_OPERATOR;
  process.env.UNLOCK_TRADER_OPERATOR = operator;
  try {
    return await cli(...argv);
  } finally {
    if (saved === undefined) delete process.env.UNLOCK_TRADER_OPERATOR;
    else process.env.UNLOCK_TRADER_OPERATOR = saved;
  }
}

/** An error result: non-zero, exactly one stderr line starting with "error: ", no stack trace. */
export function expectOneLineError(r: CliResult, pattern: RegExp | string): void {
  expect({ code: r.code, err: r.err }).toEqual({ code: r.code, err: expect.stringMatching(/^error: [^\n]+\n$/) });
  expect(r.code).not.toBe(0);
  expect(r.err).not.toMatch(/\n\s+at /);
  if (typeof pattern === 'string') expect(r.err).toContain(pattern);
  else expect(r.err).toMatch(pattern);
}

/** One row of `health --json`. */
export interface HealthRow {
  check: string;
  ok: boolean;
  latencyMs: number | null;
  detail: string;
}

/** `health --json --timeout <s>`: the rows by name, their names in order, and the raw output. */
export async function healthRows(timeoutS: number): Promise<{ rows: Record<string, HealthRow>; names: string[]; raw: string }> {
  const r = await cli('health', '--json', '--timeout', String(timeoutS));
  const j = JSON.parse(r.out) as { checks: HealthRow[] };
  return { rows: Object.fromEntries(j.checks.map((c) => [c.check, c])), names: j.checks.map((c) => c.check), raw: r.out };
}
