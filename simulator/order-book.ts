/**
 * The simulator's synthetic order book around the path price: best bid / ask = mid ∓ half the spread
 * (rounded outward to the tick), then `depthLevels` levels per side `levelStepBps` apart, each holding
 * ≈ `levelQuote` of quote value with a deterministic per-second jitter. A large market order walks it
 * (pays more) and expires partially filled when the book runs out.
 */
import Decimal from 'decimal.js';
import { quantize } from '../domain/precision';
import { hashString32 } from '../domain/seeded-random';
import type { BookOptions, Market } from './types';

export interface BookSide {
  price: Decimal;
  qty: Decimal;
}

export interface Touch {
  bid: Decimal;
  ask: Decimal;
  mid: Decimal;
}

/** best bid / ask around `mid`, rounded outward to the tick */
export function touchAround(m: Market, mid: Decimal, opts: BookOptions): Touch {
  const half = mid.mul((opts.spreadBps ?? 4) / 2 / 10_000);
  const tick = new Decimal(m.tickSize);
  let bid = new Decimal(quantize(mid.sub(half), tick, 'down'));
  let ask = new Decimal(quantize(mid.add(half), tick, 'up'));
  if (ask.lte(bid)) ask = bid.add(tick);
  if (bid.lte(0)) bid = tick;
  return { bid, ask, mid };
}

/** synthetic depth at epoch ms `t`: up to `limit` levels per side (capped at `depthLevels`) */
export function depthAround(m: Market, touch: Touch, t: number, limit: number, opts: BookOptions): { bids: BookSide[]; asks: BookSide[] } {
  const levels = Math.min(limit, opts.depthLevels ?? 20);
  const { bid, ask, mid } = touch;
  const tick = new Decimal(m.tickSize);
  const stepBps = opts.levelStepBps ?? 5;
  let step = new Decimal(quantize(mid.mul(stepBps / 10_000), tick, 'up'));
  if (step.lt(tick)) step = tick;
  const levelQuote = opts.levelQuote?.[m.symbol] ?? m.volume24hQuote * 0.0002;
  const stepSize = new Decimal(m.stepSize);
  const sec = Math.floor(t / 1000);
  const qtyAt = (price: Decimal, side: number, i: number): Decimal => {
    const h = hashString32(`${m.symbol}:${side}:${i}:${sec}`) / 4294967296; // [0,1)
    const q = new Decimal(levelQuote).mul(0.6 + 0.8 * h).div(price);
    const r = new Decimal(quantize(q, stepSize, 'down'));
    return r.gt(0) ? r : stepSize;
  };
  const bids: BookSide[] = [];
  const asks: BookSide[] = [];
  for (let i = 0; i < levels; i++) {
    const bp = bid.sub(step.mul(i));
    if (bp.gt(0)) bids.push({ price: bp, qty: qtyAt(bp, 0, i) });
    const ap = ask.add(step.mul(i));
    asks.push({ price: ap, qty: qtyAt(ap, 1, i) });
  }
  return { bids, asks };
}

/** quote cost of buying `qty` by walking `asks` (beyond the book: last level price) */
export function walkCost(asks: BookSide[], qty: Decimal): Decimal {
  let left = qty;
  let cost = new Decimal(0);
  for (const l of asks) {
    const q = Decimal.min(left, l.qty);
    cost = cost.add(q.mul(l.price));
    left = left.sub(q);
    if (left.lte(0)) break;
  }
  if (left.gt(0)) cost = cost.add(left.mul(asks[asks.length - 1]?.price ?? 0));
  return cost;
}
