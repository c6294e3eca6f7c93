/**
 * Fault injection for the simulator, scriptable per endpoint at runtime.
 *
 * A rule matches requests by `endpoint` (exact path such as "/api/v3/order", a prefix ending in "*",
 * or "*" for all API paths; admin paths are never faulted) and optional `method`. Eligibility filters:
 *   - `firstCalls: N`            only the first N matching calls are candidates
 *   - `firstCallPerClientOrderId` only the first call carrying a given newClientOrderId/origClientOrderId
 *   - `probability` (0..1, default 1) drawn from a seeded PRNG, so runs are reproducible
 *   - `times: N`                 the rule disarms after firing N times
 * Kinds:
 *   latency           add `latencyMs` before handling (cumulative with other matching latency rules; never
 *                     the "final" fault of a request)
 *   status            answer HTTP `status` (default 503) without handling the request
 *   rate-limit        answer 429 (or `status: 418`) with Retry-After: `retryAfterSec` (default 1)
 *   reset             destroy the socket without handling the request
 *   timeout           never answer (socket held until the client gives up or the server closes)
 *   accept-then-drop  handle the request (the order is recorded), then destroy the socket instead of answering
 */
import { mulberry32 } from '../domain/seeded-random';

export type FaultKind = 'latency' | 'status' | 'rate-limit' | 'reset' | 'timeout' | 'accept-then-drop';

export interface FaultRuleSpec {
  id?: string;
  kind: FaultKind;
  endpoint?: string;
  method?: string;
  probability?: number;
  times?: number;
  firstCalls?: number;
  firstCallPerClientOrderId?: boolean;
  latencyMs?: number;
  status?: number;
  retryAfterSec?: number;
}

export interface FaultRule extends Required<Pick<FaultRuleSpec, 'id' | 'kind' | 'endpoint'>> {
  spec: FaultRuleSpec;
  matched: number;
  fired: number;
  seenClientIds: Set<string>;
}

export interface FaultDecision {
  latencyMs: number;
  /** the terminal fault to apply, if any */
  fault?: FaultRule;
}

export interface FaultRequestInfo {
  method: string;
  path: string;
  clientOrderId?: string;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private rng: () => number;
  private nextId = 1;
  /** injected faults by kind */
  readonly injected: Record<string, number> = {};

  constructor(seed = 1) {
    this.rng = mulberry32(seed);
  }

  reseed(seed: number): void {
    this.rng = mulberry32(seed);
  }

  add(spec: FaultRuleSpec): string {
    const kinds: FaultKind[] = ['latency', 'status', 'rate-limit', 'reset', 'timeout', 'accept-then-drop'];
    if (!kinds.includes(spec.kind)) throw new Error(`unknown fault kind ${String(spec.kind)}`);
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) throw new Error('probability must be in [0,1]');
    const id = spec.id ?? `f${this.nextId++}`;
    this.remove(id);
    this.rules.push({ id, kind: spec.kind, endpoint: spec.endpoint ?? '*', spec: { ...spec, id }, matched: 0, fired: 0, seenClientIds: new Set() });
    return id;
  }

  remove(id: string): boolean {
    const n = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== n;
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<FaultRuleSpec & { matched: number; fired: number }> {
    return this.rules.map((r) => ({ ...r.spec, matched: r.matched, fired: r.fired }));
  }

  totalInjected(): number {
    return Object.entries(this.injected)
      .filter(([k]) => k !== 'latency')
      .reduce((a, [, v]) => a + v, 0);
  }

  private matches(r: FaultRule, req: FaultRequestInfo): boolean {
    if (r.spec.method && r.spec.method.toUpperCase() !== req.method.toUpperCase()) return false;
    const ep = r.endpoint;
    if (ep === '*') return true;
    if (ep.endsWith('*')) return req.path.startsWith(ep.slice(0, -1));
    return req.path === ep;
  }

  /** decide what happens to one request; updates counters */
  decide(req: FaultRequestInfo): FaultDecision {
    let latencyMs = 0;
    let fault: FaultRule | undefined;
    for (const r of this.rules) {
      if (!this.matches(r, req)) continue;
      if (r.spec.times !== undefined && r.fired >= r.spec.times) continue;
      if (r.kind !== 'latency' && fault) continue; // one terminal fault per request
      r.matched++;
      if (r.spec.firstCalls !== undefined && r.matched > r.spec.firstCalls) continue;
      if (r.spec.firstCallPerClientOrderId) {
        if (!req.clientOrderId || r.seenClientIds.has(req.clientOrderId)) continue;
        r.seenClientIds.add(req.clientOrderId);
      }
      if (r.spec.probability !== undefined && r.spec.probability < 1 && this.rng() >= r.spec.probability) continue;
      r.fired++;
      this.injected[r.kind] = (this.injected[r.kind] ?? 0) + 1;
      if (r.kind === 'latency') latencyMs += r.spec.latencyMs ?? 100;
      else fault = r;
    }
    return { latencyMs, fault };
  }
}
