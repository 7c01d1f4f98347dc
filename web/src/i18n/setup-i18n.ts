import i18next from "i18next";
import { initReactI18next } from "react-i18next";

// Only the sections the home, shop, farm and product pages use ship with the app: the first page stays within its
// budget however many strings the cart, sign-in, account, wallet, checkout, orders and dashboard pages add. The rest
// of English comes with those pages.
import {
  app,
  // Only its errors, which adding to the cart shows on any page (see lazyCatalogSections in vite.config.ts).
  cart,
  category,
  common,
  farm,
  // Only its `nav` key: the rest of governance comes with its pages (see lazyCatalogSections in vite.config.ts).
  governance,
  home,
  language as languageNames,
  nav,
  product,
  shop,
  unit,
} from "./en.json";
import { INTL_LOCALES, initialLanguage, rememberLanguage } from "./language";
import type { Language } from "./language";

const SHELL_ENGLISH = {
  app,
  cart,
  category,
  common,
  farm,
  governance,
  home,
  language: languageNames,
  nav,
  product,
  shop,
  unit,
};

// Whether a page that needs the whole catalog has been opened.
let wholeCatalogWanted = false;

async function wholeEnglish(): Promise<Record<string, unknown>> {
  const raw = await import("./en.json?raw");
  return JSON.parse(raw.default) as Record<string, unknown>;
}

// English ships with the app (its shell sections), so most first visits render without waiting for a catalog; Bengali
// is fetched whole when it is the browser's language or someone switches to it.
const CATALOGS: Readonly<Record<Language, () => Promise<Record<string, unknown>>>> = {
  en: () => (wholeCatalogWanted ? wholeEnglish() : Promise.resolve(SHELL_ENGLISH)),
  bn: () => import("./bn.json").then((module) => module.default),
};

async function loadCatalog(language: Language): Promise<void> {
  if (i18next.hasResourceBundle(language, "translation") && (language !== "en" || !wholeCatalogWanted)) return;
  i18next.addResourceBundle(language, "translation", await CATALOGS[language](), true, true);
}

/** Starts i18next in the browser's (or the remembered) language and keeps <html lang> in step with it. */
export async function setupI18n(): Promise<typeof i18next> {
  const language = initialLanguage();
  i18next.on("languageChanged", (next) => {
    document.documentElement.lang = next;
  });
  const catalog = await CATALOGS[language]();
  await i18next.use(initReactI18next).init({
    resources: { [language]: { translation: catalog } },
    lng: language,
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = language;
  return i18next;
}

/** Makes sure the current language's whole catalog is loaded: call before rendering a page beyond the shop. */
export async function loadWholeCatalog(): Promise<void> {
  wholeCatalogWanted = true;
  const language = i18next.language as Language;
  if (language === "en") await loadCatalog("en");
}

/** Switches the language now (fetching its catalog first) and remembers it. */
export async function changeLanguage(language: Language): Promise<void> {
  rememberLanguage(language);
  await loadCatalog(language);
  await i18next.changeLanguage(language);
}

export { INTL_LOCALES };
