/** The number of minor units in one unit of an ISO 4217 currency, as a power of ten: 2 for USD, 0 for JPY. */
export function currencyExponent(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount in minor units of `currency` as the smallest units of a stablecoin at par with it that has `decimals`
 * decimals: 1234 US cents are 12 340 000 units of a 6-decimal token. Exact, in integers; an amount the token cannot
 * express exactly (a token with fewer decimals than the currency) is refused rather than rounded.
 */
export function minorToTokenUnits(amountMinor: bigint, currency: string, decimals: number): bigint {
  const shift = decimals - currencyExponent(currency);
  if (shift >= 0) return amountMinor * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  if (amountMinor % divisor !== 0n) {
    throw new RangeError(`${amountMinor} minor units of ${currency} cannot be paid exactly in ${decimals} decimals`);
  }
  return amountMinor / divisor;
}
