import type { EntityManager } from "@mikro-orm/postgresql";

import { shareOfBps } from "../../../protocol/escrow/basis-points.js";
import { marketplaceEscrowEnums } from "../../../protocol/generated/contracts.js";
import type { EscrowTransitionRow } from "../chain-reads/escrow-order-history.js";
import { disputeAudience } from "../disputes/dispute-audience.js";
import { Dispute } from "../entities/Dispute.js";
import { Farm } from "../entities/Farm.js";
import type { Order } from "../entities/Order.js";
import type { Notify } from "../notifications/notification-service.js";

/** Notifies what a newly recorded transition means to the people concerned, and carries disputes along. */
export async function followEscrowTransition(
  tx: EntityManager,
  notify: Notify,
  order: Order,
  row: EscrowTransitionRow,
): Promise<void> {
  const txHash = row.tx_hash;
  const details = row.details;
  switch (row.event_name) {
    case "OrderShipped":
      notify({ userId: order.buyer.id, kind: "shipped", orderId: order.id, data: { txHash } });
      return;
    case "OrderCompleted": {
      const farm = await tx.findOneOrFail(Farm, { id: order.farm.id }, { fields: ["owner"] });
      const autoConfirmed = details.byTimeout === true || details.byTimeout === "true";
      notify({ userId: farm.owner.id, kind: "delivered", orderId: order.id, data: { txHash, autoConfirmed } });
      // Completed without the buyer (the confirm window ran out): the buyer's money went to the farm, so say so.
      if (autoConfirmed) {
        notify({ userId: order.buyer.id, kind: "delivered", orderId: order.id, data: { txHash, autoConfirmed } });
      }
      return;
    }
    case "SettlementProposed": {
      const proposer = typeof details.proposer === "string" ? details.proposer.toLowerCase() : "";
      const byFarmer = proposer === order.escrowSeller;
      const farm = await tx.findOneOrFail(Farm, { id: order.farm.id }, { fields: ["owner"] });
      notify({
        userId: byFarmer ? order.buyer.id : farm.owner.id,
        kind: "settlement_proposed",
        orderId: order.id,
        data: { by: byFarmer ? "farmer" : "buyer", buyerBps: Number(details.buyerBps), txHash },
      });
      return;
    }
    case "OrderRefunded":
      notify({
        userId: order.buyer.id,
        kind: "refund",
        orderId: order.id,
        data: { amountMinor: order.totalMinor, currency: order.currency, full: true, method: "escrow" },
      });
      return;
    case "OrderDisputed": {
      // Opened through the API, the dispute is recorded (and announced) already; opened straight on-chain, it is not.
      const open = await tx.findOne(Dispute, { order: order.id, status: "open" });
      if (open !== null) return;
      const disputant = typeof details.disputant === "string" ? details.disputant.toLowerCase() : "";
      const byFarmer = disputant === order.escrowSeller;
      const farm = await tx.findOneOrFail(Farm, { id: order.farm.id }, { fields: ["owner"] });
      const reason = "Disputed on-chain";
      tx.create(Dispute, {
        order,
        openedBy: byFarmer ? farm.owner.id : order.buyer.id,
        reason,
        status: "open",
        openedAt: new Date(Number(row.block_timestamp) * 1000),
      });
      await tx.flush();
      for (const userId of await disputeAudience(tx, order)) {
        notify({
          userId,
          kind: "dispute_opened",
          orderId: order.id,
          data: { openedBy: byFarmer ? "farmer" : "buyer", reason },
        });
      }
      return;
    }
    case "OrderResolved": {
      const buyerBps = Number(details.buyerBps);
      const buyerMinor = shareOfBps(order.totalMinor, buyerBps);
      const farmerMinor = order.totalMinor - buyerMinor;
      const resolution = marketplaceEscrowEnums.Resolution[Number(details.resolution)] ?? details.resolution;
      const dispute = await tx.findOne(Dispute, { order: order.id, status: "open" });
      if (dispute !== null) {
        dispute.status = resolution === "Settlement" ? "settled" : "ruled";
        dispute.resolvedAt = new Date(Number(row.block_timestamp) * 1000);
        dispute.buyerShareMinor = buyerMinor;
        dispute.farmShareMinor = farmerMinor;
        dispute.chainTxHash = txHash;
        await tx.flush();
      }
      for (const userId of await disputeAudience(tx, order)) {
        notify({
          userId,
          kind: "dispute_resolved",
          orderId: order.id,
          data: { buyerMinor, farmerMinor, currency: order.currency },
        });
      }
      return;
    }
    default:
  }
}
