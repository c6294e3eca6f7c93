/**
 * The Temporal Web UI in headless Chromium (Debian's chromium + playwright-core): the strategy workflow
 * is listed when filtering on its StrategyId search attribute, its page shows the input, and a
 * screenshot is saved as a test artifact (test-artifacts/webui-strategy.png).
 */
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, startDevServerOnFreePorts } from '../../scripts/lib/dev-server';
import { freePort } from '../helpers/ports';
import { parseStrategyConfig } from '../../config/strategy-config';
import { StrategyIdKey, StrategyStateKey, TradingModeKey } from '../../workflows/search-attributes';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

let server: Awaited<ReturnType<typeof startDevServer>>;
let browser: Browser;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webui-'));
  ({ server } = await startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(dir, `t${n}.db`), logFile: join(dir, `s${n}.log`) })));
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('the strategy workflow is listed by its search attributes and its page renders', async () => {
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const config = parseStrategyConfig({ strategyId: 'webui-1', name: 'Web UI check' });
  const wid = 'strategy-webui-1';
  await client.workflow.start('strategyWorkflow', {
    taskQueue: 'webui-no-worker',
    workflowId: wid,
    args: [{ config }],
    typedSearchAttributes: [
      { key: StrategyIdKey, value: 'webui-1' },
      { key: TradingModeKey, value: 'PAPER' },
      { key: StrategyStateKey, value: 'RUNNING' },
    ],
  });
  await client.workflow.start('strategyWorkflow', { taskQueue: 'webui-no-worker', workflowId: 'strategy-other', args: [{ config: { ...config, strategyId: 'other' } }], typedSearchAttributes: [{ key: StrategyIdKey, value: 'other' }] });

  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-US' });
  const page = await ctx.newPage();
  const query = encodeURIComponent('StrategyId="webui-1" AND TradingMode="PAPER"');
  await page.goto(`${server.uiUrl}/namespaces/default/workflows?query=${query}`, { waitUntil: 'domcontentloaded' });
  await page.getByRole('link', { name: wid, exact: true }).waitFor({ timeout: 30_000 });
  expect(await page.getByText('strategy-other').count()).toBe(0);

  await page.goto(`${server.uiUrl}/namespaces/default/workflows/${wid}`, { waitUntil: 'domcontentloaded' });
  await page.getByText('"strategyId": "webui-1"').first().waitFor({ timeout: 30_000 });
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, 'webui-strategy.png');
  await page.screenshot({ path: file, fullPage: true });
  expect(statSync(file).size).toBeGreaterThan(10_000);
  await ctx.close();
  await client.workflow.getHandle(wid).terminate('test done');
  await client.workflow.getHandle('strategy-other').terminate('test done');
  await client.connection.close();
}, 120_000);
