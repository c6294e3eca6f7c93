/** Fill increments (VWAP of the newly filled part), realized / expected slippage, execution-quality means. */
import { expectedSlippagePct, fillIncrement, realizedSlippagePct, summariseExecutionQuality } from '../../domain/execution';

describe('fillIncrement', () => {
  test('first report: the whole fill at its average price', () => {
    expect(fillIncrement({ filled: '0', avgPrice: '0', fee: '0' }, { filled: '10', avgPrice: '2', fee: '0.02' })).toEqual({ amount: '10', price: '2', fee: '0.02' });
  });
  test('a later report: the new part at its own VWAP, the fee increase', () => {
    // cost 15 · 2.2 − 10 · 2 = 13 over 5 → 2.6
    expect(fillIncrement({ filled: '10', avgPrice: '2', fee: '0.02' }, { filled: '15', avgPrice: '2.2', fee: '0.03' })).toEqual({ amount: '5', price: '2.6', fee: '0.01' });
  });
  test('price rounded to 12 places; a fee that went down counts as 0', () => {
    expect(fillIncrement({ filled: '0', avgPrice: '0', fee: '1' }, { filled: '3', avgPrice: '0.3333333333333333', fee: '0.5' })).toEqual({ amount: '3', price: '0.333333333333', fee: '0' });
  });
  test('nothing new filled (same or stale report) → null', () => {
    expect(fillIncrement({ filled: '5', avgPrice: '2', fee: '0' }, { filled: '5', avgPrice: '2', fee: '0' })).toBeNull();
    expect(fillIncrement({ filled: '5', avgPrice: '2', fee: '0' }, { filled: '4', avgPrice: '2', fee: '0' })).toBeNull();
  });
});

describe('slippage', () => {
  test('realized: positive = worse for the trader, 8 places; unusable prices → undefined', () => {
    expect(realizedSlippagePct('buy', '100', '100.5')).toBe('0.5');
    expect(realizedSlippagePct('sell', '100', '100.5')).toBe('-0.5');
    expect(realizedSlippagePct('sell', '3', '2')).toBe('33.33333333');
    expect(realizedSlippagePct('buy', '0', '1')).toBeUndefined();
    expect(realizedSlippagePct('buy', '1', '0')).toBeUndefined();
  });
  test('expected: the paper model on amount · signalPrice and the quote', () => {
    // 0.05 floor + 10 · 1000 / 1e6 + 0.5 · 0.02 % spread
    expect(expectedSlippagePct('10', '100', { bid: '99.99', ask: '100.01', volume24hQuote: '1000000' })).toBe('0.07');
    expect(expectedSlippagePct('10', '100', { bid: '99.99', ask: '100.01', volume24hQuote: '0' })).toBe('0.2');
  });
});

describe('summariseExecutionQuality', () => {
  test('means per venue and symbol over filled samples, sorted; expected-only means over samples that have one', () => {
    const rows = summariseExecutionQuality([
      { venue: 'paper', symbol: 'AAA/USDT', filledAmount: '1', expectedSlippagePct: '0.1', realizedSlippagePct: '0.15' },
      { venue: 'paper', symbol: 'AAA/USDT', filledAmount: '1', expectedSlippagePct: null, realizedSlippagePct: '0.25' },
      { venue: 'paper', symbol: 'AAA/USDT', filledAmount: '0', expectedSlippagePct: '9', realizedSlippagePct: '5' },
      { venue: 'binance', symbol: 'BBB/USDT', filledAmount: '2', expectedSlippagePct: '0.05', realizedSlippagePct: '0.02' },
    ]);
    expect(rows).toEqual([
      { venue: 'binance', symbol: 'BBB/USDT', count: 1, meanExpectedSlippagePct: '0.05', meanRealizedSlippagePct: '0.02', meanExcessSlippagePct: '-0.03' },
      { venue: 'paper', symbol: 'AAA/USDT', count: 2, meanExpectedSlippagePct: '0.1', meanRealizedSlippagePct: '0.2', meanExcessSlippagePct: '0.05' },
    ]);
  });
  test('no expected estimate anywhere → null means; no filled samples → no rows', () => {
    expect(summariseExecutionQuality([{ venue: 'v', symbol: 's', filledAmount: '1', expectedSlippagePct: null, realizedSlippagePct: '1' }])).toEqual([
      { venue: 'v', symbol: 's', count: 1, meanExpectedSlippagePct: null, meanRealizedSlippagePct: '1', meanExcessSlippagePct: null },
    ]);
    expect(summariseExecutionQuality([{ venue: 'v', symbol: 's', filledAmount: '0', expectedSlippagePct: null, realizedSlippagePct: '1' }])).toEqual([]);
  });
});
