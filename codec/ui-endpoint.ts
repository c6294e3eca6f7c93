/**
 * Where the Temporal Web UI finds the codec server: `UNLOCK_TRADER_CODEC_ENDPOINT` (a URL the
 * operator's browser can reach, e.g. http://127.0.0.1:8089). The dev server passes it to the UI as
 * `--ui-codec-endpoint`; unset, the UI shows encrypted payloads as ciphertext.
 */
import { z } from 'zod';

const endpointSchema = z
  .string()
  .trim()
  .regex(/^https?:\/\/[^\s]+[^/\s]$/, 'must be an http(s) URL without a trailing "/" (e.g. http://127.0.0.1:8089)');

export function codecEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const raw = env.UNLOCK_TRADER_CODEC_ENDPOINT;
  if (raw === undefined || raw.trim() === '') return undefined;
  const r = endpointSchema.safeParse(raw);
  if (!r.success) throw new Error(`invalid UNLOCK_TRADER_CODEC_ENDPOINT: ${r.error.issues[0]!.message}`);
  return r.data;
}
