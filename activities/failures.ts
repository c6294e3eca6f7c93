/**
 * Failure classification for every activity: which errors Temporal should retry (and when), which
 * database errors mean "someone else wrote this row first", and the secret redaction every message
 * passes through before it is stored, thrown or logged.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { BrokerError } from '../exchange/types';
import { NOTIFY_SECRET_VARS } from '../config/notify';

/** Remove credentials and request signatures from a message before it is stored, thrown or logged. */
export function redactSecrets(msg: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = msg;
  // the notification URLs and bot token too (a Slack/Discord webhook URL is itself a credential)
  for (const k of ['EXCHANGE_API_KEY', 'EXCHANGE_SECRET', ...NOTIFY_SECRET_VARS]) {
    const v = env[k];
    if (v && v.length >= 4) out = out.split(v).join('***');
    // a receiver may echo only the path of a webhook URL, which is where its token lives
    const path = v && /^https?:\/\//.test(v) ? v.replace(/^https?:\/\/[^/]+/, '') : '';
    if (path.length >= 8) out = out.split(path).join('***');
  }
  return out
    .replace(/(signature=)[0-9a-fA-F]+/g, '$1***')
    // a Telegram Bot API path (/bot<id>:<secret>/...) even when the token is not this process's
    .replace(/(\/bot)\d+:[A-Za-z0-9_-]+/g, '$1***')
    .replace(/(X-MBX-APIKEY["']?\s*[:=]\s*["']?)[^"',\s}]+/gi, '$1***')
    .replace(/((?:api[-_]?key|secret|password)["']?\s*[:=]\s*["']?)[^"',\s}&]+/gi, '$1***')
    .slice(0, 2000);
}

/** Any thrown value's message, redacted. */
export function redactedMessage(e: unknown): string {
  return redactSecrets(e instanceof Error ? e.message : String(e));
}

/** A unique-constraint violation (Prisma P2002, or the raw SQLite / Postgres text): the row already exists. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'P2002' || /unique constraint|UNIQUE constraint failed|duplicate key/i.test(String((e as Error)?.message));
}

/** Worth another attempt: a retryable BrokerError, or anything but a non-retryable ApplicationFailure. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof BrokerError) return e.retryable;
  return !(e instanceof ApplicationFailure && e.nonRetryable);
}

/** Map any error to what Temporal should see (retryable or not, with Retry-After). */
export function toActivityFailure(e: unknown): Error {
  if (e instanceof ApplicationFailure) return e;
  if (e instanceof BrokerError) {
    const message = redactSecrets(e.message);
    if (!e.retryable) return ApplicationFailure.nonRetryable(message, e.kind);
    return ApplicationFailure.create({
      message,
      type: e.kind,
      nonRetryable: false,
      ...(e.retryAfterMs !== undefined && e.retryAfterMs > 0 ? { nextRetryDelay: e.retryAfterMs } : {}),
    });
  }
  if (e instanceof Error) {
    e.message = redactSecrets(e.message);
    return e;
  }
  return new Error(redactSecrets(String(e)));
}
