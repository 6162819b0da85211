/** Percentiles of latency samples, nearest-rank: a reported p99 is a latency some request really had. */

/** p50, p99 and max of a set of samples, ms (all 0 for no samples). */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile `p` (0–100) of `sorted` (ascending); 0 for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}

/**
 * Summarises samples.
 *
 * @example
 * summarizeLatency([5, 1, 3]); // { p50: 3, p99: 5, max: 5 }
 */
export function summarizeLatency(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 };
}
