/**
 * One HTTP POST of a batch to its channel, and what the answer means:
 *  - 2xx → delivered;
 *  - 429 → rate limited: retry after the receiver's Retry-After header (seconds or an HTTP date) or
 *    Telegram's `parameters.retry_after`, else the activity's own backoff;
 *  - 408, 425, 5xx, a timeout, a refused connection → retry with backoff;
 *  - any other 4xx → the receiver refuses this message for good (bad URL, revoked token, chat gone):
 *    retrying cannot help, the batch is marked FAILED and `alerts` shows why.
 * Every request carries `Idempotency-Key: <batch id>` (a receiver that honours it drops a resend;
 * Telegram, Slack and Discord ignore it: a resend after an unknown outcome is marked as a possible
 * repeat instead, see ./index.ts and README "Notifications").
 */
import { redactSecrets } from '../failures';
import type { NotifyChannel } from '../../config/notify';

/** `unknown`: no answer came back (a timeout, a reset), so the receiver may have taken the message */
export type SendOutcome = { ok: true; status: number } | { ok: false; permanent: boolean; status?: number; retryAfterMs?: number; unknown?: boolean; error: string };

/** fetch failures that mean the request never reached a receiver */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** a POST gets no answer after this long: it is over (a later attempt may then judge its outcome unknown) */
export const TIMEOUT_MS = 10_000;

function retryAfterMs(res: Response, body: string): number | undefined {
  const h = res.headers.get('retry-after');
  if (h) {
    if (/^\d+(\.\d+)?$/.test(h.trim())) return Math.ceil(Number(h) * 1000);
    const at = Date.parse(h);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  try {
    const ra = (JSON.parse(body) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    if (typeof ra === 'number' && ra >= 0) return Math.ceil(ra * 1000);
  } catch {
    // not JSON: no hint
  }
  return undefined;
}

/** POST the body; never throws, never returns the URL or the token (messages are redacted). */
export async function postBatch(channel: Pick<NotifyChannel, 'name' | 'url'>, batchId: string, body: unknown, signal?: AbortSignal): Promise<SendOutcome> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(channel.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': batchId, 'user-agent': 'unlock-trader-notifier' },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (e) {
    // fetch's own errors can carry the URL (and so the token) in message or cause: name only the kind
    const c = (e as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message?.slice(0, 100);
    const what = timeout.aborted ? `no answer within ${TIMEOUT_MS} ms` : `${(e as Error).name}${cause ? ` ${cause}` : ''}`;
    return { ok: false, permanent: false, unknown: !NOT_SENT_CODES.has(c?.code ?? ''), error: redactSecrets(`${channel.name}: request failed: ${what}`) };
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { ok: true, status: res.status };
  const error = redactSecrets(`${channel.name}: HTTP ${res.status}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`);
  if (res.status === 429) return { ok: false, permanent: false, status: 429, retryAfterMs: retryAfterMs(res, text), error };
  const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 425;
  return { ok: false, permanent, status: res.status, error };
}
