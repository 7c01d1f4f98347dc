import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import type { Language } from "../i18n/language";

// The governance strings are split off the catalogs the shell loads (see web/vite.config.ts), so the shop never
// downloads them; they come with the governance chunk, per language.
const SECTIONS: Readonly<Record<Language, () => Promise<{ default: { governance: Record<string, unknown> } }>>> = {
  en: () => import("../i18n/en.json?section=governance"),
  bn: () => import("../i18n/bn.json?section=governance"),
};

/** Adds the governance strings of the current language to i18next; true once they are there. */
export function useGovernanceCatalog(): boolean {
  const { i18n } = useTranslation();
  const language: Language = i18n.language === "bn" ? "bn" : "en";
  const [loaded, setLoaded] = useState<Language | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void SECTIONS[language]().then((module) => {
      i18n.addResourceBundle(language, "translation", module.default, true, true);
      if (current) setLoaded(language);
    });
    return () => {
      current = false;
    };
  }, [i18n, language]);
  return loaded === language;
}
