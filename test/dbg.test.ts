import { timeSkippingEnv } from '/work/main/test/helpers/temporal';
import { freshSqliteDb } from '/work/main/test/helpers/db';
import { DAY, HOUR, insertEvents, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '/work/main/test/helpers/trading';
test('dbg', async () => {
  const env = await timeSkippingEnv();
  const tdb = await freshSqliteDb();
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  m.script('TPX/USDT', 2, t0 + 9 * HOUR, +6);
  await insertEvents(tdb.db, [unlockEvent('TP-1', 'TPX/USDT', t0 + 30 * HOUR)]);
  const config = testConfig({ strategyId: 'dbg', timing: { scanInterval: '1h' } });
  const lines: string[] = [];
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'dbg', paperMarket: m.market, lines });
  await worker.runUntil(async () => {
    const h = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'dbg', workflowId: 'strategy-dbg', args: [{ config }] });
    for (let i = 0; i < 12; i++) {
      await env.sleep(4 * HOUR);
      const st = await h.query('status') as any;
      let pos: any = null;
      try { pos = await env.client.workflow.getHandle('position-dbg-TP-1').query('positionState'); } catch (e) { pos = String(e).slice(0, 100); }
      console.log(i, (await env.currentTimeMs() - t0) / HOUR, st.mode, st.openPositions, st.closedTrades, JSON.stringify(pos)?.slice(0, 300), lines.join('|'));
    }
    const desc = await h.describe(); console.log(desc.status.name);
  });
  await tdb.close(); await env.teardown();
}, 300000);
