import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * Workflow code is bundled ahead of the worker (design notes §6: `workflowsPath` runs webpack at
 * every worker start). The bundle is cached under .cache/ by a hash of the sources it can include.
 */
const ROOT = join(__dirname, '..');
const SOURCE_DIRS = ['workflows', 'domain', 'config', 'exchange'];

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) h.update(p).update(readFileSync(p));
    }
  };
  for (const d of SOURCE_DIRS) walk(join(ROOT, d));
  h.update(readFileSync(join(ROOT, 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

export async function getWorkflowBundle(): Promise<{ codePath: string }> {
  const dir = join(ROOT, '.cache');
  const codePath = join(dir, `workflow-bundle-${sourceHash()}.js`);
  if (!existsSync(codePath)) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: { info() {}, warn: console.warn, error: console.error, debug() {}, trace() {}, log() {} } as never,
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(codePath + '.tmp', code);
    require('node:fs').renameSync(codePath + '.tmp', codePath);
  }
  return { codePath };
}

if (require.main === module) {
  getWorkflowBundle().then((b) => console.log(`workflow bundle: ${b.codePath}`));
}
