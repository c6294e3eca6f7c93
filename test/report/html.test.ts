/**
 * The HTML report opens in headless Chromium with the network OFF (every request that is not the file
 * itself is aborted and counted): every chart has drawn data, no console errors, no page errors, and a
 * screenshot is kept in test-artifacts/report.png. Text from data is escaped.
 */
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { renderHtmlReport, writeHtmlReport } from '../../report/html';
import { CHART_IDS } from '../../report/html-script';
import { syntheticRunRecord } from '../helpers/run-record';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 60_000);
afterAll(async () => browser?.close());

test('the paper-run report draws every chart offline, with no console errors', async () => {
  const record = syntheticRunRecord({
    id: 'paper-<b>1</b>',
    kind: 'paper',
    modeHistory: [{ mode: 'PAPER', since: Date.UTC(2025, 0, 1) }, { mode: 'LIVE_MINIMAL', since: Date.UTC(2025, 3, 1), by: 'alice <script>' }],
    gate: { basis: 'daily', evaluatedAt: Date.UTC(2025, 2, 1), result: { passed: true, criteria: [{ name: 'SHARPE', passed: true, value: '1.2', threshold: '0.5', op: '>=', unit: 'ratio' }] } },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'report-html-')), 'report.html');
  writeHtmlReport(record, file);

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-US', offline: true });
  const page = await ctx.newPage();
  const external: string[] = [];
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    external.push(route.request().url());
    return route.abort();
  });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  const drawn = await page.evaluate((ids) => {
    // runs in the page: DOM types are not in this project's lib, so the page's globals are typed here
    interface Canvas { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }
    const page = globalThis as unknown as { reportCharts: Record<string, { data: { datasets: { data: number[] }[] } }>; document: { getElementById(id: string): Canvas | null } };
    return ids.map((id) => {
      const canvas = page.document.getElementById(id);
      const chart = page.reportCharts[id];
      let painted = 0;
      if (canvas) {
        const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) painted++;
      }
      return { id, points: chart ? chart.data.datasets.reduce((n, ds) => n + ds.data.length, 0) : 0, datasets: chart?.data.datasets.length ?? 0, painted, width: canvas?.width ?? 0 };
    });
  }, [...CHART_IDS]);
  for (const c of drawn) {
    expect({ id: c.id, hasPoints: c.points > 0, painted: c.painted > 500 }).toEqual({ id: c.id, hasPoints: true, painted: true });
    expect(c.width).toBeGreaterThan(100);
  }
  expect(drawn.find((c) => c.id === 'chart-equity')!.datasets).toBe(2); // strategy + buy & hold
  expect(errors).toEqual([]);
  expect(external).toEqual([]);

  const text = await page.textContent('body');
  expect(text).toContain('paper-<b>1</b>'); // shown as text, not markup
  expect(text).toContain('alice <script>');
  expect(await page.locator('table.events tbody tr').count()).toBe(record.events.length);
  expect(await page.locator('table.trades tbody tr').count()).toBe(record.trades.length);
  expect(text).toContain('Gate progress');
  expect(text).toContain('Mode history');

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'report.png');
  await page.screenshot({ path: shot, fullPage: true });
  expect(statSync(shot).size).toBeGreaterThan(20_000);
  await ctx.close();
}, 120_000);

test('the page is self-contained and text from data is escaped', () => {
  const html = renderHtmlReport(syntheticRunRecord({ strategyId: 'x', id: '</script><img src=x onerror=alert(1)>' }));
  expect(html).not.toMatch(/<script[^>]+src=/);
  expect(html).not.toContain('<img src=x');
  expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
  expect(renderHtmlReport(syntheticRunRecord())).toBe(renderHtmlReport(syntheticRunRecord()));
});
