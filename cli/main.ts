/**
 * unlock-trader — the operator CLI. `run(argv, io)` is the whole program (tests call it in-process
 * with their own output streams); `bin/unlock-trader.js` calls `main()`.
 *
 * Conventions: every command has --help; listing commands take --json; any error prints ONE line
 * `error: ...` on stderr and exits non-zero; input is validated before anything connects, so bad
 * input never half-starts anything. Settings come from the environment: TEMPORAL_ADDRESS /
 * TEMPORAL_NAMESPACE / TEMPORAL_API_KEY / TEMPORAL_PROFILE (Temporal env config), DATABASE_URL,
 * TRADER_TASK_QUEUE, TEMPORAL_UI_URL (Web UI links), EXCHANGE_* (health).
 */
import { Command, CommanderError } from 'commander';
import { CliError, Ctx, oneLine, type CliIo } from './context';
import { registerStrategyCommands } from './commands/strategy';
import { registerControlCommands } from './commands/controls';
import { registerUnlockCommands } from './commands/unlocks';
import { registerReportCommand } from './commands/report';
import { registerAlertCommands } from './commands/alerts';
import { registerAuditCommands } from './commands/audit';
import { registerHealthCommand } from './commands/health';
import { registerBacktestCommand } from './commands/backtest';
import { registerDataCommands } from './commands/data';

export type { CliIo } from './context';

export function buildProgram(ctx: Ctx): Command {
  const program = new Command('unlock-trader');
  program
    .description('Operate the unlock trader: strategies and positions are durable Temporal workflows.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.io.stdout.write(s),
      writeErr: (s) => void ctx.io.stderr.write(s),
      outputError: (s, write) => write(s.endsWith('\n') ? s : s + '\n'),
    })
    .showSuggestionAfterError(true)
    .helpCommand(true)
    .addHelpText(
      'after',
      `
Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
  DATABASE_URL (default embedded SQLite), TRADER_TASK_QUEUE (default unlock-trader),
  TEMPORAL_UI_URL (default http://127.0.0.1:8233), EXCHANGE_URL_OVERRIDE / EXCHANGE_* (health).
Examples:
  unlock-trader strategy start examples/strategy-demo.json
  unlock-trader strategy status demo
  unlock-trader approve demo --by alice --note "paper gate passed"
  unlock-trader unlocks import examples/unlocks-sample.csv`,
    );
  registerStrategyCommands(program, ctx);
  registerControlCommands(program, ctx);
  registerUnlockCommands(program, ctx);
  registerReportCommand(program, ctx);
  registerAlertCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerHealthCommand(program, ctx);
  registerBacktestCommand(program, ctx);
  registerDataCommands(program, ctx);
  return program;
}

/** Runs the CLI on `argv` (without "node" and the script) and returns the exit code. */
export async function run(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const ctx = new Ctx(io);
  const program = buildProgram(ctx);
  try {
    if (!argv.length) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its one-line message ("error: ...") or the help / version
      return e.exitCode;
    }
    if (e instanceof CliError) {
      ctx.err(`error: ${e.message}`);
      return e.code;
    }
    ctx.err(`error: ${oneLine(e)}`);
    return 1;
  } finally {
    await ctx.close();
  }
}

export async function main(): Promise<void> {
  // `unlock-trader ... | head` closes the pipe early: that is not an error
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const code = await run(process.argv.slice(2));
  // native Temporal / DB handles are closed; exit now rather than wait for stray timers (ccxt keep-alives)
  process.exit(code);
}

if (require.main === module) void main();
