/** How many minor units make one major unit of `currency` (100 for USD, 1 for JPY), as Intl knows it. */
export function minorPerMajor(currency: string): number {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  return 10 ** (digits ?? 2);
}
