/**
 * The venues' settings from the environment — the one owner of the EXCHANGE_* variable names.
 *
 * A strategy names its venue in its config (`exchange.id`, any ccxt id). Each venue reads
 *   EXCHANGE_<ID>_API_KEY, EXCHANGE_<ID>_SECRET, EXCHANGE_<ID>_PASSWORD   credentials (never echoed)
 *   EXCHANGE_<ID>_URL_OVERRIDE   re-host every API url (the local simulator)
 *   EXCHANGE_<ID>_SANDBOX        the venue's testnet (default: on where ccxt knows one)
 *   EXCHANGE_<ID>_RATE_LIMIT_MS, EXCHANGE_<ID>_TIMEOUT_MS
 * where <ID> is the ccxt id in capitals (EXCHANGE_KRAKEN_API_KEY). The unprefixed EXCHANGE_API_KEY,
 * EXCHANGE_SECRET, EXCHANGE_PASSWORD, EXCHANGE_URL_OVERRIDE and EXCHANGE_SANDBOX are those of the
 * default venue EXCHANGE_ID (default binance), as before venues were per strategy; a prefixed variable
 * wins over them. EXCHANGE_RATE_LIMIT_MS / EXCHANGE_TIMEOUT_MS are every venue's defaults.
 *
 * Errors name the variable, never its value.
 */
import * as ccxt from 'ccxt';
import { z } from 'zod';
import { ConfigError, isCcxtExchangeId } from '../config/strategy-config';

export { isCcxtExchangeId };

export const envBool = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

export const envMs = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v.trim())) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-negative integer (ms)' });
      return z.NEVER;
    }
    return Number(v);
  });

export const envOrigin = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return undefined;
    try {
      const u = new URL(v.trim());
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      if (u.username || u.password) {
        ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
        return z.NEVER;
      }
      return u.origin;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL such as http://127.0.0.1:8710' });
      return z.NEVER;
    }
  });

export const envSecret = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const SETTINGS = {
  API_KEY: envSecret,
  SECRET: envSecret,
  PASSWORD: envSecret,
  URL_OVERRIDE: envOrigin,
  SANDBOX: envBool,
  RATE_LIMIT_MS: envMs,
  TIMEOUT_MS: envMs,
} as const;
type Setting = keyof typeof SETTINGS;
/** settings the unprefixed variables give the default venue only (the limits apply to every venue) */
const DEFAULT_VENUE_ONLY: ReadonlySet<Setting> = new Set(['API_KEY', 'SECRET', 'PASSWORD', 'URL_OVERRIDE', 'SANDBOX']);

const PER_VENUE = new RegExp(`^EXCHANGE_([A-Z0-9]+)_(${Object.keys(SETTINGS).join('|')})$`);

/** the variable holding `setting` of `venue`: EXCHANGE_KRAKEN_API_KEY */
export function venueVar(venue: string, setting: Setting): string {
  return `EXCHANGE_${venue.toUpperCase()}_${setting}`;
}

export interface VenueSettings {
  venue: string;
  apiKey?: string;
  secret?: string;
  password?: string;
  urlOverride?: string;
  sandbox: boolean;
  rateLimitMs?: number;
  timeoutMs?: number;
  /** where the credentials are read from (variable names, for messages) */
  apiKeyVar: string;
  secretVar: string;
}

function parseVar<S extends Setting>(env: NodeJS.ProcessEnv, name: string, setting: S): z.output<(typeof SETTINGS)[S]> {
  const r = SETTINGS[setting].safeParse(env[name]);
  if (!r.success) throw new ConfigError(`invalid environment: ${name}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data as z.output<(typeof SETTINGS)[S]>;
}

function hasTestnet(venue: string): boolean {
  const Cls = (ccxt as unknown as Record<string, new () => { urls?: { test?: unknown } }>)[venue];
  return typeof Cls === 'function' && Boolean(new Cls().urls?.test);
}

/** the settings of `venue`; `defaultVenue` (EXCHANGE_ID) also reads the unprefixed variables */
export function venueSettings(env: NodeJS.ProcessEnv, venue: string, defaultVenue: string): VenueSettings {
  if (!isCcxtExchangeId(venue)) throw new ConfigError(`"${venue}" is not a ccxt exchange id`);
  const pick = <S extends Setting>(setting: S): { value: z.output<(typeof SETTINGS)[S]>; from: string } => {
    const own = venueVar(venue, setting);
    const v = parseVar(env, own, setting);
    if (v !== undefined) return { value: v, from: own };
    const shared = `EXCHANGE_${setting}`;
    if (venue === defaultVenue || !DEFAULT_VENUE_ONLY.has(setting)) {
      const d = parseVar(env, shared, setting);
      if (d !== undefined) return { value: d, from: shared };
    }
    return { value: undefined as z.output<(typeof SETTINGS)[S]>, from: venue === defaultVenue ? shared : own };
  };
  const apiKey = pick('API_KEY');
  const secret = pick('SECRET');
  const sandbox = pick('SANDBOX').value;
  return {
    venue,
    apiKey: apiKey.value,
    secret: secret.value,
    password: pick('PASSWORD').value,
    urlOverride: pick('URL_OVERRIDE').value,
    sandbox: sandbox ?? hasTestnet(venue),
    rateLimitMs: pick('RATE_LIMIT_MS').value,
    timeoutMs: pick('TIMEOUT_MS').value,
    apiKeyVar: venue === defaultVenue && apiKey.from === 'EXCHANGE_API_KEY' ? 'EXCHANGE_API_KEY' : venueVar(venue, 'API_KEY'),
    secretVar: venue === defaultVenue && secret.from === 'EXCHANGE_SECRET' ? 'EXCHANGE_SECRET' : venueVar(venue, 'SECRET'),
  };
}

/**
 * Every EXCHANGE_<ID>_<SETTING> variable names a ccxt exchange and holds a valid value (the worker and
 * `health` check this up front). Returns the venues so named, sorted.
 */
export function venuesNamedInEnv(env: NodeJS.ProcessEnv): string[] {
  const venues = new Set<string>();
  for (const name of Object.keys(env).sort()) {
    const m = PER_VENUE.exec(name);
    if (!m || env[name] === undefined || env[name] === '') continue;
    const venue = m[1]!.toLowerCase();
    if (!isCcxtExchangeId(venue)) throw new ConfigError(`invalid environment: ${name}: "${venue}" is not a ccxt exchange id`);
    parseVar(env, name, m[2] as Setting);
    venues.add(venue);
  }
  return [...venues].sort();
}
