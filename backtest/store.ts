/**
 * Stored backtest runs (BacktestRun table of the app DB that DATABASE_URL names), so that
 * `report backtest:<runId>` and `report compare` can read a run long after it finished.
 */
import type { Db } from '../db/client';
import type { RunRecord } from '../domain/run-record';

export class BacktestRunNotFound extends Error {
  override name = 'BacktestRunNotFound';
}

/** `backtest:<runId>` or `<runId>` → `<runId>` */
export const runIdOf = (id: string) => id.replace(/^backtest:/, '');

export async function saveBacktestRun(db: Db, record: RunRecord, summary: unknown): Promise<string> {
  const id = runIdOf(record.id);
  await db.backtestRun.create({
    data: {
      id,
      strategyId: record.strategyId,
      configJson: JSON.stringify(record.config),
      dataFingerprint: record.dataFingerprint ?? '',
      fromTs: new Date(record.from),
      toTs: new Date(record.to),
      summaryJson: JSON.stringify(summary),
      recordJson: JSON.stringify(record),
    },
  });
  return id;
}

export async function loadBacktestRun(db: Db, runId: string): Promise<RunRecord> {
  const row = await db.backtestRun.findUnique({ where: { id: runIdOf(runId) } });
  if (!row) throw new BacktestRunNotFound(`no backtest run "${runIdOf(runId)}" in the app database (DATABASE_URL)`);
  return JSON.parse(row.recordJson) as RunRecord;
}

export async function listBacktestRuns(db: Db, limit = 50) {
  const rows = await db.backtestRun.findMany({ orderBy: { createdAt: 'desc' }, take: limit, select: { id: true, createdAt: true, strategyId: true, fromTs: true, toTs: true, summaryJson: true } });
  return rows.map((r) => ({ id: r.id, createdAt: r.createdAt.getTime(), strategyId: r.strategyId, from: r.fromTs.getTime(), to: r.toTs.getTime(), summary: JSON.parse(r.summaryJson) as unknown }));
}
