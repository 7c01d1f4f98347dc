import { useTranslation } from "react-i18next";

import { formattersFor } from "./formatters";
import type { Formatters } from "./formatters";
import { LANGUAGES } from "./language";
import type { Language } from "./language";

export type { Formatters };

/** Money, numbers and dates formatted for the current language with Intl (Bengali digits in Bengali). */
export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  const language: Language = (LANGUAGES as readonly string[]).includes(i18n.language)
    ? (i18n.language as Language)
    : "en";
  return formattersFor(language);
}
