/**
 * Where each alert's notifications are (the outbox written by raiseAlert, settled by the notifier):
 * per channel PENDING (waiting for its batch), SENDING (in a batch not yet confirmed: attempts and the
 * last error say why), SENT (when) or FAILED (the receiver refused it for good: why).
 */
import type { Db } from '../db/client';

export interface DeliveryState {
  channel: string;
  status: string;
  batchId: string | null;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

/** Delivery states of these alerts, by alert id, channels in name order. */
export async function deliveryStates(db: Db, alertIds: string[]): Promise<Map<string, DeliveryState[]>> {
  const out = new Map<string, DeliveryState[]>();
  if (!alertIds.length) return out;
  const rows = await db.alertDelivery.findMany({ where: { alertId: { in: alertIds } }, orderBy: [{ alertId: 'asc' }, { channel: 'asc' }] });
  const batchIds = [...new Set(rows.map((r) => r.batchId).filter((b): b is string => !!b))];
  const batches = new Map((await db.notificationBatch.findMany({ where: { id: { in: batchIds } } })).map((b) => [b.id, b]));
  for (const r of rows) {
    const b = r.batchId ? batches.get(r.batchId) : undefined;
    const list = out.get(r.alertId) ?? [];
    list.push({ channel: r.channel, status: r.status, batchId: r.batchId, attempts: b?.attempts ?? 0, lastError: b?.lastError ?? null, sentAt: r.sentAt?.toISOString() ?? null });
    out.set(r.alertId, list);
  }
  return out;
}

/** One cell: `slack:SENT telegram:SENDING(3 tries: HTTP 503)`; `-` when no channel took the alert. */
export function notifiedText(states: DeliveryState[]): string {
  if (!states.length) return '-';
  return states
    .map((s) => {
      const why = s.status === 'SENDING' && s.attempts > 0 ? `(${s.attempts} tries${s.lastError ? `: ${s.lastError.slice(0, 60)}` : ''})` : s.status === 'FAILED' ? `(${(s.lastError ?? '').slice(0, 60)})` : '';
      return `${s.channel}:${s.status}${why}`;
    })
    .join(' ');
}
