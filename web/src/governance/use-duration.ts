import { useTranslation } from "react-i18next";

import { useFormat } from "../i18n/use-format";

const UNITS = [
  ["governance.units.days", 86_400],
  ["governance.units.hours", 3_600],
  ["governance.units.minutes", 60],
  ["governance.units.seconds", 1],
] as const;

/** Seconds (a decimal string) in the largest unit that divides them, in the current language: "2 days", "90 minutes". */
export function useDuration(): (seconds: string | number) => string {
  const { t } = useTranslation();
  const format = useFormat();
  return (value) => {
    const seconds = Number(value);
    const [unit, size] = UNITS.find(([, size]) => seconds % size === 0 && seconds >= size) ?? [
      "governance.units.seconds",
      1,
    ];
    const count = seconds / size;
    return t(unit, { count, n: format.number(count) });
  };
}
