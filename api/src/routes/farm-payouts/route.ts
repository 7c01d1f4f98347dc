import type { CardPayments } from "../../card-payments/card-payments.js";
import { linkFarmStripeAccount } from "../../card-payments/link-farm-stripe-account.js";
import { listFarmPayables } from "../../card-payments/list-farm-payables.js";
import { ServiceUnavailableError } from "../../errors.js";
import { defineRoute } from "../../http/define-route.js";
import { summarizeFarmSales } from "../../orders/summarize-farm-sales.js";
import { farmParams, payablesView, salesSummary, stripeAccount } from "../../../../protocol/api/farm-payouts.js";

const NO_STORE = { "Cache-Control": "no-store" };

/** How farms get paid for card orders: their Stripe connected account, what they are owed, and their sales. */
export function createFarmPayoutRoutes({ card }: { card: CardPayments | undefined }) {
  return [
    defineRoute({
      method: "post",
      path: "/api/farms/:id/stripe-account",
      auth: ["farmer"],
      summary: "Link the farm to a Stripe Connect account and get the onboarding link",
      description:
        "The farm's owner only (404 otherwise). Creates the Express account once; every call returns a fresh " +
        "onboarding link. Transfers start once Stripe reports charges and payouts enabled.",
      tags: ["farms"],
      request: { params: farmParams },
      responses: { 200: stripeAccount },
    }).handle(async ({ params, user, em }) => {
      if (card === undefined) throw new ServiceUnavailableError("Card payments are not configured (STRIPE_SECRET_KEY)");
      return {
        status: 200,
        body: await linkFarmStripeAccount(
          em,
          { stripe: card.stripe, webAppUrl: card.webAppUrl },
          { farmId: params.id, farmerId: user.id },
        ),
        headers: NO_STORE,
      };
    }),

    defineRoute({
      method: "get",
      path: "/api/farmer/payables",
      auth: ["farmer"],
      summary: "What the platform owes the caller's farm for card orders, and what it transferred",
      tags: ["farms"],
      responses: { 200: payablesView },
    }).handle(async ({ user, em }) => ({
      status: 200,
      body: await listFarmPayables(em, user.id),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "get",
      path: "/api/farmer/sales-summary",
      auth: ["farmer"],
      summary: "The caller's farm's orders and totals per day and status, over the last 30 days",
      tags: ["farms"],
      responses: { 200: salesSummary },
    }).handle(async ({ user, em }) => ({
      status: 200,
      body: { days: await summarizeFarmSales(em, user.id, new Date()) },
      headers: NO_STORE,
    })),
  ];
}
