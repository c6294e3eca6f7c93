/**
 * The payload codec on its own: round trip through the default converter, the key id in the metadata,
 * rotation (sealed with A, opened by a codec that encrypts with B and still accepts A), clear errors
 * for an unknown key, a wrong key under a known id and an altered payload; plain payloads pass through.
 * And the key configuration from the environment / a key file, with its one-line errors.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, ENCRYPTED_ENCODING, METADATA_KEY_ID, PayloadDecryptionError, isEncrypted, payloadKeyId } from '../../codec/aes-gcm-codec';
import { codecFromEnv, dataConverterFromEnv, keySetFromEnv } from '../../codec/keys';

const keyA = new Uint8Array(randomBytes(32));
const keyB = new Uint8Array(randomBytes(32));
const codec = (encryptWith: string, keys: Record<string, Uint8Array>) => new AesGcmCodec({ encryptWith, keys: new Map(Object.entries(keys)) });
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');

const secretConfig = { strategyId: 'desk-7', capital: '250000', riskPerTradePct: '0.75', entryPrice: '1.2345' };

test('round trip: the payload comes back identical; the wire form is ciphertext naming the key id', async () => {
  const plain = defaultPayloadConverter.toPayload(secretConfig)!;
  const [sealed] = await codec('A', { A: keyA }).encode([plain]);
  expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
  expect(text(sealed!.metadata![METADATA_KEY_ID])).toBe('A');
  expect(Object.keys(sealed!.metadata!).sort()).toEqual(['encoding', METADATA_KEY_ID].sort());
  expect(payloadKeyId(sealed!)).toBe('A');
  const wire = Buffer.from(sealed!.data!).toString('latin1');
  for (const s of ['desk-7', '250000', '0.75', '1.2345', 'json/plain', 'strategyId']) expect(wire).not.toContain(s);

  const [opened] = await codec('A', { A: keyA }).decode([sealed!]);
  expect(text(opened!.metadata!.encoding)).toBe('json/plain');
  expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(secretConfig);
});

test('two encodings of the same value differ (random IV)', async () => {
  const c = codec('A', { A: keyA });
  const p = defaultPayloadConverter.toPayload('same')!;
  const [x, y] = await c.encode([p, p]);
  expect(Buffer.from(x!.data!).equals(Buffer.from(y!.data!))).toBe(false);
});

test('rotation: sealed with A, opened by a codec encrypting with B that still accepts A', async () => {
  const [underA] = await codec('A', { A: keyA }).encode([defaultPayloadConverter.toPayload(secretConfig)!]);
  const rotated = codec('B', { A: keyA, B: keyB });
  const [opened] = await rotated.decode([underA!]);
  expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(secretConfig);
  const [underB] = await rotated.encode([opened!]);
  expect(payloadKeyId(underB!)).toBe('B');
  // a reader that only knows A cannot read what B sealed, and says which key it lacks
  await expect(codec('A', { A: keyA }).decode([underB!])).rejects.toThrow(/key "B", which is not configured \(known: A\)/);
});

test('wrong key material under a known id and an altered payload fail authentication, naming the key id', async () => {
  const [sealed] = await codec('A', { A: keyA }).encode([defaultPayloadConverter.toPayload(secretConfig)!]);
  const impostor = codec('A', { A: keyB });
  await expect(impostor.decode([sealed!])).rejects.toThrow(PayloadDecryptionError);
  await expect(impostor.decode([sealed!])).rejects.toThrow(/key "A" failed authentication/);
  const tampered: Payload = { ...sealed!, data: Uint8Array.from(sealed!.data!, (b, i) => (i === 20 ? b ^ 1 : b)) };
  await expect(codec('A', { A: keyA }).decode([tampered])).rejects.toThrow(/key "A" failed authentication/);
  const truncated: Payload = { ...sealed!, data: sealed!.data!.subarray(0, 10) };
  await expect(codec('A', { A: keyA }).decode([truncated])).rejects.toThrow(/key "A" is truncated/);
});

test('payloads recorded before encryption pass through decode unchanged', async () => {
  const plain = defaultPayloadConverter.toPayload(secretConfig)!;
  expect(isEncrypted(plain)).toBe(false);
  const [out] = await codec('A', { A: keyA }).decode([plain]);
  expect(out).toBe(plain);
});

test('the codec refuses a bad key set up front', () => {
  expect(() => codec('A', { A: keyA.subarray(0, 16) })).toThrow(/"A" has 16 bytes; AES-256 needs 32/);
  expect(() => codec('C', { A: keyA })).toThrow(/encrypting key "C" is not among the configured keys \(A\)/);
});

describe('keys from the environment', () => {
  const a64 = Buffer.from(keyA).toString('base64');
  const b64 = Buffer.from(keyB).toString('base64');

  test('nothing configured: encryption off', () => {
    expect(keySetFromEnv({})).toBeUndefined();
    expect(codecFromEnv({})).toBeUndefined();
    expect(dataConverterFromEnv({})).toEqual({});
  });

  test('a key list with the encrypting id; a single key needs no id', async () => {
    const set = keySetFromEnv({ UNLOCK_TRADER_CODEC_KEYS: `old:${a64}, new:${b64}`, UNLOCK_TRADER_CODEC_KEY_ID: 'new' })!;
    expect(set.encryptWith).toBe('new');
    expect([...set.keys.keys()]).toEqual(['old', 'new']);
    expect(Buffer.from(set.keys.get('old')!).equals(Buffer.from(keyA))).toBe(true);
    expect(keySetFromEnv({ UNLOCK_TRADER_CODEC_KEYS: `only:${a64}` })!.encryptWith).toBe('only');
    const dc = dataConverterFromEnv({ UNLOCK_TRADER_CODEC_KEYS: `k1:${a64}` });
    expect(dc.payloadCodecs).toHaveLength(1);
    const [sealed] = await dc.payloadCodecs![0]!.encode([defaultPayloadConverter.toPayload(1)!]);
    expect(payloadKeyId(sealed!)).toBe('k1');
  });

  test('a key file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codec-keys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ encryptWith: 'b', keys: { a: a64, b: b64 } }));
    const set = keySetFromEnv({ UNLOCK_TRADER_CODEC_KEY_FILE: file })!;
    expect(set.encryptWith).toBe('b');
    expect(set.keys.size).toBe(2);
    writeFileSync(file, JSON.stringify({ encryptWith: 'z', keys: { a: a64 } }));
    expect(() => keySetFromEnv({ UNLOCK_TRADER_CODEC_KEY_FILE: file })).toThrow(/key file .*encryptWith: names no configured key/);
    writeFileSync(file, '{not json');
    expect(() => keySetFromEnv({ UNLOCK_TRADER_CODEC_KEY_FILE: file })).toThrow(/^cannot read UNLOCK_TRADER_CODEC_KEY_FILE=/);
    expect(() => keySetFromEnv({ UNLOCK_TRADER_CODEC_KEY_FILE: join(dir, 'missing.json') })).toThrow(/ENOENT/);
  });

  test.each([
    [{ UNLOCK_TRADER_CODEC_KEYS: 'a:c2hvcnQ=' }, /keys\.a: decodes to 5 bytes; AES-256 needs 32/],
    [{ UNLOCK_TRADER_CODEC_KEYS: 'a:not base64!' }, /keys\.a: not base64/],
    [{ UNLOCK_TRADER_CODEC_KEYS: 'justakey' }, /is not "<key id>:<base64 key>"/],
    [{ UNLOCK_TRADER_CODEC_KEYS: `a:${'A'.repeat(43)}=,a:${'A'.repeat(43)}=` }, /key id "a" appears twice/],
    [{ UNLOCK_TRADER_CODEC_KEYS: `a:${'A'.repeat(43)}=,b:${'A'.repeat(43)}=` }, /UNLOCK_TRADER_CODEC_KEY_ID must name the encrypting key among a, b/],
    [{ UNLOCK_TRADER_CODEC_KEYS: `a:${'A'.repeat(43)}=`, UNLOCK_TRADER_CODEC_KEY_ID: 'b' }, /encryptWith: names no configured key/],
    [{ UNLOCK_TRADER_CODEC_KEY_ID: 'a' }, /KEY_ID is set but no keys are/],
    [{ UNLOCK_TRADER_CODEC_KEYS: `a:${'A'.repeat(43)}=`, UNLOCK_TRADER_CODEC_KEY_FILE: '/x.json' }, /not both/],
    [{ UNLOCK_TRADER_CODEC_KEYS: `bad id!:${'A'.repeat(43)}=` }, /a key id is 1-64 letters/],
  ])('%j is refused with one line', (env, message) => {
    let err: Error | undefined;
    try {
      keySetFromEnv(env);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(message);
    expect(err!.message).not.toContain('\n');
  });
});
