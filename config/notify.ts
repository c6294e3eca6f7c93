/**
 * Notification channels (issue 15), from the worker's environment only. One channel per kind:
 *
 *   UNLOCK_TRADER_NOTIFY_WEBHOOK_URL        generic JSON webhook (POST, Idempotency-Key header)
 *   UNLOCK_TRADER_NOTIFY_SLACK_URL          Slack incoming webhook ({"text": ...})
 *   UNLOCK_TRADER_NOTIFY_DISCORD_URL        Discord webhook ({"content": ...})
 *   UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN + UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID   Bot API sendMessage
 *   UNLOCK_TRADER_NOTIFY_<KIND>_MIN_SEVERITY   per channel; default UNLOCK_TRADER_NOTIFY_MIN_SEVERITY (warning)
 *   UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS / _MAX_WAIT_MS / _MIN_INTERVAL_MS   batching and pacing
 *   UNLOCK_TRADER_NOTIFY_TELEGRAM_API_URL   Bot API base (default https://api.telegram.org; tests point it at a local receiver)
 *
 * URLs and the bot token are secrets (a Slack or Discord webhook URL is a credential), so only the
 * CHANNEL NAME ever travels through Temporal: the activity reads the secret here, in the worker. Errors
 * name the variable, never its value.
 */
import { z } from 'zod';
import { ConfigError, formatZodError } from './strategy-config';

export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const CHANNEL_KINDS = ['webhook', 'slack', 'discord', 'telegram'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface NotifyChannel {
  name: ChannelKind;
  minSeverity: Severity;
  /** where the message is POSTed (for telegram: <api>/bot<token>/sendMessage) */
  url: string;
  /** telegram only */
  chatId?: string;
}

export interface NotifySettings {
  channels: NotifyChannel[];
  /** a burst is over when no alert came for this long: everything pending then goes in one message */
  batchWindowMs: number;
  /** ... or when its oldest alert has waited this long (a never-ending trickle still gets out) */
  batchMaxWaitMs: number;
  /** per-channel pacing between two messages (Slack and Telegram allow about one per second) */
  minIntervalMs: number;
}

const P = 'UNLOCK_TRADER_NOTIFY_';
/** the variables holding secrets: redacted from every message (activities/failures.ts) */
export const NOTIFY_SECRET_VARS = [`${P}WEBHOOK_URL`, `${P}SLACK_URL`, `${P}DISCORD_URL`, `${P}TELEGRAM_BOT_TOKEN`];

const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });
// a URL's problem is named without echoing the value (it may hold a token)
const secretUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !!u.hostname;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL (value not shown: it is a secret)')
  .optional();
const ms = (def: number, min: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > 3_600_000) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to 3600000 (ms), got "${v.slice(0, 40)}"` });
        return z.NEVER;
      }
      return Number(v);
    });
const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const notifyEnvSchema = z
  .object({
    [`${P}MIN_SEVERITY`]: z.preprocess(emptyAsUndefined, severity.default('warning')),
    [`${P}WEBHOOK_URL`]: z.preprocess(emptyAsUndefined, secretUrl),
    [`${P}WEBHOOK_MIN_SEVERITY`]: z.preprocess(emptyAsUndefined, severity.optional()),
    [`${P}SLACK_URL`]: z.preprocess(emptyAsUndefined, secretUrl),
    [`${P}SLACK_MIN_SEVERITY`]: z.preprocess(emptyAsUndefined, severity.optional()),
    [`${P}DISCORD_URL`]: z.preprocess(emptyAsUndefined, secretUrl),
    [`${P}DISCORD_MIN_SEVERITY`]: z.preprocess(emptyAsUndefined, severity.optional()),
    [`${P}TELEGRAM_BOT_TOKEN`]: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'must look like <bot id>:<secret> as BotFather gives it (value not shown: it is a secret)')
        .optional(),
    ),
    [`${P}TELEGRAM_CHAT_ID`]: z.preprocess(emptyAsUndefined, z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, 'must be a numeric chat id or @channelname').optional()),
    [`${P}TELEGRAM_MIN_SEVERITY`]: z.preprocess(emptyAsUndefined, severity.optional()),
    [`${P}TELEGRAM_API_URL`]: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://api.telegram.org')),
    [`${P}BATCH_WINDOW_MS`]: ms(2_000, 0),
    [`${P}BATCH_MAX_WAIT_MS`]: ms(10_000, 0),
    [`${P}MIN_INTERVAL_MS`]: ms(1_000, 0),
  })
  .superRefine((e, ctx) => {
    const token = e[`${P}TELEGRAM_BOT_TOKEN`];
    const chat = e[`${P}TELEGRAM_CHAT_ID`];
    if (token && !chat) ctx.addIssue({ code: 'custom', path: [`${P}TELEGRAM_CHAT_ID`], message: `is required when ${P}TELEGRAM_BOT_TOKEN is set` });
    if (chat && !token) ctx.addIssue({ code: 'custom', path: [`${P}TELEGRAM_BOT_TOKEN`], message: `is required when ${P}TELEGRAM_CHAT_ID is set` });
    for (const k of ['WEBHOOK', 'SLACK', 'DISCORD', 'TELEGRAM'] as const) {
      const configured = k === 'TELEGRAM' ? token : e[`${P}${k}_URL`];
      if (e[`${P}${k}_MIN_SEVERITY`] && !configured) ctx.addIssue({ code: 'custom', path: [`${P}${k}_MIN_SEVERITY`], message: `is set but the ${k.toLowerCase()} channel is not configured` });
    }
  });

/** The channels and batching settings from the environment; a bad setting → ConfigError naming the variable (one line). */
export function loadNotifySettings(env: NodeJS.ProcessEnv = process.env): NotifySettings {
  const r = notifyEnvSchema.safeParse(env);
  if (!r.success) throw new ConfigError(`invalid environment: ${formatZodError(r.error)}`);
  const e = r.data as Record<string, string | number | undefined>;
  const min = (k: string) => (e[`${P}${k}_MIN_SEVERITY`] ?? e[`${P}MIN_SEVERITY`]) as Severity;
  const channels: NotifyChannel[] = [];
  for (const [name, k] of [
    ['webhook', 'WEBHOOK'],
    ['slack', 'SLACK'],
    ['discord', 'DISCORD'],
  ] as const) {
    const url = e[`${P}${k}_URL`] as string | undefined;
    if (url) channels.push({ name, minSeverity: min(k), url });
  }
  const token = e[`${P}TELEGRAM_BOT_TOKEN`] as string | undefined;
  if (token) {
    const api = String(e[`${P}TELEGRAM_API_URL`]).replace(/\/+$/, '');
    channels.push({ name: 'telegram', minSeverity: min('TELEGRAM'), url: `${api}/bot${token}/sendMessage`, chatId: e[`${P}TELEGRAM_CHAT_ID`] as string });
  }
  return {
    channels,
    batchWindowMs: e[`${P}BATCH_WINDOW_MS`] as number,
    batchMaxWaitMs: e[`${P}BATCH_MAX_WAIT_MS`] as number,
    minIntervalMs: e[`${P}MIN_INTERVAL_MS`] as number,
  };
}

/** The channels an alert of this severity goes to. */
export function channelsFor(settings: Pick<NotifySettings, 'channels'> | undefined, sev: Severity): NotifyChannel[] {
  const rank = SEVERITIES.indexOf(sev);
  return (settings?.channels ?? []).filter((c) => rank >= SEVERITIES.indexOf(c.minSeverity));
}
