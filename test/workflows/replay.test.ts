/**
 * Determinism guard: workflow histories recorded from the workflow tests (test/histories/*.pb,
 * re-recorded with `RECORD_HISTORIES=1 npx jest test/workflows`) must replay cleanly against the
 * current workflow code. A change that alters the commands of running workflows fails here; ship it
 * behind `patched()` instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { getWorkflowBundle } from '../../workers/bundle';

const DIR = join(__dirname, '..', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.pb'));

test('recorded histories are present', () => {
  expect(files.length).toBeGreaterThanOrEqual(5);
});

test.each(files)('%s replays cleanly', async (file) => {
  const history = temporal.api.history.v1.History.decode(readFileSync(join(DIR, file)));
  expect(history.events?.length).toBeGreaterThan(5);
  await Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, file.replace(/\.pb$/, ''));
});
