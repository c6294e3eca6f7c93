/**
 * The codec server over real HTTP, as the Web UI calls it: 401 without the bearer token, the CORS
 * preflight for the UI origin (Authorization + X-Namespace allowed) and not for others, /decode and
 * /encode with proto3-JSON payloads (base64 fields), the namespace-prefixed path, a payload sealed
 * with an unknown key refused with its key id; and the settings' one-line errors.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { jsonToPayload, payloadToJson } from '../../codec/payload-json';
import { AesGcmCodec, payloadKeyId } from '../../codec/aes-gcm-codec';
import { startCodecServer, type RunningCodecServer } from '../../codec/server';
import { codecServerSettingsFromEnv, DEFAULT_UI_ORIGIN } from '../../codec/main';

const TOKEN = 'test-token-' + randomBytes(12).toString('hex');
const UI = 'http://127.0.0.1:8233';
const keyA = new Uint8Array(randomBytes(32));
const codec = new AesGcmCodec({ encryptWith: 'A', keys: new Map([['A', keyA]]) });
let srv: RunningCodecServer;
beforeAll(async () => {
  srv = await startCodecServer({ codec, token: TOKEN, corsOrigins: [UI] });
});
afterAll(() => srv?.close());

const sealed = async (value: unknown, c = codec) => payloadToJson((await c.encode([defaultPayloadConverter.toPayload(value)!]))[0]!);
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(srv.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: UI, ...headers }, body: JSON.stringify(body) });
const auth = { Authorization: `Bearer ${TOKEN}` };

test('no token or a wrong token: 401, nothing decoded', async () => {
  const body = { payloads: [await sealed({ price: '1.2345' })] };
  for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: TOKEN }] as Record<string, string>[]) {
    const res = await post('/decode', body, headers);
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toContain('bearer token');
    expect(text).not.toContain('1.2345');
  }
});

test('decode with the token gives the original payload, base64 fields as the UI sends them', async () => {
  const res = await post('/decode', { payloads: [await sealed({ size: '42.5', price: '1.2345' })] }, auth);
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI);
  const json = (await res.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> };
  expect(Buffer.from(json.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
  expect(JSON.parse(Buffer.from(json.payloads[0]!.data, 'base64').toString())).toEqual({ size: '42.5', price: '1.2345' });
});

test('encode seals with the encrypting key; the /{namespace}/ prefix works too', async () => {
  const plain = payloadToJson(defaultPayloadConverter.toPayload({ note: 'from the UI' })!);
  const res = await post('/default/encode', { payloads: [plain] }, auth);
  expect(res.status).toBe(200);
  const [out] = ((await res.json()) as { payloads: Parameters<typeof jsonToPayload>[0][] }).payloads;
  const payload = jsonToPayload(out!);
  expect(payloadKeyId(payload)).toBe('A');
  expect(defaultPayloadConverter.fromPayload((await codec.decode([payload]))[0]!)).toEqual({ note: 'from the UI' });
});

test('a payload sealed with a key the server lacks: 422 naming the key id', async () => {
  const other = new AesGcmCodec({ encryptWith: 'Z', keys: new Map([['Z', new Uint8Array(randomBytes(32))]]) });
  const res = await post('/decode', { payloads: [await sealed('x', other)] }, auth);
  expect(res.status).toBe(422);
  expect(((await res.json()) as { error: string }).error).toMatch(/key "Z", which is not configured/);
});

test('CORS preflight: answered for the UI origin with Authorization and X-Namespace; refused for others', async () => {
  const preflight = (origin: string) =>
    fetch(srv.url + '/decode', {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
    });
  const ok = await preflight(UI);
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe(UI);
  expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
  const allowed = ok.headers.get('access-control-allow-headers')!.toLowerCase();
  for (const h of ['authorization', 'x-namespace', 'content-type']) expect(allowed).toContain(h);
  const evil = await preflight('http://evil.example');
  expect(evil.status).toBe(403);
  expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  // a cross-origin POST from elsewhere is refused even with the token
  expect((await post('/decode', { payloads: [] }, { ...auth, Origin: 'http://evil.example' })).status).toBe(403);
});

test('bad requests: unknown path 404, GET 405, invalid body 400', async () => {
  expect((await post('/nope', {}, auth)).status).toBe(404);
  expect((await fetch(srv.url + '/decode', { headers: auth })).status).toBe(405);
  const bad = await post('/decode', { payloads: [{ data: 'not base64 !!' }] }, auth);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/payloads\.0\.data: must be base64/);
});

test('settings: token required, origins default to the dev UI', () => {
  expect(() => codecServerSettingsFromEnv({})).toThrow(/UNLOCK_TRADER_CODEC_TOKEN: is required/);
  expect(() => codecServerSettingsFromEnv({ UNLOCK_TRADER_CODEC_TOKEN: 'short' })).toThrow(/at least 16 characters/);
  const s = codecServerSettingsFromEnv({ UNLOCK_TRADER_CODEC_TOKEN: TOKEN });
  expect(s.UNLOCK_TRADER_CODEC_CORS_ORIGINS).toEqual([DEFAULT_UI_ORIGIN]);
  expect(() => codecServerSettingsFromEnv({ UNLOCK_TRADER_CODEC_TOKEN: TOKEN, UNLOCK_TRADER_CODEC_CORS_ORIGINS: 'http://x:1/path' })).toThrow(/no path/);
});
