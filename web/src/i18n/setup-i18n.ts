import i18next from "i18next";
import { initReactI18next } from "react-i18next";

import en from "./en.json";
import { INTL_LOCALES, initialLanguage, rememberLanguage } from "./language";
import type { Language } from "./language";

// English ships with the app, so most first visits render without waiting for a catalog; Bengali is fetched when it is
// the browser's language or someone switches to it.
const CATALOGS: Readonly<Record<Language, () => Promise<{ default: Record<string, unknown> }>>> = {
  en: () => Promise.resolve({ default: en }),
  bn: () => import("./bn.json"),
};

async function loadCatalog(language: Language): Promise<void> {
  if (i18next.hasResourceBundle(language, "translation")) return;
  i18next.addResourceBundle(language, "translation", (await CATALOGS[language]()).default);
}

/** Starts i18next in the browser's (or the remembered) language and keeps <html lang> in step with it. */
export async function setupI18n(): Promise<typeof i18next> {
  const language = initialLanguage();
  i18next.on("languageChanged", (next) => {
    document.documentElement.lang = next;
  });
  const catalog = await CATALOGS[language]();
  await i18next.use(initReactI18next).init({
    resources: { [language]: { translation: catalog.default } },
    lng: language,
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = language;
  return i18next;
}

/** Switches the language now (fetching its catalog first) and remembers it. */
export async function changeLanguage(language: Language): Promise<void> {
  rememberLanguage(language);
  await loadCatalog(language);
  await i18next.changeLanguage(language);
}

export { INTL_LOCALES };
