/**
 * The venue rows of `health`: every venue in use — the default venue EXCHANGE_ID when a url override,
 * its keys or MARKET_DATA=ccxt make it one (row `exchange`, as before), every venue an
 * EXCHANGE_<ID>_* variable names and every venue a strategy that is not STOPPED names in its config
 * (rows `exchange <id>`). Each: one timed public call (ccxt fetchTime, with a credential-less gateway),
 * whether its keys are set (the variable names, never a value) and which strategies trade on it. A
 * venue is DOWN when it does not answer, or when a strategy in a live mode trades on it without keys.
 */
import { oneLine } from '../context';
import { withTimeout } from './temporal';
import type { Db } from '../../db/client';
import { EMERGENCY_STOP, isLiveMode } from '../../domain/modes';

export interface VenueRow {
  check: string;
  ok: boolean;
  latencyMs: number | null;
  detail: string;
}

interface StrategyVenue {
  id: string;
  venue: string;
  live: boolean;
}

async function strategyVenues(db: (() => Promise<Db>) | undefined, timeoutMs: number): Promise<StrategyVenue[]> {
  if (!db) return [];
  try {
    const read = async () => {
      const d = await db();
      const rows = await d.strategy.findMany({ where: { state: { not: 'STOPPED' } }, select: { id: true, mode: true, configJson: true } });
      // an emergency-stopped strategy is live when the stop came from a live rung (its exits trade there)
      const stops = await d.modeChange.findMany({ where: { strategyId: { in: rows.filter((r) => r.mode === EMERGENCY_STOP).map((r) => r.id) }, toMode: EMERGENCY_STOP }, orderBy: { at: 'desc' } });
      return rows.map((r) => {
        const cfg = JSON.parse(r.configJson) as { exchange?: { id?: unknown } };
        const mode = r.mode === EMERGENCY_STOP ? (stops.find((s) => s.strategyId === r.id)?.fromMode ?? 'PAPER') : r.mode;
        return { id: r.id, venue: typeof cfg.exchange?.id === 'string' ? cfg.exchange.id : 'binance', live: isLiveMode(mode) };
      });
    };
    return await withTimeout(read(), timeoutMs, 'strategies\' venues');
  } catch {
    return []; // the database row of health reports a database problem
  }
}

export async function checkVenues(timeoutMs: number, db?: () => Promise<Db>): Promise<VenueRow[]> {
  const { loadExchangeEnv, settingsOf, venueGatewayOptions } = await import('../../exchange/broker-registry');
  const { venuesNamedInEnv } = await import('../../exchange/venue-env');
  const { CcxtGateway } = await import('../../exchange/ccxt-gateway');
  let env: ReturnType<typeof loadExchangeEnv>;
  let named: string[];
  try {
    env = loadExchangeEnv();
    named = venuesNamedInEnv(process.env);
  } catch (e) {
    return [{ check: 'exchange', ok: false, latencyMs: null, detail: oneLine(e) }];
  }
  const strategies = await strategyVenues(db, timeoutMs);
  const def = env.EXCHANGE_ID;
  const defaultInUse =
    Boolean(env.EXCHANGE_URL_OVERRIDE || env.EXCHANGE_API_KEY || env.MARKET_DATA.kind === 'ccxt') || named.includes(def) || strategies.some((s) => s.venue === def && s.live);
  const others = [...new Set([...named, ...strategies.map((s) => s.venue)])].filter((v) => v !== def).sort();

  const probe = async (venue: string): Promise<VenueRow> => {
    const check = venue === def ? 'exchange' : `exchange ${venue}`;
    const users = strategies.filter((s) => s.venue === venue);
    let gw: InstanceType<typeof CcxtGateway> | undefined;
    try {
      const v = settingsOf(env, venue);
      const keysSet = Boolean(v.apiKey && v.secret);
      const keys = keysSet ? `keys set (${v.apiKeyVar}, ${v.secretVar})` : `no keys (${[!v.apiKey && v.apiKeyVar, !v.secret && v.secretVar].filter(Boolean).join(', ')} unset)`;
      const liveWithoutKeys = !keysSet && users.some((s) => s.live);
      const where = `${venue}${v.urlOverride ? ` at ${v.urlOverride}` : v.sandbox ? ' (sandbox)' : ''}`;
      const by = users.length ? ` · strategies: ${users.map((s) => `${s.id}${s.live ? ' (live)' : ''}`).join(', ')}` : '';
      // public endpoint only: no credentials are handed to this gateway
      gw = new CcxtGateway(venueGatewayOptions(v, { timeoutMs }));
      const g = gw;
      const t0 = performance.now();
      const serverTime = await withTimeout(g.exchange.fetchTime(), timeoutMs + 1000, `${venue} fetchTime`);
      const latencyMs = Math.round(performance.now() - t0);
      const skew = typeof serverTime === 'number' ? ` · clock skew ${serverTime - Date.now()} ms` : '';
      return { check, ok: !liveWithoutKeys, latencyMs, detail: `${where}${skew} · ${keys}${by}` };
    } catch (e) {
      return { check, ok: false, latencyMs: null, detail: `${venue}: ${oneLine(e)}` };
    } finally {
      await gw?.close().catch(() => undefined);
    }
  };

  const first: Promise<VenueRow> = defaultInUse ? probe(def) : Promise.resolve({ check: 'exchange', ok: true, latencyMs: null, detail: 'paper (no exchange configured)' });
  return Promise.all([first, ...others.map(probe)]);
}
