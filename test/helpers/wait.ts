export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls `fn` until `ok(value)` or the deadline; on timeout throws naming `what`, the last value and the
 * last error. Every wait of the proof tests and of the benchmark goes through here: nothing waits forever.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T> | T, ok: (v: T) => boolean, ms = 30_000, every = 200): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last value ${JSON.stringify(last)?.slice(0, 800)}${lastErr ? `; last error ${String(lastErr).slice(0, 300)}` : ''}`);
    }
    await sleep(every);
  }
}
