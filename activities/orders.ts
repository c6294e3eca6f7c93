/**
 * Order activities: placing, cancelling and reconciling orders exactly once (design notes §2), thin over
 * the broker the trading mode selects (paper or live: the same recipe covers both).
 *
 * placeOrder(input):
 *   1. Upsert the Order row (unique clientOrderId) in PENDING_SUBMIT BEFORE calling the venue; an
 *      existing row is kept and its `attempts` incremented (a retry, a restarted worker, a batch exit
 *      racing the position's own exit).
 *   2. Existing row: terminal with an exchange order id → return it without calling the venue; still
 *      being submitted by someone else (PENDING_SUBMIT, no error, created < 20 s ago) → wait for that
 *      submission to settle (`awaitOtherSubmitter`); then fetch by clientOrderId — found → reconcile
 *      and return.
 *   3. Otherwise place, telling the broker the lookup is done (a new row proves no earlier submission;
 *      a retry looked the id up in step 2), so a live order costs one request; the broker still turns
 *      a duplicate-order reply, or an ambiguous failure it can find, into "already placed".
 *   4. Reconcile the row (status, filled, avg price, fee, realized slippage vs the signal price,
 *      expected slippage from the paper model) and insert Fill rows idempotently (unique
 *      orderId + tradeId, tradeId = "<exchangeOrderId>:<cumulative filled>").
 *   Errors: a non-retryable BrokerError → ApplicationFailure.nonRetryable(message, kind) and the row is
 *   marked REJECTED (when it never reached the venue); a retryable one → a retryable ApplicationFailure
 *   with `nextRetryDelay` = the venue's Retry-After when known. `lastError` is recorded on the row.
 *   Messages are scrubbed of credentials and request signatures.
 *
 * batchPlaceOrders(inputs): the emergency-stop fan-out — every order concurrently inside ONE activity
 * (no workflow task per position on the critical path), each through the same idempotent recipe,
 * retryable per-order errors retried inside with bounded attempts, heartbeating as it goes.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db/client';
import { estimateSlippagePct, spreadPct } from '../domain/fills';
import { d, toStr, ZERO } from '../domain/money';
import type { DecimalString, OrderPurpose, OrderStatus, OrderType, Side } from '../domain/types';
import type { BrokerRegistry } from '../exchange/broker-registry';
import { appendAudit } from './audit';
import { BrokerError, type Balance, type Broker, type BrokerOrder } from '../exchange/types';

export interface PlaceOrderInput {
  /** deterministic: `clientOrderIdFor(positionWorkflowId, purpose)` */
  clientOrderId: string;
  strategyId: string;
  positionId?: string;
  purpose: OrderPurpose;
  /** trading mode the order belongs to (selects paper vs live) */
  mode: string;
  symbol: string;
  side: Side;
  type: OrderType;
  amount: DecimalString;
  price?: DecimalString;
  /** price the decision was based on (execution quality: realized slippage is measured against it) */
  signalPrice: DecimalString;
  /** size the signal asked for */
  signalSize?: DecimalString;
  /** workflow time of the decision */
  asOf: number;
  /** the quote the decision saw; used for the expected-slippage estimate (else fetched after placing) */
  market?: { bid: DecimalString; ask: DecimalString; volume24hQuote: DecimalString };
}

export interface PlacedOrder {
  clientOrderId: string;
  venue: string;
  status: OrderStatus;
  filledAmount: DecimalString;
  /** "0" when nothing filled */
  avgPrice: DecimalString;
  fee: DecimalString;
  exchangeOrderId: string | null;
  expectedSlippagePct?: DecimalString;
  realizedSlippagePct?: DecimalString;
  /** how many times this order id was submitted to placeOrder (1 = first try) */
  attempts?: number;
  /** batchPlaceOrders only: why this order is not placed */
  error?: { message: string; kind: string; retryable: boolean };
}

export interface OrderActivityDeps {
  db: Db;
  brokers: BrokerRegistry;
  /** batchPlaceOrders: attempts per order inside the activity (default 5) */
  batchMaxAttempts?: number;
  /** batchPlaceOrders: first backoff, doubled per attempt, capped at 2 s (default 100 ms) */
  batchRetryBaseMs?: number;
  /** how long another submitter's call may still be in flight (default 20 s: the venue call's 10 s timeout plus the limiter's queue) */
  inFlightGraceMs?: number;
}

const TERMINAL: ReadonlySet<string> = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);

// ------------------------------------------------------------------ helpers (exported for other activities)

/** The activity context when running inside one (worker or MockActivityEnvironment), else undefined. */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function heartbeat(details?: unknown): void {
  activityContext()?.heartbeat(details);
}

/** Remove credentials and request signatures from a message before it is stored, thrown or logged. */
export function redactSecrets(msg: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = msg;
  for (const k of ['EXCHANGE_API_KEY', 'EXCHANGE_SECRET']) {
    const v = env[k];
    if (v && v.length >= 4) out = out.split(v).join('***');
  }
  return out
    .replace(/(signature=)[0-9a-fA-F]+/g, '$1***')
    .replace(/(X-MBX-APIKEY["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, '$1***')
    .replace(/((?:api[-_]?key|secret|password)["']?\s*[:=]\s*["']?)[^"',\s}&]+/gi, '$1***')
    .slice(0, 2000);
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'P2002' || /unique constraint|UNIQUE constraint failed|duplicate key/i.test(String((e as Error)?.message));
}

/** Map any error to what Temporal should see (retryable or not, with Retry-After). */
export function toActivityFailure(e: unknown): Error {
  if (e instanceof ApplicationFailure) return e;
  if (e instanceof BrokerError) {
    const message = redactSecrets(e.message);
    if (!e.retryable) return ApplicationFailure.nonRetryable(message, e.kind);
    return ApplicationFailure.create({
      message,
      type: e.kind,
      nonRetryable: false,
      ...(e.retryAfterMs !== undefined && e.retryAfterMs > 0 ? { nextRetryDelay: e.retryAfterMs } : {}),
    });
  }
  if (e instanceof Error) {
    e.message = redactSecrets(e.message);
    return e;
  }
  return new Error(redactSecrets(String(e)));
}

function brokerFor(brokers: BrokerRegistry, mode: string, strategyId?: string): Broker {
  return brokers.forMode(mode, { strategyId });
}

const str = (v: { toString(): string } | null | undefined): string | undefined => (v === null || v === undefined ? undefined : toStr(v.toString()));

type OrderRow = NonNullable<Awaited<ReturnType<Db['order']['findUnique']>>>;

function fromRow(row: OrderRow): PlacedOrder {
  return {
    clientOrderId: row.clientOrderId,
    venue: row.venue,
    status: row.status as OrderStatus,
    filledAmount: str(row.filledAmount) ?? '0',
    avgPrice: str(row.avgPrice) ?? '0',
    fee: str(row.fee) ?? '0',
    exchangeOrderId: row.exchangeOrderId,
    ...(row.expectedSlippagePct !== null ? { expectedSlippagePct: str(row.expectedSlippagePct) } : {}),
    ...(row.realizedSlippagePct !== null ? { realizedSlippagePct: str(row.realizedSlippagePct) } : {}),
    attempts: row.attempts,
  };
}

/** Realized slippage in percent vs the signal price; positive = worse for the trader. */
export function realizedSlippagePct(side: Side, signalPrice: string, avgPrice: string): string | undefined {
  const sp = d(signalPrice);
  const ap = d(avgPrice);
  if (sp.lte(0) || ap.lte(0)) return undefined;
  const diff = side === 'buy' ? ap.minus(sp) : sp.minus(ap);
  return toStr(diff.div(sp).times(100).toDecimalPlaces(8));
}

// ------------------------------------------------------------------ activities

export function createOrderActivities(deps: OrderActivityDeps) {
  const { db, brokers } = deps;

  async function upsertPending(input: PlaceOrderInput, venue: string): Promise<OrderRow> {
    const args = {
      where: { clientOrderId: input.clientOrderId },
      create: {
        clientOrderId: input.clientOrderId,
        strategyId: input.strategyId,
        positionId: input.positionId ?? null,
        purpose: input.purpose,
        venue,
        mode: input.mode,
        symbol: input.symbol,
        side: input.side,
        type: input.type,
        amount: input.amount,
        price: input.price ?? null,
        status: 'PENDING_SUBMIT',
        signalPrice: input.signalPrice,
        signalSize: input.signalSize ?? null,
        attempts: 1,
      },
      update: { attempts: { increment: 1 } },
    };
    try {
      return await db.order.upsert(args);
    } catch (e) {
      // two attempts racing on the first insert: the loser updates the winner's row
      if (!isUniqueViolation(e)) throw e;
      return db.order.update({ where: args.where, data: args.update });
    }
  }

  const snapshotCache = new Map<string, Promise<{ bid: string; ask: string; volume24hQuote: string } | undefined>>();

  async function expectedSlippage(input: PlaceOrderInput, cache?: Map<string, Promise<{ bid: string; ask: string; volume24hQuote: string } | undefined>>): Promise<string | undefined> {
    try {
      let m = input.market;
      if (!m) {
        const key = `${input.mode}|${input.symbol}|${input.asOf}`;
        const c = cache ?? snapshotCache;
        let p = c.get(key);
        if (!p) {
          p = brokers
            .marketData(input.mode)
            .snapshot(input.symbol, input.asOf)
            .then((s) => ({ bid: s.bid, ask: s.ask, volume24hQuote: s.volume24hQuote }))
            .catch(() => undefined);
          c.set(key, p);
          if (!cache) setTimeout(() => snapshotCache.delete(key), 1000).unref?.();
        }
        m = await p;
      }
      if (!m) return undefined;
      const notional = d(input.amount).times(d(input.signalPrice));
      return estimateSlippagePct({ notional: toStr(notional), volume24hQuote: m.volume24hQuote, spreadPct: spreadPct(m.bid, m.ask) });
    } catch {
      return undefined; // an estimate is best-effort; it never fails an order
    }
  }

  async function reconcile(row: OrderRow, bo: BrokerOrder, input: PlaceOrderInput, expected?: string): Promise<PlacedOrder> {
    const prevFilled = d(row.filledAmount.toString());
    const prevAvg = row.avgPrice ? d(row.avgPrice.toString()) : ZERO;
    const prevFee = d(row.fee.toString());
    const filled = d(bo.filledAmount);
    // never move backwards on a stale read
    if (filled.lt(prevFilled) || (TERMINAL.has(row.status) && !TERMINAL.has(bo.status) && row.exchangeOrderId)) return fromRow(row);
    const realized = filled.gt(0) ? realizedSlippagePct(input.side, input.signalPrice, bo.avgPrice) : undefined;
    const updated = await db.order.update({
      where: { id: row.id },
      data: {
        status: bo.status,
        exchangeOrderId: bo.exchangeOrderId || null,
        filledAmount: bo.filledAmount,
        avgPrice: filled.gt(0) ? bo.avgPrice : null,
        fee: bo.fee,
        feeCurrency: bo.feeCurrency ?? null,
        ...(realized !== undefined ? { realizedSlippagePct: realized } : {}),
        ...(expected !== undefined ? { expectedSlippagePct: expected } : {}),
        lastError: null,
      },
    });
    // the tamper-evident log gets every order state and every fill (idempotent keys: a retry appends nothing)
    if (updated.status !== row.status || !filled.eq(prevFilled)) {
      await appendAudit(db, {
        entryKey: `order:${row.clientOrderId}:${updated.status}:${toStr(filled)}`,
        kind: 'ORDER',
        strategyId: row.strategyId,
        payload: { clientOrderId: row.clientOrderId, venue: row.venue, symbol: row.symbol, side: row.side, purpose: row.purpose, status: updated.status, amount: row.amount.toString(), filled: toStr(filled), avgPrice: filled.gt(0) ? bo.avgPrice : null, fee: bo.fee, exchangeOrderId: bo.exchangeOrderId },
      });
    }
    if (filled.gt(prevFilled)) {
      const delta = filled.minus(prevFilled);
      const cost = filled.times(d(bo.avgPrice)).minus(prevFilled.times(prevAvg));
      const fee = d(bo.fee).minus(prevFee);
      try {
        await db.fill.create({
          data: {
            orderId: row.id,
            tradeId: `${bo.exchangeOrderId || row.clientOrderId}:${toStr(filled)}`,
            price: toStr(cost.div(delta).toDecimalPlaces(12)),
            amount: toStr(delta),
            fee: toStr(fee.gt(0) ? fee : ZERO),
            feeCurrency: bo.feeCurrency ?? null,
            filledAt: new Date(bo.timestamp || Date.now()),
          },
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e; // the same fill recorded by a concurrent / earlier attempt
      }
      const tradeId = `${bo.exchangeOrderId || row.clientOrderId}:${toStr(filled)}`;
      await appendAudit(db, {
        entryKey: `fill:${tradeId}`,
        kind: 'FILL',
        strategyId: row.strategyId,
        payload: { clientOrderId: row.clientOrderId, tradeId, amount: toStr(delta), price: toStr(cost.div(delta).toDecimalPlaces(12)), fee: toStr(fee.gt(0) ? fee : ZERO) },
      });
    }
    return fromRow(updated);
  }

  /** `placementRefused`: the error came from the placement call itself, not from a retry's lookup. */
  async function recordError(row: OrderRow, e: unknown, placementRefused: boolean): Promise<void> {
    const be = e instanceof BrokerError ? e : undefined;
    const message = redactSecrets(e instanceof Error ? e.message : String(e));
    try {
      await db.order.update({
        where: { id: row.id },
        data: {
          lastError: `${be ? be.kind + ': ' : ''}${message}`.slice(0, 1000),
          // a definite rejection of an order the venue never accepted (a failed lookup proves nothing:
          // the order may exist at the venue, so the row stays PENDING_SUBMIT for a human to check)
          ...(be && !be.retryable && placementRefused && row.status === 'PENDING_SUBMIT' && !row.exchangeOrderId ? { status: 'REJECTED' } : {}),
        },
      });
    } catch {
      /* the original error matters more */
    }
  }

  /**
   * Two submitters of one client order id at once — the emergency batch and the position's own exit,
   * or two workers — must not both place it: on Binance an id only has to be unique among OPEN orders,
   * so once the first market order has filled, a second submission is a second order. A row that is
   * still PENDING_SUBMIT, without an error, and younger than the grace period means its creator's call
   * may be in flight: wait for that call to settle the row (FILLED etc. → its result) or to record an
   * error, or for the grace period to pass (the creator crashed: Temporal retries a crashed attempt
   * only after its 30 s start-to-close timeout, so a real retry does not wait here). Then the caller
   * looks the id up at the venue as any retry does.
   */
  async function awaitOtherSubmitter(row: OrderRow): Promise<OrderRow | null> {
    const grace = deps.inFlightGraceMs ?? 20_000;
    const inFlight = (r: OrderRow) => r.status === 'PENDING_SUBMIT' && !r.exchangeOrderId && r.lastError === null && Date.now() - r.createdAt.getTime() < grace;
    let current: OrderRow | null = row;
    while (current && inFlight(current)) {
      heartbeat({ waitingFor: current.clientOrderId });
      await new Promise((r) => setTimeout(r, 100));
      current = await db.order.findUnique({ where: { clientOrderId: row.clientOrderId } });
    }
    return current && TERMINAL.has(current.status) && current.exchangeOrderId ? current : null;
  }

  /** The recipe, throwing raw errors (BrokerError or other). */
  async function placeOrderCore(input: PlaceOrderInput, cache?: Map<string, Promise<{ bid: string; ask: string; volume24hQuote: string } | undefined>>): Promise<PlacedOrder> {
    const broker = brokerFor(brokers, input.mode, input.strategyId);
    const row = await upsertPending(input, broker.venue);
    const retry = row.attempts > 1;
    let placing = false;
    try {
      if (retry && TERMINAL.has(row.status) && row.exchangeOrderId) return fromRow(row);
      if (retry) {
        const settled = await awaitOtherSubmitter(row);
        if (settled) return fromRow(settled);
      }
      let bo: BrokerOrder | null = null;
      if (retry) bo = await broker.fetchOrderByClientId(input.symbol, input.clientOrderId);
      placing = !bo;
      bo ??= await broker.placeOrder({
        clientOrderId: input.clientOrderId,
        symbol: input.symbol,
        side: input.side,
        type: input.type,
        amount: input.amount,
        ...(input.price !== undefined ? { price: input.price } : {}),
        asOf: input.asOf,
        // a first attempt created the row just now, so nothing can be at the venue yet; a retry has
        // just looked the id up above: either way the broker's own lookup would be a second request
        lookedUp: true,
      });
      const expected = row.expectedSlippagePct !== null ? undefined : await expectedSlippage(input, cache);
      return await reconcile(row, bo, input, expected);
    } catch (e) {
      await recordError(row, e, placing);
      throw e;
    }
  }

  async function placeOrder(input: PlaceOrderInput): Promise<PlacedOrder> {
    try {
      return await placeOrderCore(input);
    } catch (e) {
      throw toActivityFailure(e);
    }
  }

  async function batchPlaceOrders(inputs: PlaceOrderInput[]): Promise<PlacedOrder[]> {
    const maxAttempts = deps.batchMaxAttempts ?? 5;
    const base = deps.batchRetryBaseMs ?? 100;
    const ctx = activityContext();
    const cache = new Map<string, Promise<{ bid: string; ask: string; volume24hQuote: string } | undefined>>();
    let done = 0;
    let retries = 0;
    const beat = () => ctx?.heartbeat({ done, total: inputs.length, retries });
    beat();
    const exhausted: string[] = [];
    const results = await Promise.all(
      inputs.map(async (input): Promise<PlacedOrder> => {
        for (let attempt = 1; ; attempt++) {
          try {
            const r = await placeOrderCore(input, cache);
            done++;
            beat();
            return r;
          } catch (e) {
            const be = e instanceof BrokerError ? e : undefined;
            const retryable = be ? be.retryable : !(e instanceof ApplicationFailure && e.nonRetryable);
            if (!retryable || attempt >= maxAttempts) {
              if (retryable) exhausted.push(input.clientOrderId);
              done++;
              beat();
              const row = await db.order.findUnique({ where: { clientOrderId: input.clientOrderId } }).catch(() => null);
              const message = redactSecrets(e instanceof Error ? e.message : String(e));
              const base: PlacedOrder = row
                ? fromRow(row)
                : { clientOrderId: input.clientOrderId, venue: 'unknown', status: 'REJECTED', filledAmount: '0', avgPrice: '0', fee: '0', exchangeOrderId: null };
              return { ...base, error: { message, kind: be?.kind ?? 'UNKNOWN', retryable } };
            }
            retries++;
            beat();
            const wait = Math.min(2000, be?.retryAfterMs ?? base * 2 ** (attempt - 1));
            await new Promise((r) => setTimeout(r, wait));
          }
        }
      }),
    );
    if (exhausted.length > 0) {
      // every order is idempotent: a retry of the whole batch finds the placed ones and finishes the rest
      throw ApplicationFailure.create({
        message: `${exhausted.length} of ${inputs.length} orders still failing after ${maxAttempts} attempts each (${retries} retries): ${exhausted.slice(0, 5).join(', ')}${exhausted.length > 5 ? ', …' : ''}`,
        type: 'BATCH_INCOMPLETE',
        nonRetryable: false,
        details: [results],
      });
    }
    return results;
  }

  async function cancelOrder(input: { clientOrderId: string; mode: string; symbol: string; strategyId?: string }): Promise<PlacedOrder> {
    const row = await db.order.findUnique({ where: { clientOrderId: input.clientOrderId } });
    const broker = brokerFor(brokers, input.mode, input.strategyId ?? row?.strategyId);
    try {
      const bo = await broker.cancelOrder(input.symbol, input.clientOrderId);
      if (!row) {
        return { clientOrderId: bo.clientOrderId, venue: broker.venue, status: bo.status, filledAmount: bo.filledAmount, avgPrice: bo.avgPrice, fee: bo.fee, exchangeOrderId: bo.exchangeOrderId };
      }
      return await reconcile(row, bo, {
        clientOrderId: row.clientOrderId,
        strategyId: row.strategyId,
        purpose: row.purpose as OrderPurpose,
        mode: row.mode,
        symbol: row.symbol,
        side: row.side as Side,
        type: row.type as OrderType,
        amount: row.amount.toString(),
        signalPrice: row.signalPrice?.toString() ?? '0',
        asOf: Date.now(),
      });
    } catch (e) {
      if (row) await recordError({ ...row, status: 'OPEN' }, e, false);
      throw toActivityFailure(e);
    }
  }

  async function fetchBalances(input: { mode: string; strategyId: string }): Promise<{ venue: string; balances: Balance[]; takenAt: number }> {
    try {
      const broker = brokerFor(brokers, input.mode, input.strategyId);
      const balances = await broker.fetchBalances();
      const takenAt = new Date();
      if (balances.length > 0) {
        await db.balanceSnapshot.createMany({
          data: balances.map((b) => ({ strategyId: input.strategyId, venue: broker.venue, currency: b.currency, free: b.free, used: b.used, total: b.total, takenAt })),
        });
      }
      return { venue: broker.venue, balances, takenAt: takenAt.getTime() };
    } catch (e) {
      throw toActivityFailure(e);
    }
  }

  return { placeOrder, batchPlaceOrders, cancelOrder, fetchBalances };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;

// ------------------------------------------------------------------ execution quality

export interface ExecutionQualityRow {
  venue: string;
  symbol: string;
  /** filled orders with a realized slippage */
  count: number;
  /** mean of the paper model's estimate, percent (null when no order had one) */
  meanExpectedSlippagePct: string | null;
  /** mean realized slippage vs the signal price, percent (positive = worse) */
  meanRealizedSlippagePct: string;
  /** mean of (realized − expected) over orders that have both: > 0 means the model is too kind */
  meanExcessSlippagePct: string | null;
}

/** Expected vs realized slippage per venue and symbol, so paper and live results compare honestly. */
export async function executionQuality(db: Db, filter: { venue?: string; symbol?: string; strategyId?: string } = {}): Promise<ExecutionQualityRow[]> {
  const rows = await db.order.findMany({
    where: {
      ...(filter.venue ? { venue: filter.venue } : {}),
      ...(filter.symbol ? { symbol: filter.symbol } : {}),
      ...(filter.strategyId ? { strategyId: filter.strategyId } : {}),
      realizedSlippagePct: { not: null },
    },
    select: { venue: true, symbol: true, expectedSlippagePct: true, realizedSlippagePct: true, filledAmount: true },
  });
  const groups = new Map<string, { venue: string; symbol: string; n: number; real: ReturnType<typeof d>; exp: ReturnType<typeof d>; nExp: number; excess: ReturnType<typeof d> }>();
  for (const r of rows) {
    // money columns are exact decimal TEXT on SQLite, so numeric filters happen here, not in SQL
    if (d(r.filledAmount.toString()).lte(0)) continue;
    const k = `${r.venue}\n${r.symbol}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { venue: r.venue, symbol: r.symbol, n: 0, real: ZERO, exp: ZERO, nExp: 0, excess: ZERO }));
    const real = d(r.realizedSlippagePct!.toString());
    g.n++;
    g.real = g.real.plus(real);
    if (r.expectedSlippagePct !== null) {
      const exp = d(r.expectedSlippagePct.toString());
      g.nExp++;
      g.exp = g.exp.plus(exp);
      g.excess = g.excess.plus(real.minus(exp));
    }
  }
  const mean = (s: ReturnType<typeof d>, n: number) => toStr(s.div(n).toDecimalPlaces(6));
  return [...groups.values()]
    .sort((a, b) => a.venue.localeCompare(b.venue) || a.symbol.localeCompare(b.symbol))
    .map((g) => ({
      venue: g.venue,
      symbol: g.symbol,
      count: g.n,
      meanExpectedSlippagePct: g.nExp ? mean(g.exp, g.nExp) : null,
      meanRealizedSlippagePct: mean(g.real, g.n),
      meanExcessSlippagePct: g.nExp ? mean(g.excess, g.nExp) : null,
    }));
}
