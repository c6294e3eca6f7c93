import { BrokerError } from '../../exchange/types';
import { classifyError } from '../../exchange/errors';

/** What an activity + Temporal's retry policy do with a broker call, in miniature: retry what is retryable. */
export async function withRetries<T>(fn: () => Promise<T>, counter: { retries: number }, max = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const be = e instanceof BrokerError ? e : classifyError(e);
      if (!be.retryable || attempt >= max) throw be;
      counter.retries++;
      await new Promise((r) => setTimeout(r, Math.min(be.retryAfterMs ?? 20, 500)));
    }
  }
}
