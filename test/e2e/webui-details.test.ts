/**
 * The trade in the Temporal Web UI (headless Chromium, playwright-core): a strategy started the way
 * every client starts it, with a worker and a scripted paper market, opens a position; the workflow
 * list shows the trade's search attributes as columns (symbol, mode, status), and the position's page
 * shows its static summary, its current details (status, entry, stop, target) and the summaries of its
 * entry order and holding timer; the strategy's page shows its summary and details. Screenshots: test-artifacts/webui-details-*.png.
 */
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, startDevServerOnFreePorts } from '../../scripts/lib/dev-server';
import { freePort } from '../helpers/ports';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { HOUR, insertEvents, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { startStrategyWorkflow } from '../../client/strategy-client';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';
import { positionSummary } from '../../workflows/position/details';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const LIST_COLUMNS = ['Status', 'Workflow ID', 'Symbol', 'TradingMode', 'PositionStatus', 'Type', 'Start'].map((label, i) => ({ label, pinned: i < 2 }));

/** The text of the page and of every frame in it (the UI renders user metadata markdown in frames). */
async function framesText(page: Page): Promise<string> {
  const texts = await Promise.all(page.frames().map((f) => f.locator('body').innerText().catch(() => '')));
  return texts.join('\n');
}

let server: Awaited<ReturnType<typeof startDevServer>>;
let browser: Browser;
let tdb: TestDb;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webui-details-'));
  ({ server } = await startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(dir, `t${n}.db`), logFile: join(dir, `s${n}.log`) })));
  tdb = await freshSqliteDb();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await tdb?.close();
  await server?.stop();
});

test('the list shows the trade as columns; the position page shows its summary and details', async () => {
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const env = { nativeConnection, namespace: 'default' } as unknown as TestWorkflowEnvironment;
  const m = scriptedMarket();
  m.flat('ARB/USDT', 1.2345678);
  // the entry target (unlock − 24 h) is now: the position enters at once and holds through the unlock
  const unlockAt = Date.now() + 24 * HOUR;
  await insertEvents(tdb.db, [unlockEvent('ARB-UI', 'ARB/USDT', unlockAt)]);
  const config = testConfig({ strategyId: 'webui-details', timing: { scanInterval: '1h' } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'webui-details', paperMarket: m.market });
  const positionId = positionWorkflowId('webui-details', 'ARB-UI');

  await worker.runUntil(async () => {
    const { workflowId } = await startStrategyWorkflow(client, config, 'webui-details');
    await waitFor('the position to open', () => client.workflow.getHandle(positionId).query<PositionView>('positionState'), (v) => v.status === 'OPEN', 60_000);
    const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, timezoneId: 'UTC', locale: 'en-US' });
    const page = await ctx.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });

    // the list (UI 2.54 has no Summary column): the trade's search attributes as columns, configured
    // the way the UI stores "Configure columns" (localStorage, per namespace)
    await ctx.addInitScript(`window.localStorage.setItem('namespace-workflow-table-columns', ${JSON.stringify(JSON.stringify({ default: LIST_COLUMNS }))});`);
    await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent('StrategyId="webui-details"')}`, { waitUntil: 'domcontentloaded' });
    await page.getByRole('link', { name: positionId, exact: true }).waitFor({ timeout: 30_000 });
    const row = page.getByRole('row').filter({ hasText: positionId });
    await row.getByText('ARB/USDT').waitFor({ timeout: 30_000 });
    expect(await row.innerText()).toMatch(/ARB\/USDT[\s\S]*PAPER[\s\S]*OPEN/);
    await page.screenshot({ path: join(ARTIFACTS, 'webui-details-list.png'), fullPage: true });

    // the position page: the timeline names the entry order and the holding timer (activity and timer
    // summaries); User Metadata shows the static summary and the current details (the UI renders the
    // markdown in a sandboxed frame; the worker serves the details through the metadata query)
    await page.goto(`${server.uiUrl}/namespaces/default/workflows/${positionId}`, { waitUntil: 'domcontentloaded' });
    await page.getByText('placeOrder • entry order').first().waitFor({ timeout: 30_000 });
    await page.getByText('until unlock + 48 h').first().waitFor({ timeout: 30_000 });
    await page.getByText('User Metadata').first().click({ timeout: 30_000 });
    await waitFor('the static summary', () => framesText(page), (t) => t.includes(positionSummary('ARB/USDT', unlockAt, 'PAPER')), 30_000);
    const details = await waitFor('the current details', () => framesText(page), (t) => /ARB\/USDT · OPEN · PAPER/.test(t), 30_000);
    expect(details).toMatch(/entry: 1\.23\d* × [\d.]+ at /);
    expect(details).toMatch(/stop: [\d.]+ · target: [\d.]+/);
    expect(details).toContain('P&L: open');
    const file = join(ARTIFACTS, 'webui-details-position.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);

    // the strategy page: its static summary and details (mode since when, gate due, the open position)
    await page.goto(`${server.uiUrl}/namespaces/default/workflows/${workflowId}`, { waitUntil: 'domcontentloaded' });
    await page.getByText('User Metadata').first().click({ timeout: 30_000 });
    const strategy = await waitFor('the strategy details', () => framesText(page), (t) => t.includes('Open positions: 1'), 30_000);
    expect(strategy).toContain('strategy webui-details · PAPER · token-unlock');
    expect(strategy).toMatch(/PAPER since \d{4}-\d\d-\d\d \d\d:\d\d UTC · RUNNING/);
    expect(strategy).toMatch(/Gate → LIVE_MINIMAL: not evaluated yet · due /);
    expect(strategy).toMatch(/ARB\/USDT · OPEN · [\d.]+ @ 1\.23/);
    await page.screenshot({ path: join(ARTIFACTS, 'webui-details-strategy.png'), fullPage: true });
    await ctx.close();

    await client.workflow.getHandle(workflowId).signal('stopStrategy', {});
    await client.workflow.getHandle(workflowId).result();
  });
  await client.schedule.getHandle('daily-report-webui-details').delete().catch(() => undefined);
  await nativeConnection.close();
  await connection.close();
}, 180_000);
