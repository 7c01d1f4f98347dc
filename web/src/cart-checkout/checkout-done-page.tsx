import "../pages.css";

import { useTranslation } from "react-i18next";
import { useParams } from "react-router";

import { CheckoutProgress } from "./checkout-progress";

/** Where the card payment page sends the buyer back: waits until the webhook marked the checkout's orders paid. */
export default function CheckoutDonePage() {
  const { t } = useTranslation();
  const { checkoutId } = useParams();
  return (
    <section className="narrow">
      <h1>{t("checkout.title")}</h1>
      {checkoutId !== undefined && <CheckoutProgress checkoutId={checkoutId} />}
    </section>
  );
}
