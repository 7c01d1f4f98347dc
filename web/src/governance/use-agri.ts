import { formatUnits } from "viem";

import { AGRI } from "../../../protocol/governance/agri";
import { useFormat } from "../i18n/use-format";

/** Formats AGRI wei (a decimal string) as whole tokens in the current language, e.g. "1,000,000 AGRI". */
export function useAgri(): (wei: string | bigint, symbol?: string, decimals?: number) => string {
  const format = useFormat();
  return (wei, symbol: string = AGRI.symbol, decimals: number = AGRI.decimals) => {
    const tokens = Number(formatUnits(BigInt(wei), decimals));
    return `${new Intl.NumberFormat(format.locale, { maximumFractionDigits: 4 }).format(tokens)} ${symbol}`;
  };
}
