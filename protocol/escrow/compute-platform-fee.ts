import { BPS, shareOfBps } from "./basis-points.js";

/**
 * The platform's fee on one farm's order, in minor units: `floor(amountMinor × feeBps / 10 000)`, rounded down
 * exactly as MarketplaceEscrow computes it, in integers only. The fee is taken from what the farm receives, not added
 * to what the buyer pays.
 */
export function computePlatformFee(amountMinor: bigint, feeBps: number): bigint {
  if (amountMinor < 0n) throw new RangeError(`amount must not be negative, got ${amountMinor}`);
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > BPS) {
    throw new RangeError(`feeBps must be an integer from 0 to ${BPS}, got ${feeBps}`);
  }
  return shareOfBps(amountMinor, feeBps);
}
