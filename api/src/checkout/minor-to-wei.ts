import { currencyExponent } from "./minor-to-token-units.js";

/** Wei in one ether. */
const WEI_PER_ETH = 10n ** 18n;

/**
 * An amount in minor units of `currency` as wei, at `price` units of `currency` per ETH with `priceDecimals` decimals
 * (a Chainlink ETH / USD answer of 300000000000 with 8 decimals is 3000 USD per ETH). Integers only:
 *
 *   wei = ceil(amountMinor × 10^18 × 10^priceDecimals / (price × 10^currencyExponent))
 *
 * Rounded up, in the platform's favour: the wei paid is never worth less than the amount, and at most 1 wei more.
 */
export function minorToWei(amountMinor: bigint, currency: string, price: bigint, priceDecimals: number): bigint {
  if (amountMinor <= 0n) throw new RangeError(`an amount to convert must be positive, got ${amountMinor}`);
  if (price <= 0n) throw new RangeError(`a price must be positive, got ${price}`);
  if (!Number.isInteger(priceDecimals) || priceDecimals < 0 || priceDecimals > 36) {
    throw new RangeError(`price decimals must be an integer from 0 to 36, got ${priceDecimals}`);
  }
  const numerator = amountMinor * WEI_PER_ETH * 10n ** BigInt(priceDecimals);
  const denominator = price * 10n ** BigInt(currencyExponent(currency));
  return (numerator + denominator - 1n) / denominator;
}
