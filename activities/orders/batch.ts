/**
 * The emergency-stop fan-out: every order concurrently inside ONE activity (no workflow task per
 * position on the critical path), each through the same exactly-once recipe, retryable per-order
 * errors retried inside with bounded attempts and capped backoff, heartbeating as it goes. Orders
 * that still fail retryably make the whole batch fail retryably: every order is idempotent, so the
 * batch's retry finds the placed ones and finishes the rest.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { BrokerError } from '../../exchange/types';
import { activityContext } from '../activity-context';
import { isRetryable, redactedMessage } from '../failures';
import type { QuoteCache } from './expected-slippage';
import type { ExactlyOncePlacement } from './exactly-once';
import { placedOrderOf, type OrderLedger } from './ledger';
import type { PlacedOrder, PlaceOrderInput } from './types';

export interface BatchDeps {
  placement: ExactlyOncePlacement;
  ledger: OrderLedger;
  /** attempts per order inside the activity (default 5) */
  maxAttempts?: number;
  /** first backoff, doubled per attempt, capped at 2 s (default 100 ms) */
  retryBaseMs?: number;
}

export async function placeBatch(inputs: PlaceOrderInput[], { placement, ledger, maxAttempts = 5, retryBaseMs = 100 }: BatchDeps): Promise<PlacedOrder[]> {
  const ctx = activityContext();
  const quotes: QuoteCache = new Map();
  let done = 0;
  let retries = 0;
  const beat = () => ctx?.heartbeat({ done, total: inputs.length, retries });
  beat();
  const exhausted: string[] = [];
  // every row in one transaction first (exactly-once.ts openBatch); a later attempt of an order goes
  // through the whole recipe again, as a retry
  const opened = await placement.openBatch(inputs);
  const results = await Promise.all(
    inputs.map(async (input, i): Promise<PlacedOrder> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await placement.placeOnce(input, quotes, attempt === 1 ? opened?.[i] : undefined);
          done++;
          beat();
          return r;
        } catch (e) {
          const be = e instanceof BrokerError ? e : undefined;
          const retryable = isRetryable(e);
          if (!retryable || attempt >= maxAttempts) {
            if (retryable) exhausted.push(input.clientOrderId);
            done++;
            beat();
            const row = await ledger.find(input.clientOrderId).catch(() => null);
            const base: PlacedOrder = row
              ? placedOrderOf(row)
              : { clientOrderId: input.clientOrderId, venue: 'unknown', status: 'REJECTED', filledAmount: '0', avgPrice: '0', fee: '0', exchangeOrderId: null };
            return { ...base, error: { message: redactedMessage(e), kind: be?.kind ?? 'UNKNOWN', retryable } };
          }
          retries++;
          beat();
          const wait = Math.min(2000, be?.retryAfterMs ?? retryBaseMs * 2 ** (attempt - 1));
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    }),
  );
  if (exhausted.length > 0) {
    throw ApplicationFailure.create({
      message: `${exhausted.length} of ${inputs.length} orders still failing after ${maxAttempts} attempts each (${retries} retries): ${exhausted.slice(0, 5).join(', ')}${exhausted.length > 5 ? ', …' : ''}`,
      type: 'BATCH_INCOMPLETE',
      nonRetryable: false,
      details: [results],
    });
  }
  return results;
}
