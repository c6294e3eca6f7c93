/**
 * One message per batch, in the body each receiver expects. The generic webhook gets every alert as
 * JSON; chat channels get a text: a headline with the count per severity, then one line per alert,
 * most severe first, cut to the channel's limit with "... and N more" (a 100-alert burst is one
 * readable message, and never a 400 for being too long: Telegram takes 4096 characters, Discord 2000).
 */
import type { ChannelKind, NotifyChannel, Severity } from '../../config/notify';
import { SEVERITIES } from '../../config/notify';

export interface BatchAlert {
  id: string;
  strategyId: string | null;
  severity: string;
  kind: string;
  message: string;
  createdAt: Date;
}

const TEXT_LIMIT: Record<Exclude<ChannelKind, 'webhook'>, number> = { slack: 3500, discord: 1900, telegram: 3800 };
const MAX_LINE = 300;

function rank(s: string): number {
  return SEVERITIES.indexOf(s as Severity);
}

/** heads a resend whose earlier POST's outcome is unknown (a chat channel has no idempotency key) */
export const REPEAT_MARK = '(repeat: may duplicate an earlier message with the same ref)';

/** The text of a chat message: headline, then alerts most severe first, within `limit` characters. */
export function batchText(batchId: string, alerts: BatchAlert[], limit: number, repeat = false): string {
  const sorted = [...alerts].sort((a, b) => rank(b.severity) - rank(a.severity) || a.createdAt.getTime() - b.createdAt.getTime());
  const counts = [...SEVERITIES]
    .reverse()
    .map((s) => [s, alerts.filter((a) => a.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const top = sorted[0];
  const head =
    (repeat ? `${REPEAT_MARK}\n` : '') +
    (alerts.length === 1 && top ? `unlock-trader ${top.severity.toUpperCase()}` : `unlock-trader: ${alerts.length} alerts (${counts})`);
  // the batch reference lets a reader (and the tests) tell a resend of the same message from a new one
  const foot = `ref ${batchId.slice(0, 12)} · npx unlock-trader alerts`;
  const lines: string[] = [];
  let used = head.length + foot.length + 40;
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    const line = `${a.severity.toUpperCase()} ${a.strategyId ? `${a.strategyId} ` : ''}${a.kind}: ${a.message}`.slice(0, MAX_LINE);
    if (used + line.length + 1 > limit) {
      lines.push(`... and ${sorted.length - i} more`);
      break;
    }
    lines.push(line);
    used += line.length + 1;
  }
  return [head, ...lines, foot].join('\n');
}

/** The request body for a channel; `repeat`: an earlier POST of this batch has an unknown outcome. */
export function batchBody(channel: Pick<NotifyChannel, 'name' | 'chatId'>, batchId: string, alerts: BatchAlert[], o: { repeat?: boolean } = {}): unknown {
  if (channel.name === 'webhook') {
    return {
      batchId,
      ...(o.repeat ? { repeat: true } : {}),
      count: alerts.length,
      alerts: alerts.map((a) => ({ id: a.id, severity: a.severity, strategyId: a.strategyId, kind: a.kind, message: a.message, createdAt: a.createdAt.toISOString() })),
    };
  }
  const text = batchText(batchId, alerts, TEXT_LIMIT[channel.name], o.repeat);
  if (channel.name === 'slack') return { text };
  if (channel.name === 'discord') return { content: text, allowed_mentions: { parse: [] } };
  return { chat_id: channel.chatId, text, disable_web_page_preview: true };
}
