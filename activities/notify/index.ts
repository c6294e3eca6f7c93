/**
 * The notifier's two activities (workflows/notifier.ts runs one loop per channel):
 *  - claimNotificationBatch: waits (polling the outbox, heartbeating) until the channel has a batch to
 *    send: a burst that went quiet, or one claimed before a crash; returns its id, or idle after a while
 *    so the workflow's history stays short;
 *  - sendNotificationBatch: POSTs the batch and settles it; a retryable failure is thrown for Temporal
 *    to retry with backoff (the receiver's Retry-After wins on a 429). The POST is stamped in the batch
 *    row before it leaves (postStartedAt) and the stamp cleared once its outcome is known, so a later
 *    attempt knows an earlier POST's outcome is unknown: while that POST could still be in flight (a
 *    zombie attempt after a heartbeat timeout) it waits rather than send in parallel; after that it
 *    sends again, marked as a possible repeat (chat channels have no idempotency key).
 * Only the channel NAME comes in from the workflow; the URL and token are read from the worker's
 * settings here, so no secret is ever in a workflow input, result or failure.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../db/client';
import type { NotifySettings } from '../../config/notify';
import { activityContext, heartbeat } from '../activity-context';
import { batchBody } from './format';
import { claimBatch, loadBatch, markFailed, markPostStarted, markSent, recordAttempt } from './outbox';
import { postBatch, TIMEOUT_MS } from './send';

export interface NotifyDeps {
  db: Db;
  notify?: NotifySettings;
  log?: (line: string) => void;
  /** how long a claim waits for work before returning idle (default 30 s) */
  idleReturnMs?: number;
}

const POLL_MS = 500;
/** an earlier attempt's POST stamped less than this ago may still be in flight (its timeout, plus recording it) */
export const POST_IN_FLIGHT_MS = TIMEOUT_MS + 5_000;

export type ClaimResult = { kind: 'batch'; batchId: string; alertCount: number } | { kind: 'idle' } | { kind: 'unconfigured' };

async function pause(ms: number): Promise<void> {
  const ctx = activityContext();
  if (ctx) await ctx.sleep(ms);
  else await new Promise((r) => setTimeout(r, ms));
}

export function createNotifyActivities({ db, notify, log = console.log, idleReturnMs = 30_000 }: NotifyDeps) {
  const channelOf = (name: string) => notify?.channels.find((c) => c.name === name);
  return {
    async claimNotificationBatch(i: { channel: string }): Promise<ClaimResult> {
      if (!notify || !channelOf(i.channel)) return { kind: 'unconfigured' };
      const until = Date.now() + idleReturnMs;
      for (;;) {
        heartbeat();
        const d = await claimBatch(db, i.channel, notify);
        if (d.kind === 'batch') return d;
        const left = until - Date.now();
        if (left <= 0) return { kind: 'idle' };
        await pause(Math.max(10, Math.min(POLL_MS, left, d.kind === 'wait' ? d.ms : POLL_MS)));
      }
    },

    async sendNotificationBatch(i: { channel: string; batchId: string }): Promise<{ status: string; alertCount: number }> {
      const ch = channelOf(i.channel);
      // another worker of the same queue may have the channel: retry (the config should be the same everywhere)
      if (!ch) throw ApplicationFailure.retryable(`notification channel "${i.channel}" is not configured in this worker`, 'NotifyUnconfigured');
      const batch = await loadBatch(db, i.batchId);
      if (!batch) return { status: 'MISSING', alertCount: 0 };
      if (batch.status !== 'SENDING') return { status: batch.status, alertCount: batch.alerts.length }; // settled by an earlier attempt
      const ctx = activityContext();
      const attempt = ctx?.info.attempt ?? 1;
      // an earlier POST of this batch whose outcome was never recorded: it may have been delivered
      let repeat = false;
      if (batch.postStartedAt) {
        const age = Date.now() - batch.postStartedAt.getTime();
        if (age < POST_IN_FLIGHT_MS) {
          // it may still be in flight (an attempt that lost its heartbeat is not dead): never two at once
          throw ApplicationFailure.create({ message: `${ch.name}: an earlier send of batch ${i.batchId} may still be in flight; retrying after it`, type: 'NotifyInFlight', nextRetryDelay: POST_IN_FLIGHT_MS - age });
        }
        repeat = true;
      }
      if (!(await markPostStarted(db, i.batchId))) {
        const now = await loadBatch(db, i.batchId);
        return { status: now?.status ?? 'MISSING', alertCount: batch.alerts.length };
      }
      const beat = setInterval(() => heartbeat(), 1000);
      let out;
      try {
        // not aborted on cancellation (a worker shutting down cancels its activities): a POST in flight
        // finishes (10 s at most) and is recorded, rather than leave the receiver with a message we
        // would have to send again
        out = await postBatch(ch, i.batchId, batchBody(ch, i.batchId, batch.alerts, { repeat }));
      } finally {
        clearInterval(beat);
      }
      const n = batch.alerts.length;
      if (out.ok) {
        // the one duplicate window: a crash between the 2xx above and this commit resends the batch (same
        // key, and marked as a possible repeat)
        await markSent(db, i.batchId, attempt);
        log(`[notify] ${ch.name}: sent ${n} alert(s) in batch ${i.batchId} (attempt ${attempt}${repeat ? ', marked as a possible repeat' : ''})`);
        return { status: 'SENT', alertCount: n };
      }
      if (out.permanent) {
        await markFailed(db, i.batchId, attempt, out.error);
        log(`[notify] ${ch.name}: batch ${i.batchId} of ${n} alert(s) REFUSED for good: ${out.error}`);
        return { status: 'FAILED', alertCount: n };
      }
      await recordAttempt(db, i.batchId, attempt, out.error, out.unknown);
      throw ApplicationFailure.create({
        message: out.error,
        type: out.status === 429 ? 'NotifyRateLimited' : 'NotifyRetry',
        ...(out.retryAfterMs !== undefined ? { nextRetryDelay: Math.max(1, out.retryAfterMs) } : {}),
      });
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
