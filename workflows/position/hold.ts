/**
 * Holding a position: waits for the first exit condition (stop-loss / take-profit crossing, time exit,
 * manual or emergency exit). One watchPriceLevels activity covers the whole holding period (design
 * notes §1); for a time-indexed market it reports a future crossing and the workflow sleeps durably
 * until it; it is cancelled when something else comes first.
 */
import { CancellationScope, condition, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { ExitReason, TradingMode } from '../../domain/types';
import type { ExitRequest, PositionView } from './api';
import { formatPrice } from '../../domain/format';
import { timeExitSummary } from './details';

export async function holdUntilExit(view: PositionView, mode: TradingMode, pollMs: number, exitRequested: () => ExitRequest | undefined): Promise<ExitReason> {
  const until = view.timeExitAt ?? Number.MAX_SAFE_INTEGER;
  const watchMs = Math.max(1_000, until - Date.now());
  const watcher = proxyActivities<Activities>({
    startToCloseTimeout: watchMs + 60_000,
    heartbeatTimeout: '60 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
    summary: `price watch: stop ${formatPrice(view.stopPrice)} · target ${formatPrice(view.targetPrice)}`,
  });
  let crossing: { kind: 'STOP_LOSS' | 'TAKE_PROFIT'; at: number; price: string } | null | undefined;
  let watchFailed = false;
  const scope = new CancellationScope();
  scope
    .run(() =>
      watcher.watchPriceLevels({
        symbol: view.symbol,
        mode,
        stopPrice: view.stopPrice!,
        targetPrice: view.targetPrice!,
        from: Date.now(),
        until,
        pollMs,
      }),
    )
    .then((c) => (crossing = c))
    .catch((err) => {
      if (!isCancellation(err)) {
        watchFailed = true;
        log.error('price watcher failed; falling back to the time exit', { error: String(err) });
      }
    });
  try {
    await condition(() => exitRequested() !== undefined || crossing !== undefined || watchFailed, Math.max(0, until - Date.now()), { summary: timeExitSummary(view) });
    // a time-indexed market reports a future crossing: sleep durably until it happens
    if (!exitRequested() && crossing && crossing.at > Date.now()) {
      await condition(() => exitRequested() !== undefined, Math.min(crossing.at, until) - Date.now(), { summary: `until the ${crossing.kind === 'STOP_LOSS' ? 'stop-loss' : 'take-profit'} crossing` });
      if (!exitRequested() && crossing.at > until) crossing = null;
    }
    if (!exitRequested() && !crossing && Date.now() < until) await condition(() => exitRequested() !== undefined, until - Date.now(), { summary: timeExitSummary(view) });
  } finally {
    scope.cancel();
  }
  const req = exitRequested();
  if (req) return req.reason;
  if (crossing && crossing.at <= until) return crossing.kind;
  return 'TIME_EXIT';
}
