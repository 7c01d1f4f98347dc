import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import { INTL_LOCALES, LANGUAGES } from "../i18n/language";
import type { Language } from "../i18n/language";

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

/** Money, numbers and dates formatted for the current language with Intl (Bengali digits in Bengali). */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const language: Language = (LANGUAGES as readonly string[]).includes(i18n.language)
    ? (i18n.language as Language)
    : "en";
  return useMemo(() => {
    const locale = INTL_LOCALES[language];
    const numbers = new Intl.NumberFormat(locale);
    const dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
    const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" });
    const ethers = new Intl.NumberFormat(locale, { maximumFractionDigits: 8 });
    const moneyFormats = new Map<string, Intl.NumberFormat>();
    const moneyFormat = (currency: string) => {
      let format = moneyFormats.get(currency);
      if (format === undefined) {
        format = new Intl.NumberFormat(locale, { style: "currency", currency });
        moneyFormats.set(currency, format);
      }
      return format;
    };
    return {
      locale,
      money(minor, currency) {
        const format = moneyFormat(currency);
        const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
        return format.format(minor / 10 ** digits);
      },
      number: (value) => numbers.format(value),
      date: (iso) => dates.format(new Date(iso)),
      dateTime: (iso) => dateTimes.format(new Date(iso)),
      // Whole ether and the remainder apart, so amounts above 2^53 wei keep their leading digits exact.
      ether: (wei) => ethers.format(Number(BigInt(wei) / 10n ** 18n) + Number(BigInt(wei) % 10n ** 18n) / 1e18),
      feedPrice(answer, decimals, currency) {
        const format = moneyFormat(currency);
        return format.format(Number(answer) / 10 ** decimals);
      },
    };
  }, [language]);
}
