/**
 * Venue trading hours. Crypto venues trade 24/7 (session = null). A venue may declare a daily session
 * in a local timezone, e.g. NSE: { timezone: 'Asia/Kolkata', open: '09:15', close: '15:30', days: [1..5],
 * holidays: ['2026-01-26', ...] }. Open is inclusive, close exclusive. Sessions crossing midnight
 * (close <= open) are not supported and are treated as never open.
 *
 * Local time comes from Intl.DateTimeFormat with `timeZone` (deterministic, allowed in workflows);
 * no date library, no Date.now().
 */
export interface VenueSession {
  /** IANA zone, e.g. "Asia/Kolkata" */
  timezone: string;
  /** "HH:MM" local */
  open: string;
  /** "HH:MM" local */
  close: string;
  /** weekdays, 0 = Sunday … 6 = Saturday */
  days: number[];
  /** local dates "YYYY-MM-DD" without trading */
  holidays: string[];
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
  /** "YYYY-MM-DD" */
  date: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Wall-clock parts of `ms` in `timezone`. */
export function localParts(ms: number, timezone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timezone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const second = Number(parts.second);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, hour, minute, second, weekday, date: `${year}-${pad(month)}-${pad(day)}` };
}

function hhmm(s: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) throw new Error(`session time must be HH:MM, got "${s}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Epoch ms of a local wall-clock time in `timezone` (DST-safe for times that exist). */
export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, minute: number, timezone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  let guess = asUtc;
  for (let i = 0; i < 3; i++) {
    const p = localParts(guess, timezone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const diff = asUtc - shown;
    if (diff === 0) break;
    guess += diff;
  }
  return guess;
}

function isTradingDate(session: VenueSession, p: Pick<LocalParts, 'weekday' | 'date'>): boolean {
  return session.days.includes(p.weekday) && !session.holidays.includes(p.date);
}

/** null session = 24/7 = always open. */
export function isSessionOpen(session: VenueSession | null | undefined, now: number): boolean {
  if (!session) return true;
  const open = hhmm(session.open);
  const close = hhmm(session.close);
  if (close <= open) return false;
  const p = localParts(now, session.timezone);
  const mins = p.hour * 60 + p.minute;
  return isTradingDate(session, p) && mins >= open && mins < close;
}

/**
 * When trading is (next) possible: `now` when the session is open (or 24/7), else the epoch ms of the
 * next session open. null when no trading day occurs in the next 400 days (e.g. days all holidays).
 */
export function nextSessionOpen(session: VenueSession | null | undefined, now: number): number | null {
  if (!session || isSessionOpen(session, now)) return now;
  const open = hhmm(session.open);
  const close = hhmm(session.close);
  if (close <= open) return null;
  const today = localParts(now, session.timezone);
  for (let i = 0; i <= 400; i++) {
    const cal = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    const p = { weekday: cal.getUTCDay(), date: `${cal.getUTCFullYear()}-${pad(cal.getUTCMonth() + 1)}-${pad(cal.getUTCDate())}` };
    if (!isTradingDate(session, p)) continue;
    const at = zonedTimeToUtc(cal.getUTCFullYear(), cal.getUTCMonth() + 1, cal.getUTCDate(), Math.floor(open / 60), open % 60, session.timezone);
    if (at > now) return at;
  }
  return null;
}

/** Close of the current session (epoch ms) when open; null when closed or 24/7. */
export function sessionCloseAt(session: VenueSession | null | undefined, now: number): number | null {
  if (!session || !isSessionOpen(session, now)) return null;
  const p = localParts(now, session.timezone);
  const close = hhmm(session.close);
  return zonedTimeToUtc(p.year, p.month, p.day, Math.floor(close / 60), close % 60, session.timezone);
}

/** ms to wait before an order may be sent (0 when open / 24/7; null when no session is ahead). */
export function msUntilSessionOpen(session: VenueSession | null | undefined, now: number): number | null {
  const at = nextSessionOpen(session, now);
  return at === null ? null : Math.max(0, at - now);
}
