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

/** An error result: non-zero, exactly one stderr line starting with "error: ", no stack trace. */
export function expectOneLineError(r: CliResult, pattern: RegExp | string): void {
  expect({ code: r.code, err: r.err }).toEqual({ code: r.code, err: expect.stringMatching(/^error: [^\n]+\n$/) });
  expect(r.code).not.toBe(0);
  expect(r.err).not.toMatch(/\n\s+at /);
  if (typeof pattern === 'string') expect(r.err).toContain(pattern);
  else expect(r.err).toMatch(pattern);
}
