/** The languages the web app speaks; every string has an entry in each catalog. */
export const LANGUAGES = ["en", "bn"] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = "agridao.language";

/** The locale Intl formats numbers, money and dates with: Bengali digits for Bengali, as people there read them. */
export const INTL_LOCALES: Readonly<Record<Language, string>> = { en: "en-US", bn: "bn-BD" };

function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The remembered choice, else the first of the browser's languages we speak, else English. */
export function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage can be off (private mode, blocked cookies); fall back to the browser's languages.
  }
  for (const tag of navigator.languages) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLanguage(base)) return base;
  }
  return "en";
}

/** Remembers the user's choice for their next visit. */
export function rememberLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not remembered when storage is off; the choice still holds for this visit.
  }
}
