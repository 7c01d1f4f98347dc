import { useTranslation } from "react-i18next";

import type { OrderEvent } from "../../../protocol/api/orders";
import { useFormat } from "../i18n/use-format";
import { walletChain } from "../wallet/wallet-chain";
import { EVENT_KEYS } from "./order-keys";

// Stripe's object id prefixes (Checkout Session, PaymentIntent, charge, refund, event, dispute).
const STRIPE_ID = /^(cs|pi|ch|re|evt|dp)_[A-Za-z0-9_]+$/;

function TxLink({ hash }: { hash: string }) {
  const explorer = walletChain.blockExplorers?.default.url;
  if (explorer === undefined) return <code className="hash">{hash}</code>;
  return (
    <a className="hash" href={`${explorer}/tx/${hash}`} target="_blank" rel="noreferrer">
      {hash}
    </a>
  );
}

/**
 * An order's history from the database, Stripe and the chain, oldest first, with the amounts of refunds, transaction
 * hashes and Stripe ids.
 */
export function OrderTimeline({ events, currency }: { events: OrderEvent[]; currency: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <ol className="timeline">
      {events.map((event, index) => {
        const txHash = typeof event.data.txHash === "string" ? event.data.txHash : undefined;
        const stripeIds = Object.values(event.data).filter(
          (value): value is string => typeof value === "string" && STRIPE_ID.test(value),
        );
        return (
          <li key={`${event.kind}-${index}`}>
            <strong>{t(EVENT_KEYS[event.kind] ?? "orders.event.other")}</strong>{" "}
            <time dateTime={event.occurredAt}>{format.date(event.occurredAt)}</time>
            {typeof event.data.amountMinor === "number" && (
              <div>{t("orders.eventAmount", { amount: format.money(event.data.amountMinor, currency) })}</div>
            )}
            {txHash !== undefined && (
              <div>
                {t("orders.transaction")} <TxLink hash={txHash} />
              </div>
            )}
            {stripeIds.map((id) => (
              <div key={id}>
                {t("orders.stripeId")} <code>{id}</code>
              </div>
            ))}
          </li>
        );
      })}
    </ol>
  );
}
