/**
 * Seeded pseudo-random numbers (mulberry32) for every emulator choice that must be reproducible:
 * duplicates, reorder hold-backs, random faults. Never used for ids or secrets (see `ids.ts`).
 */

/** Returns a function yielding floats in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A separate stream per concern, so turning on one switch (say duplicates) does not change the choices of
 * another (reorder) for the same seed.
 */
export function deriveSeed(seed: number, stream: string): number {
  let hash = seed >>> 0;
  for (const char of stream) hash = Math.imul(hash ^ char.charCodeAt(0), 0x9e3779b1) >>> 0;
  return hash;
}
