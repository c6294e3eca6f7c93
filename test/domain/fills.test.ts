import { bookImpactPct, estimateSlippagePct, simulateFill, spreadPct } from '../../domain/fills';
import type { FillModelInput } from '../../domain/types';

const mk = (o: Partial<FillModelInput>): FillModelInput => ({
  side: 'buy',
  type: 'market',
  amount: '10',
  bid: '100',
  ask: '100',
  volume24hQuote: '0',
  feeRate: '0.001',
  ...o,
});

describe('estimateSlippagePct = clamp(0.05 + 10·notional/volume + 0.5·spreadPct, 0.05, 0.2)', () => {
  test('floor: nothing to pay for → 0.05', () => expect(estimateSlippagePct({ notional: '0', volume24hQuote: '1000000', spreadPct: '0' })).toBe('0.05'));
  // 0.05 + 10·500.25/10 000 000 + 0.5·0.1 = 0.05 + 0.00050025 + 0.05 = 0.10050025
  test('in between', () => expect(estimateSlippagePct({ notional: '500.25', volume24hQuote: '10000000', spreadPct: '0.1' })).toBe('0.10050025'));
  // 0.05 + 10·1000/100 000 + 0.5·0.2 = 0.05 + 0.1 + 0.1 = 0.25 → capped 0.2
  test('cap: 1% of volume and a 0.2% spread → 0.2', () => expect(estimateSlippagePct({ notional: '1000', volume24hQuote: '100000', spreadPct: '0.2' })).toBe('0.2'));
  test('no volume → cap', () => expect(estimateSlippagePct({ notional: '1', volume24hQuote: '0', spreadPct: '0' })).toBe('0.2'));
  test('grows with size', () => {
    const a = estimateSlippagePct({ notional: '100', volume24hQuote: '1000000', spreadPct: '0' }); // 0.05 + 0.001 = 0.051
    const b = estimateSlippagePct({ notional: '1000', volume24hQuote: '1000000', spreadPct: '0' }); // 0.05 + 0.01 = 0.06
    expect([a, b]).toEqual(['0.051', '0.06']);
  });
  // (100.1 − 99.9) / 100 · 100 = 0.2
  test('spreadPct', () => expect(spreadPct('99.9', '100.1')).toBe('0.2'));
});

describe('simulateFill: market', () => {
  test('buy at the 0.2% cap: ask 100.1 · 1.002 = 100.3002, fee 10 · 100.3002 · 0.001 = 1.003002', () => {
    const r = simulateFill(mk({ bid: '99.9', ask: '100.1', volume24hQuote: '100000' }));
    expect(r).toEqual({ status: 'FILLED', filledAmount: '10', avgPrice: '100.3002', fee: '1.003002', slippagePct: '0.2' });
  });
  test('sell at the 0.2% cap: bid 99.9 · 0.998 = 99.7002 (sell gets less)', () => {
    const r = simulateFill(mk({ side: 'sell', bid: '99.9', ask: '100.1', volume24hQuote: '100000' }));
    expect(r).toMatchObject({ status: 'FILLED', avgPrice: '99.7002', slippagePct: '0.2' });
  });
  test('buy near the 0.05% floor: 0.05 + 10·1000/10^13 = 0.050000001 → 100 · 1.00050000001 = 100.050000001', () => {
    const r = simulateFill(mk({ volume24hQuote: '10000000000000' }));
    expect(r).toMatchObject({ status: 'FILLED', avgPrice: '100.050000001', slippagePct: '0.050000001' });
  });
  test('never kinder than the touch', () => {
    expect(Number(simulateFill(mk({ volume24hQuote: '1e15' })).avgPrice)).toBeGreaterThan(100);
    expect(Number(simulateFill(mk({ side: 'sell', volume24hQuote: '1e15' })).avgPrice)).toBeLessThan(100);
  });
  test('book walk: 2@100 + 2@101 = 402 / 4 = 100.5, then ·1.002 (no volume → cap) = 100.701', () => {
    const book = { symbol: 'X', timestamp: 0, bids: [], asks: [{ price: '101', amount: '3' }, { price: '100', amount: '2' }] };
    expect(simulateFill(mk({ amount: '4', book }))).toMatchObject({ status: 'FILLED', filledAmount: '4', avgPrice: '100.701', slippagePct: '0.701' });
  });
  test('partial fill when the order exceeds visible depth: 2@100 + 3@101 = 503 / 5 = 100.6 · 1.002 = 100.8012', () => {
    const book = { symbol: 'X', timestamp: 0, bids: [], asks: [{ price: '100', amount: '2' }, { price: '101', amount: '3' }] };
    const r = simulateFill(mk({ amount: '6', book }));
    expect(r).toMatchObject({ status: 'PARTIALLY_FILLED', filledAmount: '5', avgPrice: '100.8012' });
    expect(r.fee).toBe('0.504006'); // 5 · 100.8012 · 0.001
  });
  test('empty book → nothing fills', () => {
    expect(simulateFill(mk({ book: { symbol: 'X', timestamp: 0, bids: [], asks: [] } }))).toMatchObject({ status: 'OPEN', filledAmount: '0' });
  });
  test('deterministic, seed does not change the result', () => {
    const a = simulateFill(mk({ volume24hQuote: '5000000', seed: 1 }));
    expect(simulateFill(mk({ volume24hQuote: '5000000', seed: 1 }))).toEqual(a);
    expect(simulateFill(mk({ volume24hQuote: '5000000', seed: 99 }))).toEqual(a);
  });
});

describe('simulateFill: limit and stop', () => {
  test('buy limit below the ask stays OPEN', () => expect(simulateFill(mk({ type: 'limit', price: '99.99' })).status).toBe('OPEN'));
  test('sell limit above the bid stays OPEN', () => expect(simulateFill(mk({ type: 'limit', side: 'sell', price: '100.01' })).status).toBe('OPEN'));
  test('buy limit crossing fills, never above the limit: 100·1.002 = 100.2 > 100.1 → 100.1', () => {
    expect(simulateFill(mk({ type: 'limit', price: '100.1' }))).toMatchObject({ status: 'FILLED', avgPrice: '100.1' });
    expect(simulateFill(mk({ type: 'limit', price: '101' }))).toMatchObject({ status: 'FILLED', avgPrice: '100.2' });
  });
  test('limit with a book only takes levels within the limit', () => {
    const book = { symbol: 'X', timestamp: 0, bids: [], asks: [{ price: '100', amount: '2' }, { price: '102', amount: '5' }] };
    // 2 @ 100 · 1.002 = 100.2 ≤ 101: partial, the 102 level is beyond the limit
    expect(simulateFill(mk({ type: 'limit', price: '101', amount: '4', book }))).toMatchObject({ status: 'PARTIALLY_FILLED', filledAmount: '2', avgPrice: '100.2' });
  });
  test('sell stop: not triggered above, fills as market when bid <= stop: 95 · 0.998 = 94.81', () => {
    expect(simulateFill(mk({ type: 'stop', side: 'sell', price: '95', bid: '96', ask: '96' })).status).toBe('OPEN');
    expect(simulateFill(mk({ type: 'stop', side: 'sell', price: '95', bid: '95', ask: '95' }))).toMatchObject({ status: 'FILLED', avgPrice: '94.81' });
  });
  test('buy stop triggers when ask >= stop', () => {
    expect(simulateFill(mk({ type: 'stop', price: '101' })).status).toBe('OPEN');
    expect(simulateFill(mk({ type: 'stop', price: '100' })).status).toBe('FILLED');
  });
});

describe('bookImpactPct', () => {
  // 1@100 + 9@101 = 1009 / 10 = 100.9 → (100.9 − 100)/100 = 0.9 %
  test('vwap vs best level', () => expect(bookImpactPct('buy', [{ price: '100', amount: '1' }, { price: '101', amount: '9' }], '10')).toEqual({ impactPct: '0.9', depthShortfall: '0' }));
});
