/**
 * A paper account's balances, derived from its orders: fills move base and quote (fees in quote),
 * resting limit / stop orders reserve what they may spend. The funds check rejects an order the
 * account cannot pay with INSUFFICIENT_FUNDS, as a venue would.
 */
import { d, toStr, ZERO, type Dec } from '../domain/money';
import type { PaperStoredOrder } from './paper-venue-store';
import { BrokerError, type Balance } from './types';

export const OPEN_STATUSES: ReadonlySet<string> = new Set(['OPEN', 'PARTIALLY_FILLED']);

/** Running totals of one account: what it holds and what its resting orders reserve, per currency. */
export interface Ledger {
  /** when the totals were computed (ms), for the cache's time to live */
  at: number;
  total: Map<string, Dec>;
  used: Map<string, Dec>;
}

/** Add one order's effect to running totals: fills move base and quote (fees in quote); resting orders reserve. */
export function applyOrder(total: Map<string, Dec>, used: Map<string, Dec>, o: PaperStoredOrder): void {
  const add = (m: Map<string, Dec>, c: string, v: Dec) => m.set(c, (m.get(c) ?? ZERO).plus(v));
  const [base, quote] = o.symbol.split('/') as [string, string];
  const filled = d(o.filledAmount);
  const notional = filled.times(d(o.avgPrice));
  if (o.side === 'buy') {
    add(total, base, filled);
    add(total, quote, notional.plus(d(o.fee)).neg());
  } else {
    add(total, base, filled.neg());
    add(total, quote, notional.minus(d(o.fee)));
  }
  if (OPEN_STATUSES.has(o.status) && o.type !== 'market') {
    const rest = d(o.amount).minus(filled);
    if (o.side === 'buy') add(used, quote, rest.times(d(o.price ?? '0')).times(d(1).plus(d(o.feeRate))));
    else add(used, base, rest);
  }
}

/** Throws INSUFFICIENT_FUNDS when `o` (already filled as far as it goes) needs more than the ledger has free. */
export function checkFunds(o: PaperStoredOrder, ledger: Ledger, account: string): void {
  const [base, quote] = o.symbol.split('/') as [string, string];
  const free = (c: string) => (ledger.total.get(c) ?? ZERO).minus(ledger.used.get(c) ?? ZERO);
  if (o.side === 'buy') {
    const filledCost = d(o.filledAmount).times(d(o.avgPrice)).plus(d(o.fee));
    const rest = d(o.amount).minus(d(o.filledAmount));
    const reserve = OPEN_STATUSES.has(o.status) && o.price ? rest.times(d(o.price)).times(d(1).plus(d(o.feeRate))) : ZERO;
    const need = filledCost.plus(reserve);
    if (need.gt(free(quote))) {
      throw new BrokerError(`paper account ${account}: insufficient ${quote} balance (need ${toStr(need.toDecimalPlaces(8))}, free ${toStr(free(quote))})`, 'INSUFFICIENT_FUNDS', false);
    }
  } else if (d(o.amount).gt(free(base))) {
    throw new BrokerError(`paper account ${account}: insufficient ${base} balance (need ${o.amount}, free ${toStr(free(base))})`, 'INSUFFICIENT_FUNDS', false);
  }
}

/** The Broker's balance list from running totals: currencies sorted, empty ones left out. */
export function balanceList(total: Map<string, Dec>, used: Map<string, Dec>): Balance[] {
  const currencies = new Set([...total.keys(), ...used.keys()]);
  const out: Balance[] = [];
  for (const c of [...currencies].sort()) {
    const tot = total.get(c) ?? ZERO;
    const u = used.get(c) ?? ZERO;
    if (tot.isZero() && u.isZero()) continue;
    out.push({ currency: c, free: toStr(tot.minus(u)), used: toStr(u), total: toStr(tot) });
  }
  return out;
}
