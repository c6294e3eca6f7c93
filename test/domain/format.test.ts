/** Figures at a precision a trader reads (domain/format.ts), used by the CLI, demo, report and Web UI details. */
import { formatFigure, formatMoney, formatPct, formatPrice, formatQty, formatSignedMoney } from '../../domain/format';

describe('formatFigure: 6 significant digits, integer digits kept, own decimals up to 2 kept', () => {
  test('issue 17: the raw paper price of the issue reads as 6 significant digits', () => expect(formatFigure('9.348685656629437503835211376273215888129')).toBe('9.34869'));
  // was '1234568' (readable() in workflows/position/details.ts): a value's own 2 decimals are now kept
  test('large values keep their integer digits and up to 2 of their decimals', () => {
    expect(formatFigure('1234567.891')).toBe('1234567.89');
    expect(formatFigure('60123.45')).toBe('60123.45');
    expect(formatFigure('100000.01')).toBe('100000.01');
  });
  test('small values: significant digits, never exponent notation', () => {
    expect(formatFigure('0.000012345678')).toBe('0.0000123457');
    expect(formatFigure('1e-9')).toBe('0.000000001');
  });
  test('trailing zeros trimmed, zero, sign', () => {
    expect(formatFigure('-12.5000')).toBe('-12.5');
    expect(formatFigure('0')).toBe('0');
    expect(formatFigure('-0.0000')).toBe('0');
  });
  test('absent → —, text that is not a number → as is', () => {
    expect(formatFigure(null)).toBe('—');
    expect(formatFigure(undefined)).toBe('—');
    expect(formatFigure('')).toBe('—');
    expect(formatFigure('n/a')).toBe('n/a');
  });
});

describe('prices and quantities at the market precision', () => {
  test('price at the tick decimals (half up); unknown tick → formatFigure', () => {
    expect(formatPrice('9.3487', '0.0001')).toBe('9.3487');
    expect(formatPrice('9.3', '0.0001')).toBe('9.3000');
    expect(formatPrice('60123.455', '0.01')).toBe('60123.46');
    expect(formatPrice('9.348685656629437503835211376273215888129', '1e-4')).toBe('9.3487');
    expect(formatPrice('9.348685656629437503835211376273215888129')).toBe('9.34869');
    expect(formatPrice('9.3486856', '0')).toBe('9.34869');
  });
  test('quantity at the lot step decimals', () => {
    expect(formatQty('123.4', '0.1')).toBe('123.4');
    expect(formatQty('0.12345', '0.00001000')).toBe('0.12345');
    expect(formatQty('5', '1')).toBe('5');
  });
});

describe('money and percentages: 2 decimals', () => {
  test('money', () => {
    expect(formatMoney('12.345')).toBe('12.35');
    expect(formatMoney('-0.004')).toBe('0.00');
    expect(formatMoney('1000')).toBe('1000.00');
    expect(formatSignedMoney('12.3')).toBe('+12.30');
    expect(formatSignedMoney('-4')).toBe('-4.00');
    expect(formatSignedMoney('0.001')).toBe('0.00');
  });
  test('percentages', () => {
    expect(formatPct('0.19920319')).toBe('0.20');
    expect(formatPct('-12.5')).toBe('-12.50');
  });
});
