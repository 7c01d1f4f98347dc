import { useTranslation } from "react-i18next";

import { LANGUAGES } from "../i18n/language";
import type { Language } from "../i18n/language";
import { changeLanguage } from "../i18n/setup-i18n";

// Each language's name in itself, so a reader finds theirs whatever the current language is.
const NATIVE_NAMES: Readonly<Record<Language, string>> = { en: "English", bn: "বাংলা" };

/** A labelled select of the languages; the choice is remembered. */
export function LanguageSwitch({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  return (
    <span className="language-switch">
      <label htmlFor={id}>{t("language.label")}</label>
      <select id={id} value={i18n.language} onChange={(event) => void changeLanguage(event.target.value as Language)}>
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {NATIVE_NAMES[language]}
          </option>
        ))}
      </select>
    </span>
  );
}
