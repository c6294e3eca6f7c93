/**
 * Seeded, deterministic numbers: string hashes, a lattice of uniform values and a PRNG stream.
 *
 * Pure: the same seed always gives the same numbers (no clock, no Math.random), so synthetic price
 * paths, paper fills and the simulator's fault injection are reproducible run after run. Shared by
 * the exchange room (price paths, paper broker) and the simulator room (order book jitter, faults).
 */

// module-local bindings: hot loops stay fast inside vm contexts (jest), where global lookups are slow
const { imul, floor } = Math;

/** 32-bit FNV-1a of a string (pure, deterministic). */
export function hashString32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32-style finalizer. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = imul(x ^ (x >>> 16), 0x85ebca6b);
  x = imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Uniform in [-1, 1) from (seed, stream, index); index may exceed 2^32. */
export function lattice(seed: number, stream: number, index: number): number {
  const lo = index >>> 0;
  const hi = floor(index / 4294967296) >>> 0;
  let h = mix32(seed ^ 0x5bd1e995);
  h = mix32(h ^ stream);
  h = mix32(h ^ hi);
  h = mix32(h ^ lo);
  return h / 2147483648 - 1;
}

/** mulberry32 PRNG (seeded) for callers that need a stream of numbers (fault injection, jitter). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
