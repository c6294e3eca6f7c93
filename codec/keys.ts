/**
 * Where the payload keys come from — the environment or a key file — and the one switch every
 * Temporal client and worker of the app reads: `dataConverterFromEnv()`. With nothing configured
 * encryption is off (plain JSON payloads, as before); a half or wrong configuration is an error,
 * never a silent fallback to plaintext.
 *
 *   UNLOCK_TRADER_CODEC_KEYS="2025-06:<base64 32 bytes>,2025-01:<base64>"  every accepted key
 *   UNLOCK_TRADER_CODEC_KEY_ID=2025-06                                    the encrypting key
 * or
 *   UNLOCK_TRADER_CODEC_KEY_FILE=/secrets/codec-keys.json   {"encryptWith":"2025-06","keys":{"2025-06":"<base64>"}}
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec, KEY_BYTES } from './aes-gcm-codec';

export class CodecConfigError extends Error {
  override readonly name = 'CodecConfigError';
}

const keyId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1-64 letters, digits, ".", "_" or "-"');
const keyMaterial = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64 (generate one with: openssl rand -base64 32)')
  .transform((b64, ctx) => {
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length !== KEY_BYTES) {
      ctx.addIssue({ code: 'custom', message: `decodes to ${bytes.length} bytes; AES-256 needs ${KEY_BYTES} (openssl rand -base64 32)` });
      return z.NEVER;
    }
    return new Uint8Array(bytes);
  });

export const keySetSchema = z
  .object({
    encryptWith: keyId,
    keys: z.record(keyId, keyMaterial).refine((k) => Object.keys(k).length > 0, 'at least one key'),
  })
  .strict()
  .refine((s) => s.encryptWith in s.keys, { message: 'names no configured key', path: ['encryptWith'] });

export interface KeySet {
  encryptWith: string;
  keys: Map<string, Uint8Array>;
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

function parseKeySet(input: unknown, source: string): KeySet {
  const r = keySetSchema.safeParse(input);
  if (!r.success) throw new CodecConfigError(`invalid codec keys from ${source}: ${issues(r.error)}`);
  return { encryptWith: r.data.encryptWith, keys: new Map(Object.entries(r.data.keys)) };
}

/** "id1:base64,id2:base64" → { id: base64 }; the key id comes before the first ":" (base64 has none). */
function splitKeyList(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf(':');
    if (at <= 0) throw new CodecConfigError(`invalid UNLOCK_TRADER_CODEC_KEYS: "${item.slice(0, 20)}…" is not "<key id>:<base64 key>"`);
    const id = item.slice(0, at);
    if (id in out) throw new CodecConfigError(`invalid UNLOCK_TRADER_CODEC_KEYS: key id "${id}" appears twice`);
    out[id] = item.slice(at + 1);
  }
  return out;
}

/** The configured key set, or undefined when encryption is not configured at all. */
export function keySetFromEnv(env: NodeJS.ProcessEnv = process.env): KeySet | undefined {
  const list = env.UNLOCK_TRADER_CODEC_KEYS?.trim();
  const file = env.UNLOCK_TRADER_CODEC_KEY_FILE?.trim();
  const id = env.UNLOCK_TRADER_CODEC_KEY_ID?.trim();
  if (list && file) throw new CodecConfigError('set either UNLOCK_TRADER_CODEC_KEYS or UNLOCK_TRADER_CODEC_KEY_FILE, not both');
  if (file) {
    if (id) throw new CodecConfigError('UNLOCK_TRADER_CODEC_KEY_ID does not apply to a key file: its "encryptWith" names the encrypting key');
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new CodecConfigError(`cannot read UNLOCK_TRADER_CODEC_KEY_FILE=${file}: ${(e as Error).message.split('\n')[0]}`);
    }
    return parseKeySet(json, `key file ${file}`);
  }
  if (list) {
    const keys = splitKeyList(list);
    const ids = Object.keys(keys);
    // one key needs no separate id; with several, which one encrypts must be said
    const encryptWith = id ?? (ids.length === 1 ? ids[0] : undefined);
    if (!encryptWith) throw new CodecConfigError(`UNLOCK_TRADER_CODEC_KEY_ID must name the encrypting key among ${ids.join(', ')}`);
    return parseKeySet({ encryptWith, keys }, 'UNLOCK_TRADER_CODEC_KEYS');
  }
  if (id) throw new CodecConfigError('UNLOCK_TRADER_CODEC_KEY_ID is set but no keys are: set UNLOCK_TRADER_CODEC_KEYS or UNLOCK_TRADER_CODEC_KEY_FILE');
  return undefined;
}

/** The payload codec, or undefined when encryption is off (nothing configured). */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadCodec | undefined {
  const set = keySetFromEnv(env);
  return set && new AesGcmCodec(set);
}

/** What every Temporal client and worker of the app passes as `dataConverter`. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<DataConverter, 'payloadCodecs'> {
  const codec = codecFromEnv(env);
  return codec ? { payloadCodecs: [codec] } : {};
}
