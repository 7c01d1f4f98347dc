/** Basis points in a whole, as MarketplaceEscrow counts its fee and a split's buyer share: 250 bps is 2.5%. */
export const BPS = 10_000;

/**
 * `bps` basis points of `amount`, rounded down exactly as MarketplaceEscrow computes a fee or a split's buyer share
 * (`amount * bps / BPS` in integers). Minor units as numbers (a dispute's shares) or token units as bigints.
 */
export function shareOfBps<Amount extends number | bigint>(amount: Amount, bps: number): Amount {
  if (typeof amount === "bigint") return ((amount * BigInt(bps)) / BigInt(BPS)) as Amount;
  return Math.floor((amount * bps) / BPS) as Amount;
}

/** The basis points of `total` that `share` is, rounded down: the largest split the escrow can pay within `share`. */
export function bpsOfShare(share: number, total: number): number {
  return Math.floor((share * BPS) / total);
}
