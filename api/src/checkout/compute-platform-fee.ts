/** Basis points in a whole: a fee of 250 bps is 2.5%. */
const BPS = 10_000n;

/**
 * The platform's fee on one farm's order, in minor units: `floor(amountMinor × feeBps / 10 000)`, rounded down
 * exactly as MarketplaceEscrow computes it, in integers only. The fee is taken from what the farm receives, not added
 * to what the buyer pays.
 */
export function computePlatformFee(amountMinor: bigint, feeBps: number): bigint {
  if (amountMinor < 0n) throw new RangeError(`amount must not be negative, got ${amountMinor}`);
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > 10_000) {
    throw new RangeError(`feeBps must be an integer from 0 to 10000, got ${feeBps}`);
  }
  return (amountMinor * BigInt(feeBps)) / BPS;
}
