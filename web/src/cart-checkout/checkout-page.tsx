import "../pages.css";

import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useSession } from "../api/session-context";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { useCart } from "./use-cart";
import { useCheckout } from "./use-checkout";

// The wallet stack loads only when the buyer picks the wallet.
const WalletCheckout = lazy(() =>
  import("../wallet/wallet-checkout").then((module) => ({ default: module.WalletCheckout })),
);

function CardCheckout() {
  const { t } = useTranslation();
  const session = useSession();
  const checkout = useCheckout();
  const [unavailable, setUnavailable] = useState(false);
  if (session.user === undefined) {
    return (
      <p>
        {t("checkout.signInFirst")} <Link to="/sign-in">{t("nav.signIn")}</Link>
      </p>
    );
  }
  const pay = async () => {
    const result = await checkout.mutateAsync("card").catch(() => undefined);
    if (result?.paymentMethod !== "card") return;
    if (result.card.redirectUrl === null) setUnavailable(true);
    else location.assign(result.card.redirectUrl);
  };
  return (
    <>
      <button type="button" className="button" disabled={checkout.isPending} onClick={() => void pay()}>
        {t("checkout.payByCard")}
      </button>
      {checkout.isError && (
        <p className="error" role="alert">
          {t("checkout.failed")}
        </p>
      )}
      {unavailable && (
        <p className="error" role="alert">
          {t("checkout.cardUnavailable")}
        </p>
      )}
    </>
  );
}

/** Checkout: the cart's total, then paying with a wallet (into the escrow) or by card (Stripe). */
export default function CheckoutPage() {
  const { t } = useTranslation();
  const cart = useCart();
  const format = useFormat();
  const [method, setMethod] = useState<"wallet" | "card" | undefined>(undefined);
  if (cart.data === undefined) return <QueryState error={cart.error} />;
  const { currency, totalMinor, groups } = cart.data;
  return (
    <section className="narrow">
      <h1>{t("checkout.title")}</h1>
      {groups.length === 0 || currency === null ? (
        <p>{t("cart.empty")}</p>
      ) : (
        <p>
          {t("checkout.total", {
            total: format.money(totalMinor, currency),
            count: groups.length,
            n: format.number(groups.length),
          })}
        </p>
      )}
      <fieldset className="payment-choice">
        <legend>{t("checkout.howToPay")}</legend>
        <label>
          <input type="radio" name="payment" checked={method === "wallet"} onChange={() => setMethod("wallet")} />
          {t("checkout.wallet")}
        </label>
        <label>
          <input type="radio" name="payment" checked={method === "card"} onChange={() => setMethod("card")} />
          {t("checkout.card")}
        </label>
      </fieldset>
      {method === "wallet" && (
        <Suspense fallback={<QueryState error={undefined} />}>
          <WalletCheckout />
        </Suspense>
      )}
      {method === "card" && <CardCheckout />}
    </section>
  );
}
