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
    };
  }, [language]);
}
