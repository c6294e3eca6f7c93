/**
 * The demo's ports, checked BEFORE it touches anything: a second `npm run demo` used to run the
 * migrations and start the worker, then end with a raw `listen EADDRINUSE 127.0.0.1:8710` (issue 17,
 * defect 8). Now it stops first with one line: which port, what it is for, who probably holds it, what
 * to do.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface NeededPort {
  port: number;
  /** what the demo would run there: "the exchange simulator" */
  what: string;
  /** how to run without it: "run with SIM_PORT=<free port>" */
  instead: string;
}

/** True when nothing can bind host:port now (EADDRINUSE or EACCES); a bind test, like the server's own listen. */
export function portTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** "node (pid 123, npm run demo)" from `ss`, or null when it cannot tell (no ss, another user's process). */
export function portHolder(port: number): { pid: number; name: string; isDemo: boolean } | null {
  let line: string;
  try {
    line = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 });
  } catch {
    return null;
  }
  const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
  if (!m) return null;
  const pid = Number(m[2]);
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    // gone, or not ours to read
  }
  // the demo's children (its simulator) preload exit-with-parent.mjs: they are "another npm run demo" too
  return { pid, name: m[1]!, isDemo: /main-job|npm run demo|exit-with-parent\.mjs/.test(cmdline) };
}

/** Throws one line for the first needed port already taken; nothing has been started when it does. */
export async function requireFreePorts(needed: NeededPort[], host = '127.0.0.1'): Promise<void> {
  for (const n of needed) {
    if (!(await portTaken(n.port, host))) continue;
    const holder = portHolder(n.port);
    const who = holder
      ? `${holder.name} (pid ${holder.pid})${holder.isDemo ? ', another `npm run demo`' : ''}`
      : 'another process (probably another `npm run demo`; `ss -ltnp` shows which)';
    const stop = holder?.isDemo ? 'stop it (Ctrl-C in its terminal) or keep using it' : `stop it${holder ? ` (kill ${holder.pid})` : ''}`;
    throw new Error(`port ${n.port} on ${host}, for ${n.what}, is in use by ${who}: ${stop}, or ${n.instead}. Nothing was started.`);
  }
}
