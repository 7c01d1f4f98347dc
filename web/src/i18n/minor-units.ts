const PER_MAJOR = new Map<string, number>();

/** How many minor units make one major unit of `currency` (100 for USD, 1 for JPY), as Intl knows it. */
export function minorPerMajor(currency: string): number {
  let perMajor = PER_MAJOR.get(currency);
  if (perMajor === undefined) {
    const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
    perMajor = 10 ** (digits ?? 2);
    PER_MAJOR.set(currency, perMajor);
  }
  return perMajor;
}
