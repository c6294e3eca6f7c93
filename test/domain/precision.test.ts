/** Venue precision (domain/precision.ts) and the fill model at a market's tick and lot step. */
import { simulateFill } from '../../domain/fills';
import { fillPriceRounding, quantize, stepDecimals, venueAmount } from '../../domain/precision';
import { toStr } from '../../domain/money';
import type { FillModelInput } from '../../domain/types';

const q = (v: string, step: string, mode: 'up' | 'down' | 'nearest') => toStr(quantize(v, step, mode));

describe('quantize(value, step, mode)', () => {
  test('up = next multiple, down = previous multiple, nearest = half up', () => {
    expect(q('9.348685656629437503835211376273215888129', '0.0001', 'up')).toBe('9.3487');
    expect(q('9.348685656629437503835211376273215888129', '0.0001', 'down')).toBe('9.3486');
    expect(q('9.34865', '0.0001', 'nearest')).toBe('9.3487');
    expect(q('9.34864999', '0.0001', 'nearest')).toBe('9.3486');
  });
  test('a value already on the step is unchanged in every direction', () => {
    for (const mode of ['up', 'down', 'nearest'] as const) expect(q('60123.45', '0.01', mode)).toBe('60123.45');
  });
  test('steps that are not powers of ten (0.5, 0.25, 5) and steps above 1', () => {
    expect(q('10.26', '0.25', 'up')).toBe('10.5');
    expect(q('10.26', '0.25', 'down')).toBe('10.25');
    expect(q('17', '5', 'down')).toBe('15');
    expect(q('17', '5', 'up')).toBe('20');
  });
  test('ccxt exponent-notation steps (1e-8) and trailing zeros (0.00010000)', () => {
    expect(q('0.123456789', '1e-8', 'down')).toBe('0.12345678');
    expect(q('0.123456789', '0.00010000', 'up')).toBe('0.1235');
    expect(stepDecimals('1e-8')).toBe(8);
    expect(stepDecimals('0.00010000')).toBe(4);
    expect(stepDecimals('1')).toBe(0);
  });
  test('below one step: down gives 0, up gives one step', () => {
    expect(q('0.00004', '0.0001', 'down')).toBe('0');
    expect(q('0.00004', '0.0001', 'up')).toBe('0.0001');
  });
  test('negative values: up is toward +∞, down toward −∞', () => {
    expect(q('-1.234', '0.01', 'up')).toBe('-1.23');
    expect(q('-1.234', '0.01', 'down')).toBe('-1.24');
  });
  test('a step that is not > 0 is an error, not a silent no-op', () => {
    expect(() => quantize('1', '0', 'up')).toThrow(/step must be a decimal > 0/);
    expect(() => quantize('1', '-0.1', 'up')).toThrow(/step must be a decimal > 0/);
    expect(() => quantize('1', 'abc', 'up')).toThrow(/step must be a decimal > 0/);
  });
  test('fill prices round against the trader: buy up, sell down', () => {
    expect(fillPriceRounding('buy')).toBe('up');
    expect(fillPriceRounding('sell')).toBe('down');
  });
});

describe('venueAmount: the quantity a venue takes, or why it refuses', () => {
  const p = { tickSize: '0.0001', stepSize: '0.1', minAmount: '0.1', minNotional: '5' };
  test('rounded down to the lot step', () => expect(venueAmount('123.456789', '0.8', p)).toEqual({ ok: true, amount: '123.4' }));
  test('below one step', () => expect(venueAmount('0.09', '100', p)).toMatchObject({ ok: false, code: 'BELOW_STEP', message: 'amount 0.09 is below the lot step 0.1' }));
  test('below the minimum amount', () => expect(venueAmount('0.5', '100', { ...p, minAmount: '1' })).toMatchObject({ ok: false, code: 'BELOW_MIN_AMOUNT' }));
  test('below the minimum notional (6.2 · 0.8 = 4.96 < 5)', () =>
    expect(venueAmount('6.29', '0.8', p)).toEqual({ ok: false, code: 'BELOW_MIN_NOTIONAL', message: 'order notional 4.96 (6.2 at 0.8) is below the minimum notional 5' }));
  test('exactly the minimum notional is taken (6.25 · 0.8 = 5)', () => expect(venueAmount('6.25', '0.8', { ...p, stepSize: '0.05' })).toEqual({ ok: true, amount: '6.25' }));
  test('6.3 · 0.8 = 5.04 ≥ 5 is taken', () => expect(venueAmount('6.3', '0.8', p)).toEqual({ ok: true, amount: '6.3' }));
});

const mk = (o: Partial<FillModelInput>): FillModelInput => ({
  side: 'buy',
  type: 'market',
  amount: '10',
  bid: '99.9',
  ask: '100.1',
  volume24hQuote: '100000',
  feeRate: '0.001',
  ...o,
});

describe('simulateFill at the market precision', () => {
  const precision = { tickSize: '0.01', stepSize: '0.1' };
  test('buy: 100.1 · 1.002 = 100.3002 → up to 100.31; fee exact on 10 · 100.31', () => {
    expect(simulateFill(mk({ precision }))).toMatchObject({ status: 'FILLED', filledAmount: '10', avgPrice: '100.31', fee: '1.0031' });
  });
  test('sell: 99.9 · 0.998 = 99.7002 → down to 99.7', () => {
    expect(simulateFill(mk({ side: 'sell', precision }))).toMatchObject({ status: 'FILLED', avgPrice: '99.7', fee: '0.997' });
  });
  test('amount rounded down to the lot step before filling: 10.37 → 10.3', () => {
    expect(simulateFill(mk({ amount: '10.37', precision }))).toMatchObject({ status: 'FILLED', filledAmount: '10.3', avgPrice: '100.31', fee: '1.033193' });
  });
  test('amount below one lot step: nothing fills', () => {
    expect(simulateFill(mk({ amount: '0.05', precision }))).toMatchObject({ status: 'OPEN', filledAmount: '0', reason: 'amount below the lot step 0.1' });
  });
  test('a walked book: filled part on the step, VWAP + slippage on the tick', () => {
    const book = { symbol: 'X/USDT', timestamp: 0, bids: [], asks: [{ price: '100.1', amount: '3.05' }, { price: '100.2', amount: '2' }] };
    const r = simulateFill(mk({ amount: '10', book, precision: { tickSize: '0.01', stepSize: '0.01' } }));
    // walked 5.05 at (3.05·100.1 + 2·100.2)/5.05 = 100.139603…, · 1.002 = 100.339882… → up to 100.34
    expect(r).toMatchObject({ status: 'PARTIALLY_FILLED', filledAmount: '5.05', avgPrice: '100.34' });
  });
  test('a buy limit caps the rounded-up price (limit on the tick)', () => {
    expect(simulateFill(mk({ type: 'limit', price: '100.305', precision: { tickSize: '0.005', stepSize: '0.1' } }))).toMatchObject({ avgPrice: '100.305' });
  });
  test('without precision the fill is exact (unchanged model)', () => {
    expect(simulateFill(mk({}))).toMatchObject({ avgPrice: '100.3002' });
  });
});
