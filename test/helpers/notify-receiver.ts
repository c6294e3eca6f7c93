/**
 * A local notification receiver for the tests: one HTTP server on a free loopback port that plays a
 * generic JSON webhook (/webhook), a Slack (/slack) and a Discord (/discord) incoming webhook and the
 * Telegram Bot API (/bot<token>/sendMessage, 404 for another token, as Telegram answers).
 *
 * It can misbehave, reproducibly (seeded): fail a share of calls (500/503, or 429 with Retry-After),
 * delay answers, and hold the next accepted call (recorded as delivered, then answered late: the kill
 * window "receiver has it, sender does not know"). Every call is logged; a call is DELIVERED when the
 * receiver accepted it (a 2xx decision, answered or not). Deliveries are counted per idempotency key
 * (the header, or for Telegram the batch "ref" in the text), as a receiver that honours the key would.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { freePort } from './ports';
import { mulberry32 } from '../../domain/seeded-random';

export interface ReceivedCall {
  route: string;
  key: string | null;
  /** the status the receiver decided (a held call counts with its 2xx) */
  status: number;
  body: unknown;
  at: number;
  /** the message text (chat bodies), or the raw body (webhook JSON) */
  text: string;
}

export interface ReceiverFaults {
  /** share of calls that fail, 0..1 */
  failRate?: number;
  /** of the failures, this share are 429 with Retry-After (the rest 500 or 503) */
  rateLimitShare?: number;
  retryAfterSec?: number;
  /** every answer is delayed by up to this many ms (seeded) */
  maxDelayMs?: number;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface NotifyReceiver {
  url: string;
  port: number;
  calls: ReceivedCall[];
  faults: ReceiverFaults;
  /** the next accepted call on `route` is recorded as delivered, then answered only after `ms` */
  holdNext(route: string, ms: number): void;
  /** accepted calls of a route */
  delivered(route: string): ReceivedCall[];
  /** distinct idempotency keys delivered on a route */
  distinctKeys(route: string): string[];
  close(): Promise<void>;
}

export async function startNotifyReceiver(o: { telegramToken?: string; seed?: number; faults?: ReceiverFaults } = {}): Promise<NotifyReceiver> {
  // separate streams, so the failure draw is a clean Bernoulli(failRate) whatever else is drawn
  const failRnd = mulberry32(o.seed ?? 1);
  const rnd = mulberry32((o.seed ?? 1) * 7919 + 1);
  const calls: ReceivedCall[] = [];
  const faults: ReceiverFaults = { ...o.faults };
  const holds = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const tg = /^\/bot([^/]+)\/sendMessage$/.exec(path);
    const route = tg ? 'telegram' : path.replace(/^\//, '');
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const text = typeof body === 'object' && body ? String((body as { text?: string; content?: string }).text ?? (body as { content?: string }).content ?? raw) : raw;
    const refKey = /ref ([0-9a-f-]{8,})/.exec(text)?.[1] ?? null;
    // Telegram has no idempotency key (it ignores the header): there the only trace is the text's ref
    const key = tg ? refKey : ((req.headers['idempotency-key'] as string | undefined) ?? null);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      calls.push({ route, key, status, body, at: Date.now(), text });
      const delay = faults.maxDelayMs ? Math.floor(rnd() * faults.maxDelayMs) : 0;
      const held = status < 300 ? holds.get(route) : undefined;
      if (held !== undefined) holds.delete(route);
      setTimeout(() => {
        // the sender died while we held it: the message was delivered all the same
        if (res.destroyed || res.socket?.destroyed) return;
        try {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(payload));
        } catch {
          // the connection went away between the check and the write
        }
      }, delay + (held ?? 0));
    };
    if (req.method !== 'POST' || !['webhook', 'slack', 'discord', 'telegram'].includes(route)) return answer(404, { error: 'not found' });
    if (tg && tg[1] !== o.telegramToken) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
    if ((faults.failRate ?? 0) > 0 && failRnd() < faults.failRate!) {
      if (rnd() < (faults.rateLimitShare ?? 0.3)) {
        const s = faults.retryAfterSec ?? 1;
        return answer(429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${s}`, parameters: { retry_after: s } }, { 'retry-after': String(s) });
      }
      // an error page that echoes the request path: the token must still never reach a log or the DB
      return answer(rnd() < 0.5 ? 500 : 503, { ok: false, error: `upstream failed for ${path}` });
    }
    return answer(200, tg ? { ok: true, result: { message_id: calls.length } } : { ok: true });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const delivered = (route: string) => calls.filter((c) => c.route === route && c.status >= 200 && c.status < 300);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    faults,
    holdNext: (route, ms) => holds.set(route, ms),
    delivered,
    distinctKeys: (route) => [...new Set(delivered(route).map((c) => c.key ?? '(none)'))],
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
