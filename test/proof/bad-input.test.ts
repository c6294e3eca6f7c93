/**
 * Bad-input corpus (issue 7, acceptance 2): malformed strategy configs, CLI arguments, update and signal
 * payloads sent to a RUNNING strategy on a dev server (worker as a child process), and import rows.
 * Each gets a clear error, and changes nothing:
 *   - no workflow started (visibility list of the namespace unchanged),
 *   - no row written (counts of every table unchanged) — except that a refused SIGNAL is, by design,
 *     recorded: the strategy's `lastRefusal` and exactly one COMMAND_REFUSED alert,
 *   - the running strategy's mode, state and limits unchanged.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { strategyWorkflowId, type StrategyStatus } from '../../workflows/strategy/api';
import { CHOICE_RISK_FIELDS, DECIMAL_RISK_FIELDS, INTEGER_RISK_FIELDS } from '../../workflows/strategy/limits-update';
import { strategyConfigSchema } from '../../config/strategy-config';
import { ProofStack, proofConfig, table, waitFor } from './lib';
import { calendarRow, CALENDAR_HEADER } from '../helpers/unlock-calendar';

const stack = new ProofStack('badin');
const ID = 'bad-ok';
let dir: string;

beforeAll(async () => {
  await stack.start();
  await stack.startWorker();
  dir = mkdtempSync(join(tmpdir(), 'proof-bad-'));
  // a long paper period: the gate never runs (no alert rows appear on their own during the test)
  const r = await stack.cli('strategy', 'start', file('ok.json', JSON.stringify(proofConfig(ID, { paperPeriod: '1h' }))));
  expect(r.code).toBe(0);
  await waitFor('the strategy to run', () => stack.status(ID), (s) => s.state === 'RUNNING', 20_000);
  // its first loop writes the risk-state row; the "nothing changed" baselines start after that
  await waitFor('the first risk-state save', () => stack.tdb.db.riskState.count({ where: { strategyId: ID } }), (n) => n === 1, 20_000, 100);
}, 90_000);
afterAll(() => stack.close());

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const cfg = (over: Record<string, unknown>) => JSON.stringify({ ...proofConfig('bad-x'), ...over });

// ------------------------------------------------------------------ what "changes nothing" means

interface World {
  workflows: string[];
  rows: Record<string, number>;
  status: Pick<StrategyStatus, 'mode' | 'state' | 'limits' | 'openPositions' | 'closedTrades'> & { risk: Record<string, unknown> };
  refusal: StrategyStatus['lastRefusal'];
}

async function world(): Promise<World> {
  const db = stack.tdb.db;
  const workflows: string[] = [];
  for await (const w of stack.client.workflow.list()) workflows.push(`${w.workflowId}/${w.runId}`);
  const [strategy, unlockEvent, alert, auditEntry, modeChange, approval, order, position, tradingSignal, riskState, paperVenueOrder] = await Promise.all([
    db.strategy.count(),
    db.unlockEvent.count(),
    db.alert.count(),
    db.auditEntry.count(),
    db.modeChange.count(),
    db.approval.count(),
    db.order.count(),
    db.position.count(),
    db.tradingSignal.count(),
    db.riskState.count(),
    db.paperVenueOrder.count(),
  ]);
  const st = await stack.status(ID);
  const { updatedAt: _u, ...risk } = st.risk as unknown as Record<string, unknown>;
  return {
    workflows: workflows.sort(),
    rows: { strategy, unlockEvent, alert, auditEntry, modeChange, approval, order, position, tradingSignal, riskState, paperVenueOrder },
    status: { mode: st.mode, state: st.state, limits: st.limits, openPositions: st.openPositions, closedTrades: st.closedTrades, risk },
    refusal: st.lastRefusal,
  };
}

type Kind = 'config' | 'cli' | 'update' | 'signal' | 'import';
interface Case {
  kind: Kind;
  name: string;
  /** returns the error text the user sees */
  run(): Promise<string>;
  expect: RegExp;
}

/** A CLI call that must fail with ONE line `error: ...` and a non-zero exit; returns stdout (row reports) + that line. */
async function cliError(...argv: string[]): Promise<string> {
  const r = await stack.cli(...argv);
  if (r.code === 0) throw new Error(`expected a failure, got exit 0: ${r.out}`);
  if (!/^error: [^\n]+\n$/.test(r.err) || /\n\s+at /.test(r.err)) throw new Error(`expected one "error: ..." line, got ${JSON.stringify(r.err)}`);
  return `${r.out.trim()} ${r.err.trim()}`.trim();
}

async function updateRefusal(name: string, arg: unknown): Promise<string> {
  const h = stack.client.workflow.getHandle(strategyWorkflowId(ID));
  const err = await h.executeUpdate(name, { args: [arg] }).then(
    (v) => new Error(`update ${name} was ACCEPTED: ${JSON.stringify(v).slice(0, 200)}`),
    (e: unknown) => e,
  );
  if (!(err instanceof WorkflowUpdateFailedError)) throw err;
  return String(err.cause?.message);
}

async function signalRefusal(name: string, arg: unknown): Promise<string> {
  const h = stack.client.workflow.getHandle(strategyWorkflowId(ID));
  const before = (await stack.status(ID)).lastRefusal?.at ?? 0;
  const refusedAlerts = () => stack.tdb.db.alert.count({ where: { kind: 'COMMAND_REFUSED', message: { startsWith: `${name} refused` } } });
  const alertsBefore = await refusedAlerts();
  await h.signal(name, arg);
  const st = await waitFor(`the refusal of signal ${name}`, () => stack.status(ID), (s) => (s.lastRefusal?.at ?? 0) > before && s.lastRefusal?.command === name, 10_000, 100).catch(async () => {
    throw new Error(`signal ${name} ${JSON.stringify(arg)} was not refused (lastRefusal ${JSON.stringify((await stack.status(ID)).lastRefusal)})`);
  });
  // the COMMAND_REFUSED alert is written by an activity after the refusal: wait for it so the next case starts clean
  // (this signal's own: counted from before it, since an earlier case may have refused the same signal)
  await waitFor('the refusal alert', refusedAlerts, (n) => n > alertsBefore, 10_000, 100);
  return `${st.lastRefusal!.command}: ${st.lastRefusal!.reason}`;
}

/** issue 17, defect 4: 100 kB of free text */
const LONG_TEXT = 'x'.repeat(100_000);

const CSV_HEAD = 'id,symbol,unlockAt,unlockAmount,circulatingSupply,source';
const GOOD_ROW = 'good-1,ARB/USDT,2030-03-16T13:00:00Z,92650000,1275000000,proof';
const importError = (name: string, ...rows: string[]) => cliError('unlocks', 'import', file(name, [CSV_HEAD, GOOD_ROW, ...rows].join('\n') + '\n'));
/** issue 17, defect 10: a streamed import; the one bad row is the last but one of 5,000 */
const lateBadRow = () => {
  const spec = { rows: 5_000, badAt: 4_999 };
  const rows = Array.from({ length: spec.rows }, (_, i) => Object.values(calendarRow(i + 1, spec)).join(','));
  return cliError('unlocks', 'import', file('i8.csv', [CALENDAR_HEADER, ...rows].join('\n') + '\n'));
};
const GOOD_ITEM = JSON.stringify({ id: 'good-j', symbol: 'ARB/USDT', unlockAt: '2030-03-16T13:00:00Z', unlockAmount: '1', circulatingSupply: '2' });

const CASES: Case[] = [
  // ---- strategy configs (strategy start <file>)
  { kind: 'config', name: 'unknown mode', run: () => cliError('strategy', 'start', file('c1.json', cfg({ mode: 'LIVE_SCALED_3' }))), expect: /mode: .*PAPER/ },
  { kind: 'config', name: 'negative limit', run: () => cliError('strategy', 'start', file('c2.json', cfg({ ladder: { PAPER: { riskPerTradePct: '-1', maxExposurePct: '20', dailyLossPct: '5' } } }))), expect: /ladder\.PAPER\.riskPerTradePct: .*(greater than 0|negative)/ },
  { kind: 'config', name: 'bad duration "24x"', run: () => cliError('strategy', 'start', file('c3.json', cfg({ tokenUnlock: { entryLead: '24x' } }))), expect: /tokenUnlock\.entryLead: "24x" is not a duration/ },
  { kind: 'config', name: 'unknown field', run: () => cliError('strategy', 'start', file('c4.json', cfg({ leverage: 10 }))), expect: /leverage/ },
  { kind: 'config', name: 'bad strategyId', run: () => cliError('strategy', 'start', file('c5.json', cfg({ strategyId: 'Bad_ID!' }))), expect: /strategyId: strategyId must be 1-40 chars/ },
  { kind: 'config', name: 'non-decimal money', run: () => cliError('strategy', 'start', file('c6.json', cfg({ capital: { initial: 'ten thousand' } }))), expect: /capital\.initial: capital\.initial must be a decimal number/ },
  { kind: 'config', name: 'zero capital', run: () => cliError('strategy', 'start', file('c7.json', cfg({ capital: { initial: '0' } }))), expect: /capital\.initial must be greater than 0/ },
  { kind: 'config', name: 'non-integer maxOpenPositions', run: () => cliError('strategy', 'start', file('c8.json', cfg({ risk: { maxOpenPositions: 2.5 } }))), expect: /risk\.maxOpenPositions/ },
  { kind: 'config', name: 'not JSON', run: () => cliError('strategy', 'start', file('c9.json', '{ "strategyId": "bad-x", ')), expect: /c9\.json/ },
  { kind: 'config', name: 'missing file', run: () => cliError('strategy', 'start', join(dir, 'nope.json')), expect: /nope\.json/ },
  // issue 17, defect 2: ranges (domain/limit-bounds.ts)
  { kind: 'config', name: 'price check interval 2h (beyond 1h)', run: () => cliError('strategy', 'start', file('c-pci.json', cfg({ timing: { priceCheckInterval: '2h' } }))), expect: /timing\.priceCheckInterval: must be from 100ms to 1h .*got 2h/ },
  { kind: 'config', name: 'stop loss 100 % (stop price 0)', run: () => cliError('strategy', 'start', file('c11.json', cfg({ tokenUnlock: { stopLossPct: '100' } }))), expect: /tokenUnlock\.stopLossPct must be > 0 and < 100 %, got 100/ },
  { kind: 'config', name: 'capital that cannot trade', run: () => cliError('strategy', 'start', file('c12.json', cfg({ capital: { initial: '0.000000000000000000000001' } }))), expect: /capital\.initial must be ≥ 10 quote units/ },
  // the correlation guard's settings (domain/correlation.ts)
  { kind: 'config', name: 'correlation limit over 1', run: () => cliError('strategy', 'start', file('c13.json', cfg({ risk: { maxCorrelation: '1.5' } }))), expect: /risk\.maxCorrelation: risk\.maxCorrelation must be ≥ 0 and ≤ 1, got 1\.5/ },
  { kind: 'config', name: 'correlation lookback of 2 days', run: () => cliError('strategy', 'start', file('c14.json', cfg({ risk: { correlationLookbackDays: 2 } }))), expect: /risk\.correlationLookbackDays: risk\.correlationLookbackDays must be ≥ 5 and ≤ 365 days, got 2/ },
  { kind: 'config', name: 'unknown correlation action', run: () => cliError('strategy', 'start', file('c15.json', cfg({ risk: { correlationAction: 'PANIC' } }))), expect: /risk\.correlationAction: risk\.correlationAction must be 'EMERGENCY_STOP' or 'ALERT'/ },
  // the venue (issue 15): any ccxt id, nothing else
  { kind: 'config', name: 'unknown venue', run: () => cliError('strategy', 'start', file('c16.json', cfg({ exchange: { id: 'krakenn' } }))), expect: /exchange\.id: exchange\.id "krakenn" is not a ccxt exchange id \(e\.g\. binance, kraken, coinbase\)/ },
  { kind: 'config', name: 'unknown unlock field type', run: () => cliError('strategy', 'start', file('c10.json', cfg({ tokenUnlock: { stopLossPct: true } }))), expect: /tokenUnlock\.stopLossPct/ },

  // ---- CLI arguments
  { kind: 'cli', name: 'approve --by someone else', run: () => cliError('approve', ID, '--by', 'not-the-operator'), expect: /--by "not-the-operator" is not you: the operator is "proof-tester"/ },
  { kind: 'cli', name: 'unknown command', run: () => cliError('frobnicate', ID), expect: /unknown command 'frobnicate'/ },
  { kind: 'cli', name: 'emergency-stop without --reason', run: () => cliError('emergency-stop', ID), expect: /required option '--reason <text>' not specified/ },
  { kind: 'cli', name: 'limits: bad --set value', run: () => cliError('limits', ID, '--set', 'risk.maxOpenPositions=-3'), expect: /--set risk\.maxOpenPositions=-3/ },
  { kind: 'cli', name: 'limits: unknown field', run: () => cliError('limits', ID, '--set', 'risk.leverage=3'), expect: /risk has no field "leverage"/ },
  { kind: 'cli', name: 'limits: malformed --set', run: () => cliError('limits', ID, '--set', 'risk.maxOpenPositions'), expect: /expected <path>=<value>/ },
  { kind: 'cli', name: 'limits: risk per trade 1000 %', run: () => cliError('limits', ID, '--set', 'ladder.LIVE_MINIMAL.riskPerTradePct=1000'), expect: /--set ladder\.LIVE_MINIMAL\.riskPerTradePct=1000: riskPerTradePct must be > 0 and ≤ 10 %/ },
  { kind: 'cli', name: 'limits: unknown correlation action', run: () => cliError('limits', ID, '--set', 'risk.correlationAction=PANIC'), expect: /--set risk\.correlationAction=PANIC: risk\.correlationAction must be 'EMERGENCY_STOP' or 'ALERT'/ },
  { kind: 'cli', name: 'emergency-stop with a 100 kB reason', run: () => cliError('emergency-stop', ID, '--reason', LONG_TEXT), expect: /^error: --reason: at most 500 characters, got 100000$/ },
  { kind: 'cli', name: 'bad strategy id argument', run: () => cliError('pause', 'Bad_ID!'), expect: /Bad_ID!/ },

  // ---- updates to the running strategy (bypassing the CLI's own checks): the validator refuses, nothing is recorded
  { kind: 'update', name: 'approve without by', run: () => updateRefusal('approve', {}), expect: /an approval needs the approver/ },
  { kind: 'update', name: 'approve with blank by', run: () => updateRefusal('approve', { by: '  ' }), expect: /an approval needs the approver/ },
  { kind: 'update', name: 'emergencyStop without reason', run: () => updateRefusal('emergencyStop', { by: 'x' }), expect: /an emergency stop needs a reason/ },
  { kind: 'update', name: 'limits: negative risk value', run: () => updateRefusal('updateLimits', { risk: { maxDrawdownPct: '-5' } }), expect: /risk\.maxDrawdownPct must be a positive number/ },
  { kind: 'update', name: 'limits: unknown ladder field', run: () => updateRefusal('updateLimits', { ladder: { PAPER: { leverage: '3' } } }), expect: /ladder\.PAPER\.leverage is not a limit/ },
  { kind: 'update', name: 'limits: unknown rung', run: () => updateRefusal('updateLimits', { ladder: { YOLO: { riskPerTradePct: '1' } } }), expect: /ladder\.YOLO is not a mode of the ladder/ },
  { kind: 'update', name: 'limits: unknown risk field', run: () => updateRefusal('updateLimits', { risk: { leverage: 100 } }), expect: /risk\.leverage/ },
  { kind: 'update', name: 'limits: fractional maxOpenPositions', run: () => updateRefusal('updateLimits', { risk: { maxOpenPositions: 2.5 } }), expect: /risk\.maxOpenPositions/ },
  { kind: 'update', name: 'limits: risk per trade 1000 %', run: () => updateRefusal('updateLimits', { ladder: { LIVE_MINIMAL: { riskPerTradePct: '1000' } } }), expect: /ladder\.LIVE_MINIMAL\.riskPerTradePct must be > 0 and ≤ 10 %, got 1000/ },
  { kind: 'update', name: 'limits: unknown correlation action', run: () => updateRefusal('updateLimits', { risk: { correlationAction: 'PANIC' } }), expect: /^risk\.correlationAction must be one of EMERGENCY_STOP, ALERT, got "PANIC"$/ },
  { kind: 'update', name: 'emergencyStop with a 100 kB reason', run: () => updateRefusal('emergencyStop', { reason: LONG_TEXT }), expect: /^reason is 100000 characters long: at most 500$/ },
  { kind: 'update', name: 'approve with a 100 kB approver', run: () => updateRefusal('approve', { by: LONG_TEXT }), expect: /^by is 100000 characters long: at most 500$/ },
  { kind: 'update', name: 'limits: not an object', run: () => updateRefusal('updateLimits', 'raise them'), expect: /a limits update must be an object/ },

  // ---- the same as signals (what the plain Temporal CLI would send): refused, recorded as lastRefusal + alert
  { kind: 'signal', name: 'approve without by', run: () => signalRefusal('approve', {}), expect: /approve: an approval needs the approver/ },
  { kind: 'signal', name: 'emergencyStop without reason', run: () => signalRefusal('emergencyStop', { by: 'x' }), expect: /emergencyStop: an emergency stop needs a reason/ },
  { kind: 'signal', name: 'limits: negative value', run: () => signalRefusal('updateLimits', { ladder: { PAPER: { dailyLossPct: '-1' } } }), expect: /updateLimits: ladder\.PAPER\.dailyLossPct must be a positive decimal/ },
  { kind: 'signal', name: 'limits: position 500 % of capital', run: () => signalRefusal('updateLimits', { risk: { maxPositionPct: '500' } }), expect: /updateLimits: risk\.maxPositionPct must be > 0 and ≤ 100 %, got 500/ },
  { kind: 'signal', name: 'emergencyStop with a 100 kB reason', run: () => signalRefusal('emergencyStop', { reason: LONG_TEXT }), expect: /^emergencyStop: reason is 100000 characters long: at most 500$/ },
  { kind: 'signal', name: 'limits: correlation lookback of 1000 days', run: () => signalRefusal('updateLimits', { risk: { correlationLookbackDays: 1000 } }), expect: /^updateLimits: risk\.correlationLookbackDays must be ≥ 5 and ≤ 365 days, got 1000$/ },
  { kind: 'signal', name: 'limits: unknown risk field', run: () => signalRefusal('updateLimits', { risk: { leverage: 100 } }), expect: /updateLimits: risk\.leverage/ },

  // ---- import rows (unlocks import): one bad row → nothing imported
  { kind: 'import', name: 'bad symbol', run: () => importError('i1.csv', 'bad-1,arb-usdt,2030-03-16T13:00:00Z,1000,100000,proof'), expect: /line 3: symbol must be BASE\/QUOTE/ },
  { kind: 'import', name: 'bad date', run: () => importError('i2.csv', 'bad-2,OP/USDT,2030-13-45T00:00:00Z,1000,100000,proof'), expect: /line 3: unlockAt must be an ISO 8601 date-time/ },
  { kind: 'import', name: 'date without zone', run: () => importError('i3.csv', 'bad-3,OP/USDT,2030-03-16T13:00:00,1000,100000,proof'), expect: /line 3: unlockAt must be an ISO 8601 date-time with a time zone/ },
  { kind: 'import', name: 'negative supply', run: () => importError('i4.csv', 'bad-4,OP/USDT,2030-03-16T13:00:00Z,1000,-100000,proof'), expect: /line 3: circulatingSupply must be a non-negative decimal/ },
  { kind: 'import', name: 'duplicate id', run: () => importError('i5.csv', 'good-1,OP/USDT,2030-03-17T13:00:00Z,1000,100000,proof'), expect: /line 3: .*good-1/ },
  { kind: 'import', name: 'unlock in 1970 (issue 17)', run: () => importError('i7.csv', 'bad-7,OP/USDT,1970-01-01T00:00:00Z,1000,100000,proof'), expect: /line 3: unlockAt 1970-01-01T00:00:00\.000Z is \d+ days in the past/ },
  { kind: 'import', name: 'bad row 4,999 of 5,000 (issue 17, streamed)', run: lateBadRow, expect: /1 invalid row\(s\) in .*i8\.csv: nothing imported/ },
  { kind: 'import', name: 'JSON array never closed', run: () => cliError('unlocks', 'import', file('i9.json', `[${GOOD_ITEM},${GOOD_ITEM.replace('good-j', 'good-k')}`)), expect: /i9\.json is not valid JSON: the array is not closed/ },
  { kind: 'import', name: 'JSON stray comma', run: () => cliError('unlocks', 'import', file('i10.json', `[${GOOD_ITEM},,]`)), expect: /i10\.json is not valid JSON: item 2 is empty \(a stray comma\)/ },
  { kind: 'import', name: 'missing column', run: () => cliError('unlocks', 'import', file('i6.csv', 'id,symbol,unlockAt\nx,ARB/USDT,2030-03-16T13:00:00Z\n')), expect: /missing column\(s\) unlockAmount, circulatingSupply/ },
];

test(`bad-input corpus: ${CASES.length} cases, each refused with a clear message and changing nothing`, async () => {
  const results: Array<Record<string, string>> = [];
  const failures: string[] = [];
  for (const c of CASES) {
    const before = await world();
    let message: string;
    try {
      message = await c.run();
    } catch (e) {
      message = `!! ${(e as Error).message}`;
    }
    const after = await world();
    const problems: string[] = [];
    if (!c.expect.test(message)) problems.push(`message ${JSON.stringify(message)} does not match ${c.expect}`);
    if (JSON.stringify(after.workflows) !== JSON.stringify(before.workflows)) problems.push(`workflows changed: ${after.workflows.filter((w) => !before.workflows.includes(w)).join(', ')}`);
    const expectedRows: Record<string, number> = { ...before.rows, ...(c.kind === 'signal' ? { alert: before.rows.alert! + 1 } : {}) };
    for (const [t, n] of Object.entries(after.rows)) if (n !== expectedRows[t]) problems.push(`${t} rows ${before.rows[t]} → ${n}`);
    if (JSON.stringify(after.status) !== JSON.stringify(before.status)) problems.push(`strategy status changed: ${JSON.stringify(before.status)} → ${JSON.stringify(after.status)}`);
    if (c.kind !== 'signal' && JSON.stringify(after.refusal) !== JSON.stringify(before.refusal)) problems.push('lastRefusal changed');
    results.push({ kind: c.kind, case: c.name, message: message.replace(/\s+/g, ' ').slice(0, 110), verdict: problems.length ? 'FAIL' : 'ok' });
    if (problems.length) failures.push(`${c.kind} / ${c.name}: ${problems.join('; ')}`);
  }
  const refusedAlerts = await stack.tdb.db.alert.findMany({ where: { kind: 'COMMAND_REFUSED' } });
  console.log(`BAD-INPUT CORPUS: ${CASES.length} cases (${(['config', 'cli', 'update', 'signal', 'import'] as Kind[]).map((k) => `${CASES.filter((c) => c.kind === k).length} ${k}`).join(', ')}); ${failures.length} failed\n${table(results)}\nCOMMAND_REFUSED alerts: ${refusedAlerts.length}`);
  expect(CASES.length).toBeGreaterThanOrEqual(20);
  expect(failures).toEqual([]);
  // and the strategy is still the one we started: PAPER, RUNNING, default limits
  expect(await stack.status(ID)).toMatchObject({ mode: 'PAPER', state: 'RUNNING', limits: { riskPerTradePct: '0.5', maxExposurePct: '90', dailyLossPct: '50' } });
}, 180_000);

test("the workflow's own check of a limits update knows exactly the config's risk fields", () => {
  const schemaFields = Object.keys(strategyConfigSchema.shape.risk.unwrap().shape).sort();
  expect([...INTEGER_RISK_FIELDS, ...DECIMAL_RISK_FIELDS, ...Object.keys(CHOICE_RISK_FIELDS)].sort()).toEqual(schemaFields);
});
