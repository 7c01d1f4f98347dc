import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";

import { escrowOrdersIndexed, listUnjudgedEscrowOrders } from "../chain-reads/escrow-orders.js";
import type { NotificationService } from "../notifications/notification-service.js";
import { linkEscrowOrder } from "./link-escrow-order.js";
import { reconcileEscrowReorg } from "./reconcile-escrow-reorg.js";
import { reflectEscrowTransitions } from "./reflect-escrow-transitions.js";

export interface LinkReport {
  /** Orders newly marked paid. */
  paid: number;
  /** Payments newly linked to orders whose stock was released before they came (`paid_late`, flagged late). */
  late: number;
  /** Escrow orders newly flagged and not linked (wrong amount, seller or token, a second payment, unknown refs). */
  flagged: number;
  /** Escrow orders newly ignored: they carry an order's ref but come from a wallet not linked to its buyer. */
  ignored: number;
  /** Later on-chain transitions newly recorded on orders. */
  transitions: number;
}

export interface EscrowOrderLinker {
  /** Links every indexed escrow order not yet linked or flagged, then reflects later transitions. */
  linkOnce(em: EntityManager): Promise<LinkReport>;
  /**
   * Undoes what a chain reorganization took back: timeline entries and flags of logs no longer indexed are removed,
   * an order whose escrow order vanished awaits payment again (the next link may accept it once more), and every
   * touched order takes the status of its escrow order as indexed now. Returns the orders it changed.
   */
  reconcileReorg(em: EntityManager): Promise<number>;
}

export interface EscrowOrderLinkerDeps {
  chainId: number;
  tokenAddress: Hex | undefined;
  /** Each newly recorded payment, flag and transition notifies the people it concerns, after its commit. */
  notifications: Pick<NotificationService, "transaction">;
  /** Called after a late payment released an order's stock, so cached product pages show it. */
  onStockChanged?: () => Promise<void>;
}

/**
 * Reads the indexer's escrow tables (schema `indexer`) and merges them into the API's orders. An escrow order is
 * judged once, by its ref:
 * - no order has the ref: flagged `unknown_ref` (admins are told);
 * - its on-chain buyer is not a wallet linked to the order's buyer: flagged `foreign_payer` without an order and
 *   ignored, nobody told (refs are per buyer on-chain, so anyone may reuse one: such a payment neither pays, blocks
 *   nor flags the order, and its payer keeps control of it on-chain);
 * - the order is paid by another escrow order already: flagged `duplicate_payment`;
 * - it pays another amount, seller or token than the order asked for (ETH, token address(0), for an order with a
 *   price quote; else the stablecoin): each problem flagged, the order left unpaid;
 * - otherwise it is linked to the order. Created before the reservation expired (and, in ETH, by its block's time
 *   before the quote expired) on an order awaiting payment, it makes the order paid. Created later, or after the
 *   order was cancelled or expired, it is linked all the same (`paid_late`, flagged `late_payment`/`quote_expired`):
 *   the order's stock is released (at once, if it was still reserved), the buyer sees the escrow order and what it
 *   allows, and the farm refunds it (declineOrder) or ships.
 * A linked escrow order whose fee (snapshotted on-chain) differs from the checkout's gives the order its fee
 * (`fee_corrected`). Shipping, delivery, disputes, settlements, resolutions and refunds of every linked escrow order
 * are then reflected on the order's status and timeline and told to the buyer, each log once (its source key is
 * chain, tx hash, log index).
 */
export function createEscrowOrderLinker(deps: EscrowOrderLinkerDeps): EscrowOrderLinker {
  const { chainId } = deps;

  return {
    async reconcileReorg(em) {
      if (!(await escrowOrdersIndexed(em))) return 0;
      return reconcileEscrowReorg(chainId, em);
    },

    async linkOnce(em) {
      const report: LinkReport = { paid: 0, late: 0, flagged: 0, ignored: 0, transitions: 0 };
      if (!(await escrowOrdersIndexed(em))) return report;
      for (const escrow of await listUnjudgedEscrowOrders(em, chainId)) {
        const outcome = await linkEscrowOrder(deps, em.fork(), escrow);
        if (outcome !== "none") report[outcome] += 1;
      }
      // A late payment may have ended an order that still held its stock.
      if (report.late > 0) await deps.onStockChanged?.();
      report.transitions = await reflectEscrowTransitions(deps, em.fork());
      return report;
    },
  };
}
