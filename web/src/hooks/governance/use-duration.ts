import { useTranslation } from "react-i18next";

import { useFormat } from "../use-format";

const UNITS = [
  ["days", 86_400],
  ["hours", 3_600],
  ["minutes", 60],
  ["seconds", 1],
] as const;

/** Seconds (a decimal string) in the largest unit that divides them, in the current language: "2 days", "90 minutes". */
export function useDuration(): (seconds: string | number) => string {
  const { t } = useTranslation();
  const format = useFormat();
  return (value) => {
    const seconds = Number(value);
    const [unit, size] = UNITS.find(([, size]) => seconds % size === 0 && seconds >= size) ?? ["seconds", 1];
    const count = seconds / size;
    return t(`governance.units.${unit}`, { count, n: format.number(count) });
  };
}
