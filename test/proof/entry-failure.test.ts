/**
 * Regression test of a bug found by the secrets test: a NON-retryable error of the entry order — here the venue answers
 * 401 to the retry's fetch-by-client-order-id after a 502 on the first placement — makes the entry
 * `placeOrder` throw out of positionWorkflow (workflows/position.ts, step 4, no try/catch), so the
 * position workflow FAILS: it never reports `positionEnded`, the strategy keeps it as ENTERING forever
 * (open-position count and reserved exposure never released), no alert is raised, and if the order
 * had in fact reached the venue nobody would ever exit it.
 *
 * Expected: the position ends (workflow COMPLETED) as FAILED, the strategy's book is released, and a
 * critical alert names the entry's client order id so a human checks the venue.
 *
 * Fixed in workflows/position.ts (step 4 catches the failure) and activities/orders/ledger.ts (a failed
 * lookup never marks the row REJECTED).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionWorkflowId } from '../../workflows/position/api';
import { clientOrderIdFor } from '../../domain/ids';
import { ProofStack, proofConfig, startAndPromote, waitFor } from './lib';

const stack = new ProofStack('entryfail');
const ID = 'entryfail';
afterAll(() => stack.close());

test('a non-retryable entry failure ends the position as FAILED, releases the book and alerts', async () => {
  await stack.start();
  await stack.startWorker();
  const f = join(mkdtempSync(join(tmpdir(), 'proof-ef-')), 'c.json');
  writeFileSync(f, JSON.stringify(proofConfig(ID)));
  await startAndPromote(stack, ID, f);
  stack.sim.faults.add({ kind: 'status', endpoint: '/api/v3/order', method: 'POST', status: 502, probability: 1, times: 1 });
  // two lookups answer 401: the gateway's own look after the ambiguous 502, then the retry's lookup
  stack.sim.faults.add({ kind: 'status', endpoint: '/api/v3/order', method: 'GET', status: 401, probability: 1, times: 2 });
  const [ev] = await stack.addEvents('ef', [{ symbol: 'BTC/USDT', unlockInMs: 8_000 }]);
  const pid = positionWorkflowId(ID, ev!);
  const final = await waitFor('the position to end', () => stack.client.workflow.getHandle(pid).describe().then((x) => x.status.name), (s) => s !== 'RUNNING', 60_000, 250);
  const status = await stack.status(ID);
  const alerts = await stack.tdb.db.alert.findMany({ where: { strategyId: ID, severity: 'critical' } });
  console.log(`entry failure: position workflow ${final}; strategy openPositions ${status.openPositions}, exposure ${status.risk.openExposure}; critical alerts ${JSON.stringify(alerts.map((a) => a.kind))}`);
  expect(final).toBe('COMPLETED');
  expect(status.openPositions).toBe(0);
  expect(alerts.map((a) => a.message).join('\n')).toContain(clientOrderIdFor(pid, 'entry'));
}, 120_000);
