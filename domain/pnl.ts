/**
 * P&L of long positions, fees included, in exact decimals.
 *   realized   = (exit − entry) · quantity − entryFee − exitFee
 *   unrealized = (price − entry) · quantity − entryFee − estimated exit fee (price · quantity · feeRate)
 */
import type { ClosedTrade } from './types';
import { d, sumDec, toStr, ZERO } from './money';

export interface PositionPnlInput {
  entryPrice: string;
  exitPrice: string;
  quantity: string;
  entryFee?: string;
  exitFee?: string;
}

export interface PositionPnl {
  /** realized P&L, fees included */
  pnl: string;
  /** before fees */
  grossPnl: string;
  fees: string;
  /** entry notional = entryPrice · quantity */
  notional: string;
  /** pnl / notional · 100 ("0" for a zero notional) */
  returnPct: string;
}

export function positionPnl({ entryPrice, exitPrice, quantity, entryFee = '0', exitFee = '0' }: PositionPnlInput): PositionPnl {
  const q = d(quantity);
  const gross = d(exitPrice).minus(d(entryPrice)).times(q);
  const fees = d(entryFee).plus(d(exitFee));
  const pnl = gross.minus(fees);
  const notional = d(entryPrice).times(q);
  return {
    pnl: toStr(pnl),
    grossPnl: toStr(gross),
    fees: toStr(fees),
    notional: toStr(notional),
    returnPct: toStr(notional.isZero() ? ZERO : pnl.div(notional).times(100)),
  };
}

export interface UnrealizedPnlInput {
  entryPrice: string;
  /** mark price (bid is the conservative mark for a long) */
  price: string;
  quantity: string;
  /** fee already paid on entry */
  entryFee?: string;
  /** fee rate to estimate the exit fee; omitted = no exit fee estimated */
  feeRate?: string;
}

export function unrealizedPnl({ entryPrice, price, quantity, entryFee = '0', feeRate }: UnrealizedPnlInput): string {
  const q = d(quantity);
  const exitFee = feeRate ? d(price).times(q).times(d(feeRate)) : ZERO;
  return toStr(d(price).minus(d(entryPrice)).times(q).minus(d(entryFee)).minus(exitFee));
}

/** Exact sum of decimal strings. */
export function sumDecimals(xs: readonly string[]): string {
  return toStr(sumDec(xs));
}

/** Turn a closed position into the ClosedTrade the metrics read (pnl computed here, fees included). */
export function closedTrade(
  t: Omit<ClosedTrade, 'pnl' | 'fees'> & { entryFee?: string; exitFee?: string },
): ClosedTrade {
  const r = positionPnl({ entryPrice: t.entryPrice, exitPrice: t.exitPrice, quantity: t.quantity, entryFee: t.entryFee, exitFee: t.exitFee });
  return {
    positionId: t.positionId,
    symbol: t.symbol,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    quantity: t.quantity,
    fees: r.fees,
    pnl: r.pnl,
    openedAt: t.openedAt,
    closedAt: t.closedAt,
    exitReason: t.exitReason,
  };
}

/** Strategy-level P&L: realized over closed trades plus unrealized over open positions. */
export function strategyPnl(closed: readonly Pick<ClosedTrade, 'pnl'>[], openUnrealized: readonly string[] = []): {
  realized: string;
  unrealized: string;
  total: string;
} {
  const realized = sumDec(closed.map((t) => t.pnl));
  const unrealized = sumDec(openUnrealized);
  return { realized: toStr(realized), unrealized: toStr(unrealized), total: toStr(realized.plus(unrealized)) };
}
