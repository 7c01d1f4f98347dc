import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";

import type { Order } from "../entities/Order.js";
import type { OrderViewer } from "./order-actions.js";
import { describeOrder, summarizeOrders } from "./order-view.js";
import type { OrderDetail, OrderSummary } from "./order-view.js";

/**
 * Orders as the API answers them: with the linked escrow order as indexed, and, for the viewer, what they may do
 * with each order now (`actions`, with the exact escrow call for what a wallet sends).
 */
export interface OrderViews {
  summarize(em: EntityManager, orders: readonly Order[], viewer: OrderViewer): Promise<OrderSummary[]>;
  describe(em: EntityManager, order: Order, viewer: OrderViewer): Promise<OrderDetail>;
}

export function createOrderViews(deps: {
  chainId: number;
  /** The escrow its calls go to; undefined where none is configured. */
  escrowAddress: Hex | undefined;
  /** How long after shipment or delivery a card order may be disputed. */
  disputeWindowMs: number;
  now?: () => Date;
}): OrderViews {
  const now = deps.now ?? (() => new Date());
  const escrow = deps.escrowAddress === undefined ? undefined : { chainId: deps.chainId, address: deps.escrowAddress };
  const optionsFor = (viewer: OrderViewer) => ({
    chainId: deps.chainId,
    actions: { viewer, now: now(), escrow, disputeWindowMs: deps.disputeWindowMs },
  });
  return {
    summarize: (em, orders, viewer) => summarizeOrders(em, orders, optionsFor(viewer)),
    describe: (em, order, viewer) => describeOrder(em, order, optionsFor(viewer)),
  };
}
