import { isSessionOpen, localParts, msUntilSessionOpen, nextSessionOpen, sessionCloseAt, type VenueSession } from '../../domain/sessions';

// IST = UTC+5:30 (no DST). 2026-03-16 is a Monday.
const NSE: VenueSession = { timezone: 'Asia/Kolkata', open: '09:15', close: '15:30', days: [1, 2, 3, 4, 5], holidays: [] };
const utc = (day: number, h: number, m: number) => Date.UTC(2026, 2, day, h, m);

describe('sessions', () => {
  test('24/7 when null', () => {
    expect(isSessionOpen(null, 123)).toBe(true);
    expect(nextSessionOpen(null, 123)).toBe(123);
  });
  test('local parts', () => expect(localParts(utc(16, 4, 30), 'Asia/Kolkata')).toMatchObject({ date: '2026-03-16', hour: 10, minute: 0, weekday: 1 }));
  test('Mon 10:00 IST (04:30 UTC) open; closes 15:30 IST = 10:00 UTC', () => {
    expect(isSessionOpen(NSE, utc(16, 4, 30))).toBe(true);
    expect(nextSessionOpen(NSE, utc(16, 4, 30))).toBe(utc(16, 4, 30));
    expect(sessionCloseAt(NSE, utc(16, 4, 30))).toBe(utc(16, 10, 0));
  });
  test('09:14 IST closed → opens 09:15 IST = 03:45 UTC same day', () => {
    expect(isSessionOpen(NSE, utc(16, 3, 44))).toBe(false);
    expect(nextSessionOpen(NSE, utc(16, 3, 44))).toBe(utc(16, 3, 45));
    expect(msUntilSessionOpen(NSE, utc(16, 3, 44))).toBe(60_000);
    expect(isSessionOpen(NSE, utc(16, 3, 45))).toBe(true);
  });
  test('15:30 IST is closed (close exclusive) → next is Tue 03:45 UTC', () => {
    expect(isSessionOpen(NSE, utc(16, 10, 0))).toBe(false);
    expect(nextSessionOpen(NSE, utc(16, 10, 0))).toBe(utc(17, 3, 45));
  });
  test('Friday evening → Monday 09:15 IST', () => expect(nextSessionOpen(NSE, utc(20, 11, 0))).toBe(utc(23, 3, 45)));
  test('Saturday closed', () => expect(isSessionOpen(NSE, utc(21, 5, 0))).toBe(false));
  test('holiday skipped: Tue 17th off → Wed 18th', () => {
    const s = { ...NSE, holidays: ['2026-03-17'] };
    expect(isSessionOpen(s, utc(17, 5, 0))).toBe(false);
    expect(nextSessionOpen(s, utc(16, 10, 0))).toBe(utc(18, 3, 45));
  });
  test('DST zone: New York 09:30 on Mon 2026-03-09 (EDT, UTC−4) = 13:30 UTC', () => {
    const nyse: VenueSession = { timezone: 'America/New_York', open: '09:30', close: '16:00', days: [1, 2, 3, 4, 5], holidays: [] };
    expect(nextSessionOpen(nyse, utc(8, 12, 0))).toBe(utc(9, 13, 30));
    // the Friday before (EST, UTC−5): 09:30 = 14:30 UTC
    expect(nextSessionOpen(nyse, utc(6, 12, 0))).toBe(utc(6, 14, 30));
  });
  test('no trading day ahead → null', () => expect(nextSessionOpen({ ...NSE, days: [] }, 0)).toBeNull());
});
