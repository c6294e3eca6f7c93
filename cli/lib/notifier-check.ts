/**
 * The `notify <channel>` rows of `health`: one per channel configured in this environment
 * (UNLOCK_TRADER_NOTIFY_*, config/notify.ts; named with its minimum severity, never its URL or token)
 * or seen in the outbox (AlertDelivery: a channel only the worker's environment configures). Each row:
 * the last delivery's state and age, and the pending / sending / failed counts. DOWN when a delivery
 * has waited longer than STUCK_AFTER_MS (no notifier running for it, or its receiver keeps failing)
 * or the channel's last settled message was refused for good.
 */
import type { Db } from '../../db/client';
import { oneLine } from '../context';
import { withTimeout } from './temporal';

export interface NotifierRow {
  check: string;
  ok: boolean;
  latencyMs: number | null;
  detail: string;
}

/** a delivery unsent for this long is stuck (a burst goes out within the 10-s max wait, retries back off to 1 min) */
export const STUCK_AFTER_MS = 5 * 60_000;

/** "45 s", "12 min", "3 h", "2 d" */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

async function channelRow(db: Db, channel: string, configured: string | undefined, now: number): Promise<NotifierRow> {
  const t0 = performance.now();
  const [counts, last, oldestUnsent, lastSettled, retrying] = await Promise.all([
    db.alertDelivery.groupBy({ by: ['status'], where: { channel }, _count: { _all: true } }),
    db.alertDelivery.findFirst({ where: { channel }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    db.alertDelivery.findFirst({ where: { channel, status: { in: ['PENDING', 'SENDING'] } }, orderBy: { createdAt: 'asc' } }),
    db.notificationBatch.findFirst({ where: { channel, status: { in: ['SENT', 'FAILED'] } }, orderBy: { sentAt: 'desc' } }),
    db.notificationBatch.findFirst({ where: { channel, status: 'SENDING', lastError: { not: null } }, orderBy: { createdAt: 'asc' } }),
  ]);
  const latencyMs = Math.round(performance.now() - t0);
  const n = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
  const parts = [configured ?? 'not configured in this environment (the worker\'s decides)'];
  if (last) {
    const at = last.status === 'SENT' && last.sentAt ? last.sentAt : last.createdAt;
    parts.push(`last ${last.status} ${age(now - at.getTime())} ago`);
  } else parts.push('nothing delivered yet');
  parts.push(`${n('PENDING')} pending, ${n('SENDING')} sending, ${n('FAILED')} failed`);
  // lastError is stored redacted (activities/failures.ts)
  if (retrying) parts.push(`retrying (${retrying.attempts} tries): ${retrying.lastError!.slice(0, 120)}`);
  let ok = true;
  if (oldestUnsent && now - oldestUnsent.createdAt.getTime() > STUCK_AFTER_MS) {
    ok = false;
    parts.push(`oldest unsent waits ${age(now - oldestUnsent.createdAt.getTime())}: is a worker with this channel running?`);
  }
  if (lastSettled?.status === 'FAILED') {
    ok = false;
    parts.push(`last message refused for good: ${(lastSettled.lastError ?? '').slice(0, 120)}`);
  }
  return { check: `notify ${channel}`, ok, latencyMs, detail: parts.join(' · ') };
}

export async function checkNotifier(db: () => Promise<Db>, timeoutMs: number, now = Date.now()): Promise<NotifierRow[]> {
  const { loadNotifySettings } = await import('../../config/notify');
  let configured: Map<string, string>;
  try {
    configured = new Map(loadNotifySettings().channels.map((c) => [c.name, `configured here (>= ${c.minSeverity})`]));
  } catch (e) {
    // the error names the variable, never its value (config/notify.ts)
    return [{ check: 'notify', ok: false, latencyMs: null, detail: oneLine(e) }];
  }
  try {
    const d = await db();
    const seen = await withTimeout(d.alertDelivery.findMany({ distinct: ['channel'], select: { channel: true } }), timeoutMs, 'outbox read');
    const channels = [...new Set([...configured.keys(), ...seen.map((s) => s.channel)])].sort();
    if (!channels.length) return [{ check: 'notify', ok: true, latencyMs: null, detail: 'no channel configured (UNLOCK_TRADER_NOTIFY_*, in the worker\'s environment): alerts are stored only' }];
    return await withTimeout(Promise.all(channels.map((c) => channelRow(d, c, configured.get(c), now))), timeoutMs, 'outbox read');
  } catch (e) {
    return [{ check: 'notify', ok: false, latencyMs: null, detail: `outbox: ${oneLine(e)}` }];
  }
}
