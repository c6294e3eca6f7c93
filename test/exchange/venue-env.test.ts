/**
 * The per-venue variables (exchange/venue-env.ts): EXCHANGE_<ID>_* per venue, the unprefixed ones for
 * the default venue EXCHANGE_ID only, the limits for every venue; a bad venue or value is one line that
 * names the variable and never its value. The registry builds one gateway per venue with its own keys.
 */
import { venueSettings, venuesNamedInEnv } from '../../exchange/venue-env';
import { createBrokerRegistry, loadExchangeEnv } from '../../exchange/broker-registry';
import { CcxtGateway } from '../../exchange/ccxt-gateway';
import { freshSqliteDb, type TestDb } from '../helpers/db';

const ENV = {
  EXCHANGE_API_KEY: 'default-key',
  EXCHANGE_SECRET: 'default-secret',
  EXCHANGE_URL_OVERRIDE: 'http://127.0.0.1:18101',
  EXCHANGE_RATE_LIMIT_MS: '7',
  EXCHANGE_KRAKEN_API_KEY: 'kraken-key',
  EXCHANGE_KRAKEN_SECRET: 'a3Jha2Vu',
  EXCHANGE_KRAKEN_URL_OVERRIDE: 'http://127.0.0.1:18102/',
};

test('each venue reads its own variables; the unprefixed ones belong to the default venue', () => {
  expect(venueSettings(ENV, 'binance', 'binance')).toMatchObject({ apiKey: 'default-key', secret: 'default-secret', urlOverride: 'http://127.0.0.1:18101', sandbox: true, rateLimitMs: 7, apiKeyVar: 'EXCHANGE_API_KEY' });
  expect(venueSettings(ENV, 'kraken', 'binance')).toMatchObject({ apiKey: 'kraken-key', secret: 'a3Jha2Vu', urlOverride: 'http://127.0.0.1:18102', sandbox: false, rateLimitMs: 7, apiKeyVar: 'EXCHANGE_KRAKEN_API_KEY' });
  // a venue with no variables of its own gets no keys and no url from the default venue's
  expect(venueSettings(ENV, 'coinbase', 'binance')).toMatchObject({ apiKey: undefined, secret: undefined, urlOverride: undefined, apiKeyVar: 'EXCHANGE_COINBASE_API_KEY', secretVar: 'EXCHANGE_COINBASE_SECRET' });
  // a prefixed variable wins over the unprefixed one for the default venue
  expect(venueSettings({ ...ENV, EXCHANGE_BINANCE_API_KEY: 'own' }, 'binance', 'binance')).toMatchObject({ apiKey: 'own', apiKeyVar: 'EXCHANGE_BINANCE_API_KEY' });
  expect(venuesNamedInEnv(ENV)).toEqual(['kraken']);
});

test('bad venue names and values: one line naming the variable, never the value', () => {
  expect(() => venuesNamedInEnv({ EXCHANGE_KRAKENN_API_KEY: 'secret-value' })).toThrow(/^invalid environment: EXCHANGE_KRAKENN_API_KEY: "krakenn" is not a ccxt exchange id$/);
  expect(() => venuesNamedInEnv({ EXCHANGE_KRAKEN_URL_OVERRIDE: 'ftp://user:pw@x' })).toThrow(/^invalid environment: EXCHANGE_KRAKEN_URL_OVERRIDE: must be an http\(s\) URL/);
  expect(() => venuesNamedInEnv({ EXCHANGE_KRAKEN_SANDBOX: 'maybe' })).toThrow(/^invalid environment: EXCHANGE_KRAKEN_SANDBOX: must be true or false$/);
  expect(() => venueSettings({}, 'nope', 'binance')).toThrow(/"nope" is not a ccxt exchange id/);
  expect(() => loadExchangeEnv({ EXCHANGE_ID: 'nope' })).toThrow(/EXCHANGE_ID: "nope" is not a ccxt exchange id/);
});

describe('the registry: one gateway per venue, with that venue\'s keys', () => {
  let tdb: TestDb;
  beforeAll(async () => {
    tdb = await freshSqliteDb();
  });
  afterAll(() => tdb.close());

  test('a strategy\'s stored exchange.id picks its live gateway; a venue without keys fails fast naming its variables', async () => {
    const strategy = (id: string, venue: string) =>
      tdb.db.strategy.create({
        data: { id, strategyType: 'token-unlock', configJson: JSON.stringify({ exchange: { id: venue } }), mode: 'LIVE_MINIMAL', state: 'RUNNING', workflowId: `strategy-${id}`, initialCapital: '10000', riskPerTradePct: '1', maxExposurePct: '20', dailyLossPct: '5' },
      });
    await strategy('s-bin', 'binance');
    await strategy('s-kr', 'kraken');
    await strategy('s-cb', 'coinbase');
    const reg = createBrokerRegistry({ db: tdb.db, env: { ...ENV, MARKET_DATA: 'synthetic' } });
    try {
      expect(await reg.venueOf('s-kr')).toBe('kraken');
      expect(await reg.venueOf('unknown-strategy')).toBe('binance');
      const kr = reg.forMode('LIVE_MINIMAL', { venue: 'kraken' }) as CcxtGateway;
      const bin = reg.forMode('LIVE_MINIMAL', { venue: await reg.venueOf('s-bin') }) as CcxtGateway;
      expect([kr.venue, bin.venue]).toEqual(['kraken', 'binance']);
      expect(kr.exchange.apiKey).toBe('kraken-key');
      expect(bin.exchange.apiKey).toBe('default-key');
      expect(kr.exchange).not.toBe(bin.exchange); // own ccxt instance, own rate limiter
      expect(reg.forMode('LIVE_MINIMAL', { venue: 'kraken' })).toBe(kr); // one per venue per worker
      const err = (() => {
        try {
          reg.forMode('LIVE_MINIMAL', { venue: 'coinbase' });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toMatchObject({ kind: 'AUTHENTICATION', retryable: false, message: 'EXCHANGE_COINBASE_API_KEY is required for live trading on coinbase (set it in the worker environment)' });
    } finally {
      await reg.close();
    }
  });
});
