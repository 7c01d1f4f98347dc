import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { zeroAddress } from "viem";
import type { Hex } from "viem";

import { Dispute } from "../entities/Dispute.js";
import { Farm } from "../entities/Farm.js";
import { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { OrderFlag } from "../entities/OrderFlag.js";
import { OrderItem } from "../entities/OrderItem.js";
import { Wallet } from "../entities/Wallet.js";
import type { NotificationData } from "../notification-kinds.js";
import type { OrderEventKind, OrderFlagKind, OrderStatus } from "../order-vocabulary.js";
import { computePlatformFee } from "../checkout/compute-platform-fee.js";
import { disputeAudience } from "../disputes/dispute-audience.js";
import { findUsersWithRole } from "../accounts/find-users-with-role.js";
import type { NotificationService, Notify } from "../notifications/notification-service.js";
import { releaseOrderStock } from "../orders/release-order-stock.js";

/** An escrow order as the indexer stores it, with the time of the block that created it. */
interface IndexedEscrowOrder {
  order_id: string;
  ref: string;
  buyer: string;
  seller: string;
  token: string;
  amount: string;
  fee_bps: number;
  created_tx: string;
  created_block: string;
  created_log_index: number;
  created_at_unix: string;
}

/** One row of the indexer's escrow order history, joined with the API order it belongs to. */
interface IndexedTransition {
  order_id: string;
  api_order_id: string;
  event_name: string;
  block_number: string;
  block_timestamp: string;
  tx_hash: string;
  log_index: number;
  details: Record<string, unknown>;
}

/** How each indexed escrow event after creation shows on the order: its timeline entry and, if any, its new status. */
const TRANSITIONS: Record<string, { kind: OrderEventKind; status: OrderStatus | null }> = {
  OrderShipped: { kind: "shipped", status: "shipped" },
  OrderCompleted: { kind: "delivered", status: "delivered" },
  OrderRefunded: { kind: "refunded", status: "refunded" },
  OrderDisputed: { kind: "disputed", status: "disputed" },
  SettlementProposed: { kind: "settlement_proposed", status: null },
  OrderResolved: { kind: "resolved", status: "resolved" },
};

/**
 * The flags a payment can get (a failed refund and a farm's debt are the card refunds' own; a stranger's payment is
 * never told).
 */
type PaymentFlagKind = Exclude<OrderFlagKind, "refund_failed" | "farm_debt" | "foreign_payer">;

/** How a flag reads in the `payment_flagged` notification the buyer and admins get. */
const FLAG_REASONS: Record<PaymentFlagKind, NotificationData<"payment_flagged">["reason"]> = {
  amount_mismatch: "wrong_amount",
  seller_mismatch: "wrong_seller",
  token_mismatch: "wrong_token",
  unknown_ref: "unknown_ref",
  late_payment: "late_payment",
  // Card payments only; an escrow order never carries one.
  chargeback: "chargeback",
  // Paid after its ETH price quote expired: late for the price, which is how the buyer is told.
  quote_expired: "late_payment",
  duplicate_payment: "duplicate_payment",
};

/** The escrow's `Resolution` enum, by its index in OrderResolved. */
const RESOLUTIONS = ["Settlement", "Ruling", "Timeout"] as const;

/** The order status each escrow state stands for. */
const STATUS_OF_STATE: Record<string, OrderStatus> = {
  Funded: "paid",
  Shipped: "shipped",
  Completed: "delivered",
  Refunded: "refunded",
  Disputed: "disputed",
  Resolved: "resolved",
};

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

/** The timeline key of an on-chain log: recorded once however often the sweep runs. */
function chainSourceKey(chainId: number, txHash: string, logIndex: number): string {
  return `chain:${chainId}:${txHash}:${logIndex}`;
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
export function createEscrowOrderLinker(deps: {
  chainId: number;
  tokenAddress: Hex | undefined;
  /** Each newly recorded payment, flag and transition notifies the people it concerns, after its commit. */
  notifications: Pick<NotificationService, "transaction">;
  /** Called after a late payment released an order's stock, so cached product pages show it. */
  onStockChanged?: () => Promise<void>;
}): EscrowOrderLinker {
  const { chainId, notifications } = deps;

  async function unlinked(em: EntityManager): Promise<IndexedEscrowOrder[]> {
    return em.execute<IndexedEscrowOrder[]>(
      `SELECT e.order_id::text AS order_id, e.ref, e.buyer, e.seller, e.token, e.amount::text AS amount, e.fee_bps,
              e.created_tx, e.created_block::text AS created_block, h.log_index AS created_log_index,
              h.block_timestamp::text AS created_at_unix
         FROM indexer.escrow_orders e
         JOIN indexer.escrow_order_history h
           ON h.chain_id = e.chain_id AND h.order_id = e.order_id AND h.event_name = 'OrderCreated'
        WHERE e.chain_id = ?
          AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.escrow_order_id = e.order_id::text AND o.escrow_ref = e.ref)
          AND NOT EXISTS (
            SELECT 1 FROM order_flags f
             WHERE f.source_key LIKE 'escrow:' || e.chain_id || ':' || e.order_id || ':' || e.ref || ':%')
        ORDER BY e.order_id`,
      [chainId],
    );
  }

  /**
   * Judges one escrow order, in its own transaction; returns what it did ("none" when another process judged it
   * meanwhile: the second must neither record it again nor take the order's own payment for a late one).
   */
  async function link(
    em: EntityManager,
    escrow: IndexedEscrowOrder,
  ): Promise<"paid" | "late" | "flagged" | "ignored" | "none"> {
    return notifications.transaction(em, async (tx, notify) => {
      // Two processes judging the same escrow order take turns; the second finds it judged and records nothing.
      const flagPrefix = `escrow:${chainId}:${escrow.order_id}:${escrow.ref}:`;
      await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [flagPrefix]);
      const [judged] = await tx.execute<{ found: number }[]>(
        "SELECT 1 AS found FROM order_flags WHERE source_key LIKE ? LIMIT 1",
        [`${flagPrefix}%`],
      );
      if (judged !== undefined) return "none";
      const order = await tx.findOne(Order, { escrowRef: escrow.ref }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (order !== null && order.escrowOrderId === escrow.order_id) return "none";
      const createdAt = new Date(Number(escrow.created_at_unix) * 1000);
      const onChain = {
        escrowOrderId: escrow.order_id,
        ref: escrow.ref,
        txHash: escrow.created_tx,
        blockNumber: escrow.created_block,
        buyer: escrow.buyer,
      };
      const flag = (kind: OrderFlagKind, details: Record<string, unknown>, flagged: Order | null = order) =>
        tx.create(OrderFlag, {
          order: flagged,
          kind,
          details: { ...onChain, ...details },
          // The ref too: after a reorg, the same escrow order id can be another order.
          sourceKey: `${flagPrefix}${kind}`,
          resolvedAt: null,
        });
      if (order === null) {
        flag("unknown_ref", { seller: escrow.seller, token: escrow.token, amount: escrow.amount });
        await tx.flush();
        for (const admin of await findUsersWithRole(tx, "admin")) {
          notify({
            userId: admin,
            kind: "payment_flagged",
            orderId: null,
            data: { reason: "unknown_ref", method: "escrow" },
          });
        }
        return "flagged";
      }
      const payer = await tx.findOne(Wallet, { address: escrow.buyer, user: order.buyer.id }, { fields: ["address"] });
      if (payer === null) {
        // Recorded for staff with the order it named, but not on it: the order's buyer never hears of it.
        flag(
          "foreign_payer",
          { seller: escrow.seller, token: escrow.token, amount: escrow.amount, namedOrderId: order.id },
          null,
        );
        await tx.flush();
        return "ignored";
      }

      const problems: { kind: PaymentFlagKind; details: Record<string, unknown> }[] = [];
      if (order.escrowOrderId != null) {
        problems.push({ kind: "duplicate_payment", details: { paidBy: order.escrowOrderId, amount: escrow.amount } });
      }
      if (escrow.amount !== order.escrowAmount) {
        problems.push({ kind: "amount_mismatch", details: { expected: order.escrowAmount, paid: escrow.amount } });
      }
      if (escrow.seller !== order.escrowSeller) {
        problems.push({ kind: "seller_mismatch", details: { expected: order.escrowSeller, paid: escrow.seller } });
      }
      const expectedToken = order.quoteExpiresAt != null ? zeroAddress : deps.tokenAddress;
      if (escrow.token !== expectedToken) {
        problems.push({ kind: "token_mismatch", details: { expected: expectedToken ?? null, paid: escrow.token } });
      }
      const mismatched = problems.length > 0;
      if (order.quoteExpiresAt != null && createdAt > order.quoteExpiresAt) {
        problems.push({
          kind: "quote_expired",
          details: {
            quoteExpiresAt: order.quoteExpiresAt.toISOString(),
            paidAt: createdAt.toISOString(),
            roundId: order.quoteRoundId,
          },
        });
      }
      if (createdAt > order.expiresAt || order.status !== "awaiting_payment") {
        problems.push({
          kind: "late_payment",
          details: { expiresAt: order.expiresAt.toISOString(), paidAt: createdAt.toISOString(), status: order.status },
        });
      }
      const sourceKey = chainSourceKey(chainId, escrow.created_tx, escrow.created_log_index);
      const recipients = [...new Set([order.buyer.id, ...(await findUsersWithRole(tx, "admin"))])];
      const notifyFlags = (to: readonly string[]) => {
        for (const problem of problems) {
          for (const userId of to) {
            notify({
              userId,
              kind: "payment_flagged",
              orderId: order.id,
              data: { reason: FLAG_REASONS[problem.kind], method: "escrow" },
            });
          }
        }
      };
      if (mismatched) {
        for (const problem of problems) flag(problem.kind, problem.details);
        tx.create(OrderEvent, {
          order,
          kind: "flagged",
          occurredAt: createdAt,
          actor: null,
          data: { ...onChain, logIndex: escrow.created_log_index, flags: problems.map((problem) => problem.kind) },
          sourceKey,
        });
        await tx.flush();
        notifyFlags(recipients);
        return "flagged";
      }

      const farm = await tx.findOneOrFail(Farm, { id: order.farm.id }, { fields: ["owner"] });
      order.escrowOrderId = escrow.order_id;
      order.paidAt = createdAt;
      correctFee(tx, order, escrow, createdAt);
      const paidData = {
        ...onChain,
        logIndex: escrow.created_log_index,
        amount: escrow.amount,
        token: escrow.token,
        feeBps: escrow.fee_bps,
      };
      if (problems.length > 0) {
        // Late: the order ends (its stock returns) if it was still waiting, and keeps the payment it can no longer
        // take as paid, so its buyer follows the escrow order and its farm refunds it or ships.
        if (order.status === "awaiting_payment") {
          await releaseOrderStock(tx, order, { status: "expired", actorId: null, at: new Date() });
        }
        for (const problem of problems) flag(problem.kind, problem.details);
        tx.create(OrderEvent, {
          order,
          kind: "paid_late",
          occurredAt: createdAt,
          actor: null,
          data: { ...paidData, flags: problems.map((problem) => problem.kind) },
          sourceKey,
        });
        await tx.flush();
        notifyFlags([...new Set([...recipients, farm.owner.id])]);
        return "late";
      }
      order.status = "paid";
      tx.create(OrderEvent, { order, kind: "paid", occurredAt: createdAt, actor: null, data: paidData, sourceKey });
      await tx.flush();
      const itemCount = await tx.count(OrderItem, { order: order.id });
      const money = { totalMinor: order.totalMinor, currency: order.currency };
      notify({
        userId: order.buyer.id,
        kind: "order_paid",
        orderId: order.id,
        data: { method: "escrow", ...money, txHash: escrow.created_tx },
      });
      notify({
        userId: farm.owner.id,
        kind: "new_order",
        orderId: order.id,
        data: { farmId: order.farm.id, ...money, itemCount },
      });
      return "paid";
    });
  }

  /**
   * The fee is the one the escrow snapshotted when the order was created on-chain (the DAO may have changed it since
   * checkout): the order takes it, rounded as the escrow rounds, and its timeline says so.
   */
  function correctFee(tx: EntityManager, order: Order, escrow: IndexedEscrowOrder, at: Date) {
    if (escrow.fee_bps === order.feeBps) return;
    const feeMinor = Number(computePlatformFee(BigInt(order.subtotalMinor), escrow.fee_bps));
    tx.create(OrderEvent, {
      order,
      kind: "fee_corrected",
      occurredAt: at,
      actor: null,
      data: {
        escrowOrderId: escrow.order_id,
        fromBps: order.feeBps,
        toBps: escrow.fee_bps,
        fromMinor: order.feeMinor,
        toMinor: feeMinor,
      },
      sourceKey: `api:order:${order.id}:fee:${escrow.order_id}`,
    });
    order.feeBps = escrow.fee_bps;
    order.feeMinor = feeMinor;
  }

  /** Notifies what a newly recorded transition means to the people concerned, and carries disputes along. */
  async function onTransition(tx: EntityManager, notify: Notify, order: Order, row: IndexedTransition) {
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
        const buyerMinor = Math.floor((order.totalMinor * buyerBps) / 10_000);
        const farmerMinor = order.totalMinor - buyerMinor;
        const resolution = RESOLUTIONS[Number(details.resolution)] ?? details.resolution;
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

  async function reflectTransitions(em: EntityManager): Promise<number> {
    const rows = await em.execute<IndexedTransition[]>(
      `SELECT h.order_id::text AS order_id, o.id AS api_order_id, h.event_name, h.block_number::text AS block_number,
              h.block_timestamp::text AS block_timestamp, h.tx_hash, h.log_index, h.details
         FROM indexer.escrow_order_history h
         JOIN orders o ON o.escrow_order_id = h.order_id::text
        WHERE h.chain_id = ? AND h.event_name <> 'OrderCreated'
          AND NOT EXISTS (
            SELECT 1 FROM order_events ev
             WHERE ev.source_key = 'chain:' || h.chain_id || ':' || h.tx_hash || ':' || h.log_index)
        ORDER BY h.block_number, h.log_index`,
      [chainId],
    );
    let recorded = 0;
    for (const row of rows) {
      const transition = TRANSITIONS[row.event_name];
      if (transition === undefined) continue;
      const applied = await notifications.transaction(em, async (tx, notify) => {
        const order = await tx.findOneOrFail(Order, { id: row.api_order_id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const inserted = await tx.execute<{ id: string }[]>(
          `INSERT INTO order_events (order_id, kind, occurred_at, data, source_key) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (source_key) DO NOTHING RETURNING id`,
          [
            order.id,
            transition.kind,
            new Date(Number(row.block_timestamp) * 1000),
            JSON.stringify({
              escrowOrderId: row.order_id,
              event: row.event_name,
              txHash: row.tx_hash,
              logIndex: row.log_index,
              blockNumber: row.block_number,
              ...row.details,
            }),
            chainSourceKey(chainId, row.tx_hash, row.log_index),
          ],
        );
        // Recorded by another run already: so were its status and its notifications.
        if (inserted.length === 0) return false;
        if (transition.status !== null) order.status = transition.status;
        await tx.flush();
        await onTransition(tx, notify, order, row);
        return true;
      });
      if (applied) recorded += 1;
    }
    return recorded;
  }

  async function indexerPresent(em: EntityManager): Promise<boolean> {
    const [{ indexed }] = await em.execute<{ indexed: boolean }[]>(
      "SELECT to_regclass('indexer.escrow_orders') IS NOT NULL AS indexed",
    );
    return indexed;
  }

  async function reconcileReorg(em: EntityManager): Promise<number> {
    if (!(await indexerPresent(em))) return 0;
    return em.transactional(async (tx) => {
      const removedEvents = await tx.execute<{ order_id: string }[]>(
        `DELETE FROM order_events ev
          WHERE ev.source_key LIKE 'chain:' || ? || ':%'
            AND NOT EXISTS (
              SELECT 1 FROM indexer.escrow_order_history h
               WHERE h.chain_id = ? AND ev.source_key = 'chain:' || h.chain_id || ':' || h.tx_hash || ':' || h.log_index)
          RETURNING ev.order_id`,
        [chainId, chainId],
      );
      await tx.execute(
        `DELETE FROM order_flags f
          WHERE f.source_key LIKE 'escrow:' || ? || ':%'
            AND NOT EXISTS (
              SELECT 1 FROM indexer.escrow_orders e
               WHERE e.chain_id = ? AND e.order_id::text = f.details->>'escrowOrderId' AND e.ref = f.details->>'ref')`,
        [chainId, chainId],
      );
      const vanished = await tx.execute<{ id: string }[]>(
        `SELECT o.id FROM orders o
          WHERE o.escrow_order_id IS NOT NULL
            AND NOT EXISTS (
              SELECT 1 FROM indexer.escrow_orders e
               WHERE e.chain_id = ? AND e.order_id::text = o.escrow_order_id AND e.ref = o.escrow_ref)`,
        [chainId],
      );
      const touched = new Set([...removedEvents.map((row) => row.order_id), ...vanished.map((row) => row.id)]);
      let changed = 0;
      for (const id of touched) {
        const order = await tx.findOneOrFail(Order, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const [escrow] =
          order.escrowOrderId == null
            ? []
            : await tx.execute<{ state: string }[]>(
                "SELECT state FROM indexer.escrow_orders WHERE chain_id = ? AND order_id::text = ? AND ref = ?",
                [chainId, order.escrowOrderId, order.escrowRef],
              );
        // An order whose stock was released (a payment linked late) keeps that status while its escrow order is
        // merely funded, and goes back to it, not to awaiting payment, when the payment vanishes.
        const [released] = await tx.execute<{ kind: "cancelled" | "expired" }[]>(
          "SELECT kind FROM order_events WHERE order_id = ? AND kind IN ('cancelled', 'expired') ORDER BY id LIMIT 1",
          [order.id],
        );
        if (escrow === undefined && order.escrowOrderId != null) {
          order.escrowOrderId = null;
          order.paidAt = null;
          order.status = released?.kind ?? "awaiting_payment";
        } else if (escrow !== undefined) {
          order.status =
            escrow.state === "Funded" && released !== undefined
              ? released.kind
              : (STATUS_OF_STATE[escrow.state] ?? order.status);
        } else if (order.status !== "awaiting_payment") {
          continue;
        }
        changed += 1;
      }
      await tx.flush();
      return changed;
    });
  }

  return {
    reconcileReorg,

    async linkOnce(em) {
      const report: LinkReport = { paid: 0, late: 0, flagged: 0, ignored: 0, transitions: 0 };
      if (!(await indexerPresent(em))) return report;
      for (const escrow of await unlinked(em)) {
        const outcome = await link(em.fork(), escrow);
        if (outcome !== "none") report[outcome] += 1;
      }
      // A late payment may have ended an order that still held its stock.
      if (report.late > 0) await deps.onStockChanged?.();
      report.transitions = await reflectTransitions(em.fork());
      return report;
    },
  };
}
