/**
 * A child process of the main job (the exchange simulator, the worker), kept running: started, awaited
 * until it says it is ready, restarted when it dies on its own, stopped in order on Ctrl-C.
 *
 * Why separate processes (issue 17, defect 9): with worker, simulator and narration in one process a
 * crash of the worker took the exchange with it. Now a dead worker is restarted against the same
 * simulator (whose orders and market are unchanged), and a dead simulator is restarted with the same
 * seed and state file: the same market, the same book of orders.
 *
 * The children run in their own process group (a Ctrl-C in the terminal reaches only the main job,
 * which stops the worker before the exchange it drains against), and with scripts/lib/exit-with-parent.mjs
 * preloaded: their stdin is a pipe from here, so they stop when the main job dies, even by kill -9.
 * Their output goes to a log file (appended), and also to the terminal with `--verbose`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './temporal-binaries';

export interface DemoChildOptions {
  /** "worker", "exchange simulator": how the job names it */
  name: string;
  /** script path relative to the project root, run with tsx */
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** where its stdout and stderr go (appended) */
  logFile: string;
  /** also echo its output to this process's stderr, prefixed with its name */
  verbose?: boolean;
  /** a stdout line that says it is ready; its return value is kept as `ready` */
  readyLine: (line: string) => boolean;
  /** one line of news for the narration: exits and restarts */
  say: (line: string) => void;
  /** consecutive starts that die before they are ready before the job gives up (default 3) */
  maxFailedStarts?: number;
  /** called once the job gives up on it */
  onGiveUp?: (error: Error) => void;
}

const RESTART_DELAY_MS = 1_000;
const EXIT_WITH_PARENT = pathToFileURL(join(PROJECT_ROOT, 'scripts', 'lib', 'exit-with-parent.mjs')).href;

export class DemoChild {
  private proc?: ChildProcess;
  private stopping = false;
  private failedStarts = 0;
  private readonly log: WriteStream;
  /** the ready line of the current run */
  readyText = '';
  /** how many times it was restarted after dying on its own */
  restarts = 0;

  constructor(private readonly o: DemoChildOptions) {
    mkdirSync(dirname(o.logFile), { recursive: true });
    this.log = createWriteStream(o.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** starts it and resolves once it is ready; rejects with its last stderr line if it dies first */
  start(): Promise<void> {
    const o = this.o;
    const proc = spawn(process.execPath, ['--import', 'tsx', '--import', EXIT_WITH_PARENT, o.script, ...(o.args ?? [])], {
      cwd: PROJECT_ROOT,
      env: o.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.proc = proc;
    this.log.write(`--- ${new Date().toISOString()} ${o.name} started (pid ${proc.pid})\n`);
    let lastErr = '';
    let ready = false;
    const echo = (line: string) => {
      this.log.write(line + '\n');
      if (o.verbose) process.stderr.write(`[${o.name}] ${line}\n`);
    };
    return new Promise<void>((resolve, reject) => {
      createInterface({ input: proc.stdout! }).on('line', (line) => {
        echo(line);
        if (!ready && o.readyLine(line)) {
          ready = true;
          this.readyText = line;
          this.failedStarts = 0;
          resolve();
        }
      });
      createInterface({ input: proc.stderr! }).on('line', (line) => {
        echo(line);
        if (line.trim()) lastErr = line.trim();
      });
      proc.once('error', (e) => lastErr = e.message);
      proc.once('exit', (code, signal) => {
        this.log.write(`--- ${new Date().toISOString()} ${o.name} (pid ${proc.pid}) exited: ${signal ?? `code ${code}`}\n`);
        if (this.stopping || this.proc !== proc) return;
        // its last stderr line explains a failed start; a running child's stderr is its log, not a reason
        const said = !ready || lastErr.startsWith('error: ') ? lastErr.replace(/^error: /, '') : '';
        const why = signal ? `killed by ${signal}` : `exit code ${code}${said ? `: ${said}` : ''}`;
        if (!ready) {
          this.failedStarts++;
          const e = new Error(`the ${o.name} did not start: ${why}`);
          if (this.failedStarts === 1 && this.restarts === 0) return reject(e); // first start: the job fails with that line
          if (this.failedStarts >= (o.maxFailedStarts ?? 3)) return o.onGiveUp?.(e);
        }
        this.restarts++;
        o.say(`the ${o.name} (pid ${proc.pid}) died (${why}); restarting it, everything else keeps running`);
        setTimeout(() => {
          if (this.stopping) return;
          this.start().then(
            () => o.say(`the ${o.name} is back (pid ${this.pid})`),
            (e: Error) => o.onGiveUp?.(e),
          );
        }, RESTART_DELAY_MS).unref();
      });
    });
  }

  /** SIGTERM (its clean stop) and wait for it; no restart */
  async stop(): Promise<void> {
    this.stopping = true;
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    }
    await new Promise<void>((r) => this.log.end(() => r()));
  }
}
