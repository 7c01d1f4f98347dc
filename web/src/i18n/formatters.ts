import { INTL_LOCALES } from "./language";
import type { Language } from "./language";

export interface Formatters {
  locale: string;
  /** An amount in integer minor units of `currency`, as the locale writes money. */
  money(minor: number, currency: string): string;
  number(value: number): string;
  date(iso: string): string;
  /** An amount in wei as ETH (up to 8 decimals): for reading, never for computing what to send. */
  ether(wei: string): string;
  /** A price feed's answer (`answer / 10**decimals` units of `currency`) as money. */
  feedPrice(answer: string, decimals: number, currency: string): string;
  /** Date and time to the second: when a quote expires. */
  dateTime(iso: string): string;
}

/** One Intl formatter, built the first time it is used: constructing them is what costs on a phone, not formatting. */
function lazily<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

function makeFormatters(language: Language): Formatters {
  const locale = INTL_LOCALES[language];
  const numbers = lazily(() => new Intl.NumberFormat(locale));
  const dates = lazily(() => new Intl.DateTimeFormat(locale, { dateStyle: "medium" }));
  const dateTimes = lazily(() => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" }));
  const ethers = lazily(() => new Intl.NumberFormat(locale, { maximumFractionDigits: 8 }));
  const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();
  const moneyFormat = (currency: string) => {
    let money = moneyFormats.get(currency);
    if (money === undefined) {
      const format = new Intl.NumberFormat(locale, { style: "currency", currency });
      money = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
      moneyFormats.set(currency, money);
    }
    return money;
  };
  return {
    locale,
    money(minor, currency) {
      const { format, digits } = moneyFormat(currency);
      return format.format(minor / 10 ** digits);
    },
    number: (value) => numbers().format(value),
    date: (iso) => dates().format(new Date(iso)),
    dateTime: (iso) => dateTimes().format(new Date(iso)),
    // Whole ether and the remainder apart, so amounts above 2^53 wei keep their leading digits exact.
    ether: (wei) => ethers().format(Number(BigInt(wei) / 10n ** 18n) + Number(BigInt(wei) % 10n ** 18n) / 1e18),
    feedPrice(answer, decimals, currency) {
      return moneyFormat(currency).format.format(Number(answer) / 10 ** decimals);
    },
  };
}

// One set per language for the whole app: every product card formats money, and each building its own formatters
// cost the shop's first render on a phone more than the rest of that render.
const FORMATTERS: Readonly<Record<Language, () => Formatters>> = {
  en: lazily(() => makeFormatters("en")),
  bn: lazily(() => makeFormatters("bn")),
};

/** The app's formatters for `language`, made once. */
export function formattersFor(language: Language): Formatters {
  return FORMATTERS[language]();
}
