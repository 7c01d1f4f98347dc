/** Bounds and thresholds of the adaptive `eth_getLogs` range. */
export interface BlockRangePolicy {
  /** Fewest blocks per request; a provider that rejects even this range cannot be indexed. */
  min: number;
  /** Most blocks per request. */
  max: number;
  /** A response slower than this stops the range from growing. */
  fastMs: number;
  /** A response with more logs than this halves the next range; under half of it lets the range grow. */
  maxLogs: number;
}

/** How the last request over a range went. */
export type BlockRangeOutcome = { type: "ok"; durationMs: number; logCount: number } | { type: "too-large" };

export const DEFAULT_BLOCK_RANGE_POLICY: Omit<BlockRangePolicy, "min" | "max"> = { fastMs: 1_000, maxLogs: 5_000 };

/**
 * The next range size after `outcome`: doubles while responses are fast and small, halves on a too-large error or
 * an oversized response, and always stays within the policy's bounds.
 */
export function nextBlockRange(current: number, outcome: BlockRangeOutcome, policy: BlockRangePolicy): number {
  const clamp = (size: number) => Math.min(policy.max, Math.max(policy.min, size));
  if (outcome.type === "too-large" || outcome.logCount > policy.maxLogs) return clamp(Math.floor(current / 2));
  if (outcome.durationMs < policy.fastMs && outcome.logCount < policy.maxLogs / 2) return clamp(current * 2);
  return clamp(current);
}
