import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";

import type { DeclineOrderCall } from "../../../protocol/api/orders.js";
import { contractCallJson } from "../../../protocol/contract-call.js";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls.js";
import { findEscrowOrder } from "../chain-reads/escrow-orders.js";
import { Order } from "../entities/Order.js";
import { NotFoundError } from "../errors.js";
import { EscrowRefundUnavailableError } from "./escrow-errors.js";

export interface ReleasedPaymentRefund {
  /**
   * The `declineOrder` call for an order whose escrow payment arrived after its stock was released (cancelled or
   * expired, and linked to its escrow order) while that escrow order is still funded: sent from the farm's wallet, it
   * credits the buyer the whole amount, which the linker then shows as the order's refund. Only the order's farmer.
   */
  call(em: EntityManager, farmerId: string, orderId: string): Promise<DeclineOrderCall>;
}

export function createReleasedPaymentRefund(deps: { chainId: number; escrowAddress: Hex }): ReleasedPaymentRefund {
  return {
    async call(em, farmerId, orderId) {
      const order = await em.findOne(Order, { id: orderId, deletedAt: null }, { populate: ["farm"] });
      if (order === null || order.farm.owner.id !== farmerId) throw new NotFoundError("No order has this id");
      if (order.escrowOrderId == null || (order.status !== "cancelled" && order.status !== "expired")) {
        throw new EscrowRefundUnavailableError(
          order.id,
          order.escrowOrderId == null
            ? "no escrow payment is linked to it"
            : `it is ${order.status}: the escrow order follows its own course`,
        );
      }
      const escrow = await findEscrowOrder(em, deps.chainId, order.escrowOrderId, order.escrowRef);
      if (escrow?.state !== "Funded") {
        throw new EscrowRefundUnavailableError(order.id, `its escrow order is ${escrow?.state ?? "not indexed"}`);
      }
      return {
        chainId: deps.chainId,
        ...contractCallJson(escrowCalls.declineOrder(deps.escrowAddress, BigInt(order.escrowOrderId))),
        from: escrow.seller as Hex,
      };
    },
  };
}
