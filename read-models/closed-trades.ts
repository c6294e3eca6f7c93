/** Closed Position rows as the domain's ClosedTrade, the one shape the metrics and reports read. */
import type { Db } from '../db/client';
import { d, toStr } from '../domain/money';
import type { ClosedTrade, ExitReason } from '../domain/types';

export type PositionRow = Awaited<ReturnType<Db['position']['findMany']>>[number];

const s = (x: { toString(): string } | null | undefined) => (x === null || x === undefined ? null : x.toString());

/** fees = entry + exit fee; a row missing a price or P&L reads "0", missing times fall back to the row's own. */
export function closedTradeOf(p: PositionRow): ClosedTrade {
  return {
    positionId: p.id,
    symbol: p.symbol,
    entryPrice: s(p.entryPrice) ?? '0',
    exitPrice: s(p.exitPrice) ?? '0',
    quantity: p.quantity.toString(),
    fees: toStr(d(p.entryFee.toString()).plus(d(p.exitFee.toString()))),
    pnl: s(p.realizedPnl) ?? '0',
    openedAt: (p.openedAt ?? p.createdAt).getTime(),
    closedAt: (p.closedAt ?? p.updatedAt).getTime(),
    exitReason: (p.exitReason ?? 'MANUAL') as ExitReason,
  };
}
