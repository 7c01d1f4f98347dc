import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";
import type { z } from "zod";

import type { EthQuote, orderDetail, orderSummary } from "../../../protocol/api/orders.js";
import { escrowOrdersIndexed, listEscrowOrders } from "../chain-reads/escrow-orders.js";
import { Dispute } from "../entities/Dispute.js";
import { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { OrderFlag } from "../entities/OrderFlag.js";
import { OrderItem } from "../entities/OrderItem.js";
import { orderActionsFor } from "./order-actions.js";
import type { OrderActionContext } from "./order-actions.js";

/** An order as lists show it (its farm, status, money and items), as `GET /api/orders` answers it. */
export type OrderSummary = z.input<typeof orderSummary>;

/** One order with its flags and its timeline, oldest first. */
export type OrderDetail = z.input<typeof orderDetail>;

export type OrderItemView = OrderSummary["items"][number];

/**
 * The linked escrow order as the indexer has it: what the buyer (and the farm) can still do with it follows from its
 * state and deadline, whatever the order's own status (a payment that came after the order was cancelled included).
 */
export type EscrowOnChain = NonNullable<NonNullable<OrderSummary["escrow"]>["onChain"]>;

/** The indexed escrow orders linked to `orders` on chain `chainId`, by escrow order id. */
async function escrowOrdersOf(
  em: EntityManager,
  orders: readonly Order[],
  chainId: number | undefined,
): Promise<Map<string, EscrowOnChain>> {
  const linked = orders.filter((order) => order.escrowOrderId != null);
  const found = new Map<string, EscrowOnChain>();
  if (linked.length === 0 || chainId === undefined) return found;
  if (!(await escrowOrdersIndexed(em))) return found;
  const rows = await listEscrowOrders(
    em,
    chainId,
    linked.map((order) => order.escrowOrderId!),
  );
  const refs = new Map(linked.map((order) => [order.escrowOrderId, order.escrowRef]));
  for (const row of rows) {
    if (refs.get(row.order_id) !== row.ref) continue;
    found.set(row.order_id, {
      state: row.state,
      deadline: new Date(Number(row.deadline) * 1000).toISOString(),
      buyer: row.buyer,
      seller: row.seller,
      feeBps: row.fee_bps,
    });
  }
  return found;
}

/** How summaries are made: for which chain's escrow, and, to list what someone may do with each order, for whom. */
export interface OrderViewOptions {
  /** The chain whose escrow orders are shown with the orders they pay. */
  chainId?: number;
  /** Without it, `actions` is empty. */
  actions?: Omit<OrderActionContext, "disputeOpen">;
}

/** The orders among `orders` with a dispute open. */
async function withOpenDispute(em: EntityManager, orders: readonly Order[]): Promise<Set<string>> {
  if (orders.length === 0) return new Set();
  const open = await em.find(
    Dispute,
    { order: { $in: orders.map((order) => order.id) }, status: "open" },
    { fields: ["order"] },
  );
  return new Set(open.map((dispute) => dispute.order.id));
}

/**
 * Loads the summaries of `orders` (each with its farm populated), items by name, in the order given; with the chain
 * the API follows (`chainId`), each linked escrow order's state on-chain too; with `actions`, what its viewer may do.
 */
export async function summarizeOrders(
  em: EntityManager,
  orders: readonly Order[],
  options: OrderViewOptions = {},
): Promise<OrderSummary[]> {
  const onChain = await escrowOrdersOf(em, orders, options.chainId);
  const disputed = options.actions === undefined ? new Set<string>() : await withOpenDispute(em, orders);
  const items =
    orders.length === 0
      ? []
      : await em.find(
          OrderItem,
          { order: { $in: orders.map((order) => order.id) } },
          { orderBy: [{ name: "asc" }, { id: "asc" }] },
        );
  const byOrder = new Map<string, OrderItemView[]>();
  for (const item of items) {
    const list = byOrder.get(item.order.id) ?? [];
    list.push({
      productId: item.product.id,
      name: item.name,
      unit: item.unit,
      unitPriceMinor: item.unitPriceMinor,
      quantity: item.quantity,
      lineTotalMinor: item.lineTotalMinor,
    });
    byOrder.set(item.order.id, list);
  }
  return orders.map((order) => ({
    id: order.id,
    checkoutId: order.checkout.id,
    farm: { id: order.farm.id, name: order.farm.name, slug: order.farm.slug },
    buyerId: order.buyer.id,
    status: order.status,
    paymentMethod: order.paymentMethod,
    currency: order.currency,
    subtotalMinor: order.subtotalMinor,
    feeBps: order.feeBps,
    feeMinor: order.feeMinor,
    totalMinor: order.totalMinor,
    escrow: ((terms) =>
      terms === null
        ? null
        : {
            ...terms,
            orderId: order.escrowOrderId ?? null,
            onChain: (order.escrowOrderId == null ? undefined : onChain.get(order.escrowOrderId)) ?? null,
          })(escrowTermsOf(order)),
    expiresAt: order.expiresAt.toISOString(),
    paidAt: order.paidAt?.toISOString() ?? null,
    shipBy: order.shipBy?.toISOString() ?? null,
    shippedAt: order.shippedAt?.toISOString() ?? null,
    deliveredAt: order.deliveredAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
    actions:
      options.actions === undefined
        ? []
        : orderActionsFor(order, (order.escrowOrderId == null ? undefined : onChain.get(order.escrowOrderId)) ?? null, {
            ...options.actions,
            disputeOpen: disputed.has(order.id),
          }),
    items: byOrder.get(order.id) ?? [],
  }));
}

/**
 * The order with its items, flags and timeline: events by the second they happened, then by when they were recorded.
 * Block timestamps are whole seconds, so a chain event mined in the same second as the API's own `created` would
 * otherwise sort before it.
 */
export async function describeOrder(
  em: EntityManager,
  order: Order,
  options: OrderViewOptions = {},
): Promise<OrderDetail> {
  const [summary] = await summarizeOrders(em, [order], options);
  const flags = await em.find(OrderFlag, { order: order.id }, { orderBy: { id: "asc" } });
  const recorded = await em.find(OrderEvent, { order: order.id }, { orderBy: { id: "asc" } });
  const events = recorded.toSorted(
    (a, b) => Math.floor(a.occurredAt.getTime() / 1000) - Math.floor(b.occurredAt.getTime() / 1000),
  );
  return {
    ...summary,
    flags: flags.map((flag) => ({
      kind: flag.kind,
      details: flag.details,
      createdAt: flag.createdAt.toISOString(),
      resolvedAt: flag.resolvedAt?.toISOString() ?? null,
    })),
    timeline: events.map((event) => ({
      kind: event.kind,
      occurredAt: event.occurredAt.toISOString(),
      actorId: event.actor?.id ?? null,
      data: event.data,
    })),
  };
}

/** What an escrow order's on-chain payment must carry (and, paid in ETH, the quote it was priced at), or null for a card order. */
export function escrowTermsOf(order: Order): { ref: Hex; seller: Hex; amount: string; quote: EthQuote | null } | null {
  const { escrowRef: ref, escrowSeller: seller, escrowAmount: amount } = order;
  if (ref == null || seller == null || amount == null) return null;
  const { quotePrice: price, quotePriceDecimals: priceDecimals, quoteRoundId: roundId, quoteExpiresAt } = order;
  const quote =
    price == null || priceDecimals == null || roundId == null || quoteExpiresAt == null
      ? null
      : { price, priceDecimals, roundId, expiresAt: quoteExpiresAt.toISOString() };
  return { ref: ref as Hex, seller: seller as Hex, amount, quote };
}

/** Loads orders by id with their farms, in the order of `ids`. */
export async function loadOrders(em: EntityManager, ids: readonly string[]): Promise<Order[]> {
  const orders = await em.find(Order, { id: { $in: [...ids] } }, { populate: ["farm"] });
  const byId = new Map(orders.map((order) => [order.id, order]));
  return ids.map((id) => byId.get(id)).filter((order): order is Order => order !== undefined);
}
