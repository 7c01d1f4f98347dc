import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";

import type { Checkout } from "../entities/Checkout.js";
import { Order } from "../entities/Order.js";
import { Wallet } from "../entities/Wallet.js";
import { escrowTermsOf, loadOrders } from "../orders/order-view.js";
import type { OrderSummary } from "../orders/order-view.js";
import type { CheckoutServiceDeps } from "./checkout-service.js";
import type { PaymentStart } from "./payment-starters.js";

/** The checkout as POST /api/checkout returns it, the first time and on every repeat of its key. */
export type CheckoutResult = {
  checkoutId: string;
  currency: string;
  expiresAt: string;
  totalMinor: number;
  feeMinor: number;
  orders: OrderSummary[];
} & PaymentStart;

/** The answer to a checkout (or a repeat of its key): its orders as they are now, and how to start paying them. */
export async function checkoutResultOf(
  deps: Pick<CheckoutServiceDeps, "views" | "paymentStarters">,
  em: EntityManager,
  checkout: Checkout,
): Promise<CheckoutResult> {
  const ids = await em.find(
    Order,
    { checkout: checkout.id },
    { fields: ["id"], orderBy: { createdAt: "asc", id: "asc" } },
  );
  const orders = await loadOrders(
    em,
    ids.map((order) => order.id),
  );
  // The buyer's own orders: their roles change nothing of what they may do with them.
  const summaries = await deps.views.summarize(em, orders, { id: checkout.buyer.id, roles: [] });
  const method = orders[0].quotePrice == null ? checkout.paymentMethod : "eth";
  const wallets = await em.find(
    Wallet,
    { user: checkout.buyer.id },
    { fields: ["address"], orderBy: [{ linkedAt: "asc" }, { address: "asc" }] },
  );
  const payment = await deps.paymentStarters[method].start({
    checkoutId: checkout.id,
    buyerId: checkout.buyer.id,
    payers: wallets.map((wallet) => wallet.address as Hex),
    currency: orders[0].currency,
    expiresAt: checkout.expiresAt,
    orders: orders.map((order) => ({
      id: order.id,
      farmId: order.farm.id,
      totalMinor: order.totalMinor,
      escrow: escrowTermsOf(order),
    })),
  });
  return {
    checkoutId: checkout.id,
    currency: orders[0].currency,
    expiresAt: checkout.expiresAt.toISOString(),
    totalMinor: summaries.reduce((sum, order) => sum + order.totalMinor, 0),
    feeMinor: summaries.reduce((sum, order) => sum + order.feeMinor, 0),
    orders: summaries,
    ...payment,
  };
}
