/**
 * Approvers and four eyes on the time-skipping server: a strategy whose config names its approvers and
 * needs two distinct approvals for LIVE_MINIMAL. After the paper gate passes, a non-listed approver is
 * refused, the first listed approval leaves the promotion pending (1 of 2), the same person twice is
 * refused, and a second, different approver promotes. Both the update path and the plain signal path
 * (what `temporal workflow signal` sends) obey the rules, and every refusal and acceptance lands in
 * the audit chain, which verifies.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { updateRefusal as refusal, withTimeSkippingAndDb } from '../helpers/temporal';
import type { TestDb } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import { advance, DAY, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { approveSignal, approveUpdate, statusQuery, strategyWorkflowId } from '../../workflows/strategy/api';
import { verifyAuditChain } from '../../read-models/audit-chain';

let env: TestWorkflowEnvironment;
let tdb: TestDb;
withTimeSkippingAndDb((e, d) => ((env = e), (tdb = d)));


test('listed approvers only; LIVE_MINIMAL needs two distinct ones, on the update and the signal path alike', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  // three take-profits inside a 2-day paper period: enough for the relaxed gate below
  const events = Array.from({ length: 3 }, (_, i) => {
    const symbol = `F${i}/USDT`;
    const unlockAt = t0 + 26 * HOUR + i * 13 * HOUR;
    m.script(symbol, 1 + i / 10, unlockAt - 24 * HOUR + HOUR, +6);
    return unlockEvent(`FE${i}`, symbol, unlockAt);
  });
  await insertEvents(tdb.db, events);
  const config = testConfig({
    strategyId: 'eyes',
    approvers: ['alice', 'bob', 'carol'],
    approvalsRequired: { LIVE_MINIMAL: 2 },
    gate: { paperPeriod: '2d', minTrades: 2, minWinRatePct: '0', minSharpe: '-1000' },
    timing: { scanInterval: '2h' },
  });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'eyes', paperMarket: m.market });
  const wid = strategyWorkflowId('eyes');

  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'eyes', workflowId: wid, args: [{ config }] });
    await advance(env, 2 * DAY + 3 * HOUR);
    let status = await handle.query(statusQuery);
    expect(status.gate.awaitingApproval).toBe(true);
    expect(status.approvals).toEqual({ step: 'promotion to LIVE_MINIMAL', collected: [], needed: 2, approvers: ['alice', 'bob', 'carol'] });

    // update path
    expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'mallory' }] }))).toBe('mallory is not an approver of this strategy (approvers: alice, bob, carol)');
    status = await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice', note: 'first pair of eyes' }] });
    expect(status.mode).toBe('PAPER');
    expect(status.approvals).toMatchObject({ collected: ['alice'], needed: 2 });
    expect(await refusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'ALICE' }] }))).toBe(
      'ALICE has already approved this promotion to LIVE_MINIMAL (1 of 2); it needs a different approver',
    );

    // signal path: the same rules, refusals kept as the last refusal
    await handle.signal(approveSignal, { by: 'alice' });
    status = await waitFor('alice refused on the signal path', () => handle.query(statusQuery), (s) => s.lastRefusal?.reason.includes('alice has already approved') ?? false);
    expect(status.mode).toBe('PAPER');
    await handle.signal(approveSignal, { by: 'eve' });
    status = await waitFor('eve refused on the signal path', () => handle.query(statusQuery), (s) => s.lastRefusal?.reason.startsWith('eve is not an approver') ?? false);
    expect(status.approvals).toMatchObject({ collected: ['alice'], needed: 2 });
    await handle.signal(approveSignal, { by: 'bob', note: 'second pair of eyes' });
    status = await waitFor('promotion by the second approver', () => handle.query(statusQuery), (s) => s.mode === 'LIVE_MINIMAL');
    expect(status.approvals).toBeNull();

    await handle.signal('stopStrategy', {});
    await handle.result();
    await maybeRecordHistory(env, wid, 'strategy-four-eyes');
  });

  // the DB and the audit chain tell the same story
  const approvals = await tdb.db.approval.findMany({ where: { strategyId: 'eyes' }, orderBy: { at: 'asc' } });
  expect(approvals.map((a) => `${a.approvedBy}:${a.decision}:${a.toMode}`)).toEqual(['alice:APPROVED:LIVE_MINIMAL', 'bob:APPROVED:LIVE_MINIMAL']);
  const audit = await tdb.db.auditEntry.findMany({ where: { strategyId: 'eyes', kind: { in: ['APPROVAL', 'APPROVAL_REFUSED', 'MODE_CHANGE'] } }, orderBy: { seq: 'asc' } });
  const story = audit.map((e) => {
    const p = JSON.parse(e.payloadJson) as { by?: string; approvedBy?: string; reason?: string; toMode?: string };
    return `${e.kind}:${p.by ?? p.approvedBy ?? ''}:${e.kind === 'MODE_CHANGE' ? p.toMode : ''}`;
  });
  expect(story).toEqual([
    'APPROVAL_REFUSED:mallory:',
    'APPROVAL:alice:',
    'APPROVAL_REFUSED:ALICE:',
    'APPROVAL_REFUSED:alice:',
    'APPROVAL_REFUSED:eve:',
    'APPROVAL:bob:',
    'MODE_CHANGE::LIVE_MINIMAL',
  ]);
  const refused = audit.filter((e) => e.kind === 'APPROVAL_REFUSED').map((e) => (JSON.parse(e.payloadJson) as { reason: string }).reason);
  expect(refused[0]).toMatch(/not an approver/);
  expect(refused[1]).toMatch(/already approved/);
  const modeChange = audit.find((e) => e.kind === 'MODE_CHANGE')!;
  expect(JSON.parse(modeChange.payloadJson)).toMatchObject({ reason: 'promoted by alice + bob' });
  expect(await verifyAuditChain(tdb.db)).toEqual({ entries: expect.any(Number), problems: [] });
}, 180_000);
