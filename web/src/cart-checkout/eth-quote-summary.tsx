import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import type { EthQuote } from "../../../protocol/api/orders";
import { useFormat } from "../i18n/use-format";

/** Whole seconds until `expiresAt` (0 once past), ticking every second while there are some left. */
export function useSecondsLeft(expiresAt: string): number {
  const end = Date.parse(expiresAt);
  const [now, setNow] = useState(() => Date.now());
  const left = Math.max(0, Math.ceil((end - now) / 1000));
  // One timer until the end, not one per tick.
  const over = left === 0;
  useEffect(() => {
    if (over) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [over]);
  return left;
}

/**
 * What an ETH payment is: the wei to send, the price it was quoted at and until when; with `live`, a countdown to the
 * quote's expiry (at checkout), else the expiry's date (on an order).
 */
export function EthQuoteSummary({
  wei,
  quote,
  currency,
  live,
}: {
  wei: string;
  quote: EthQuote;
  currency: string;
  live: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <dl className="totals eth-quote" data-testid="eth-quote">
      <dt>{t("checkout.ethAmount")}</dt>
      <dd>{t("checkout.ethValue", { amount: format.ether(wei) })}</dd>
      <dt>{t("checkout.ethPrice")}</dt>
      <dd>
        {t("checkout.ethPriceValue", {
          price: format.feedPrice(quote.price, quote.priceDecimals, currency),
          round: quote.roundId,
        })}
      </dd>
      <dt>{t("checkout.quoteExpiry")}</dt>
      <dd>{live ? <QuoteCountdown expiresAt={quote.expiresAt} /> : format.dateTime(quote.expiresAt)}</dd>
    </dl>
  );
}

function QuoteCountdown({ expiresAt }: { expiresAt: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const left = useSecondsLeft(expiresAt);
  if (left === 0) return <span className="error">{t("checkout.quoteExpiredShort")}</span>;
  const two = (value: number) => format.number(value).padStart(2, format.number(0));
  return (
    <span role="timer" aria-live="off">
      {t("checkout.quoteExpiresIn", {
        time: `${format.number(Math.floor(left / 60))}:${two(left % 60)}`,
        at: format.dateTime(expiresAt),
      })}
    </span>
  );
}
