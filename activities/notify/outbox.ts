/**
 * The notification outbox in the DB (AlertDelivery, NotificationBatch): which deliveries of a channel
 * wait, claiming them into one batch, and settling a batch. A batch's id is created once, stored
 * before anything is sent, and reused by every resend, so the receiver can drop a repeat by key.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import type { BatchAlert } from './format';

/** One message's worth at most; the rest waits for the next batch (the JSON webhook carries every alert). */
export const MAX_BATCH = 500;

export interface Pacing {
  batchWindowMs: number;
  batchMaxWaitMs: number;
  minIntervalMs: number;
}

export type ClaimDecision = { kind: 'batch'; batchId: string; alertCount: number } | { kind: 'wait'; ms: number } | { kind: 'idle' };

/**
 * What the channel's notifier should do now:
 *  - a batch claimed earlier and not settled (a crash, a retry after a failed send): that one again;
 *  - nothing pending: idle;
 *  - a burst still coming (the newest delivery is younger than the window, the oldest younger than the
 *    max wait) or the channel's last message too recent: wait;
 *  - else every pending delivery (up to MAX_BATCH) becomes one new batch, in one transaction.
 */
export async function claimBatch(db: Db, channel: string, p: Pacing, now = Date.now()): Promise<ClaimDecision> {
  const open = await db.notificationBatch.findFirst({ where: { channel, status: 'SENDING' }, orderBy: { createdAt: 'asc' } });
  if (open) return { kind: 'batch', batchId: open.id, alertCount: open.alertCount };
  const pending = await db.alertDelivery.findMany({ where: { channel, status: 'PENDING' }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: MAX_BATCH, select: { id: true, createdAt: true } });
  if (!pending.length) return { kind: 'idle' };
  const oldest = pending[0]!.createdAt.getTime();
  const newest = pending[pending.length - 1]!.createdAt.getTime();
  const quietIn = newest + p.batchWindowMs - now;
  const deadlineIn = oldest + p.batchMaxWaitMs - now;
  if (pending.length < MAX_BATCH && quietIn > 0 && deadlineIn > 0) return { kind: 'wait', ms: Math.min(quietIn, deadlineIn) };
  const last = await db.notificationBatch.findFirst({ where: { channel, status: { not: 'SENDING' } }, orderBy: { sentAt: 'desc' }, select: { sentAt: true } });
  const paceIn = (last?.sentAt?.getTime() ?? 0) + p.minIntervalMs - now;
  if (paceIn > 0) return { kind: 'wait', ms: paceIn };
  const batchId = randomUUID();
  const ids = pending.map((d) => d.id);
  await db.$transaction(async (tx) => {
    // only rows still PENDING: a second claimer (a zombie attempt) cannot put a delivery in two batches
    const taken = await tx.alertDelivery.updateMany({ where: { id: { in: ids }, status: 'PENDING' }, data: { status: 'SENDING', batchId } });
    if (taken.count !== ids.length) throw new Error(`outbox of ${channel} changed while claiming (${taken.count} of ${ids.length}); claim again`);
    await tx.notificationBatch.create({ data: { id: batchId, channel, status: 'SENDING', alertCount: ids.length } });
  });
  return { kind: 'batch', batchId, alertCount: ids.length };
}

/** The batch and its alerts, oldest first; `postStartedAt`: a POST of it whose outcome was not recorded (yet). */
export async function loadBatch(db: Db, batchId: string): Promise<{ status: string; channel: string; postStartedAt: Date | null; alerts: BatchAlert[] } | null> {
  const batch = await db.notificationBatch.findUnique({ where: { id: batchId } });
  if (!batch) return null;
  const deliveries = await db.alertDelivery.findMany({ where: { batchId }, select: { alertId: true } });
  const alerts = await db.alert.findMany({
    where: { id: { in: deliveries.map((d) => d.alertId) } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, strategyId: true, severity: true, kind: true, message: true, createdAt: true },
  });
  return { status: batch.status, channel: batch.channel, postStartedAt: batch.postStartedAt, alerts };
}

/**
 * Just before a POST: stamp it, only while the batch is still SENDING. False: settled meanwhile (a zombie
 * attempt of the same batch finished it), so nothing is sent.
 */
export async function markPostStarted(db: Db, batchId: string, at = new Date()): Promise<boolean> {
  const r = await db.notificationBatch.updateMany({ where: { id: batchId, status: 'SENDING' }, data: { postStartedAt: at } });
  return r.count === 1;
}

/** The receiver confirmed (2xx): batch and deliveries SENT, in one transaction. */
export async function markSent(db: Db, batchId: string, attempt: number, at = new Date()): Promise<void> {
  await db.$transaction([
    db.notificationBatch.update({ where: { id: batchId }, data: { status: 'SENT', sentAt: at, attempts: attempt, postStartedAt: null } }), // lastError stays: what the earlier attempts met
    db.alertDelivery.updateMany({ where: { batchId }, data: { status: 'SENT', sentAt: at } }),
  ]);
}

/** The receiver refused this message for good (a 4xx other than 408/429): FAILED, visible in `alerts`. */
export async function markFailed(db: Db, batchId: string, attempt: number, error: string, at = new Date()): Promise<void> {
  await db.$transaction([
    db.notificationBatch.update({ where: { id: batchId }, data: { status: 'FAILED', sentAt: at, attempts: attempt, lastError: error, postStartedAt: null } }),
    db.alertDelivery.updateMany({ where: { batchId }, data: { status: 'FAILED' } }),
  ]);
}

/**
 * A failed attempt that will be retried: counted, with its (redacted) reason. `outcomeUnknown` (no answer:
 * the receiver may have the message) keeps the POST's stamp, so the resend is marked as a possible repeat.
 */
export async function recordAttempt(db: Db, batchId: string, attempt: number, error: string, outcomeUnknown = false): Promise<void> {
  await db.notificationBatch.update({ where: { id: batchId }, data: { attempts: attempt, lastError: error, ...(outcomeUnknown ? {} : { postStartedAt: null }) } });
}
