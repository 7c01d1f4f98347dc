import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { zeroAddress } from "viem";

import { findUsersWithRole } from "../accounts/find-users-with-role.js";
import type { UnjudgedEscrowOrderRow } from "../chain-reads/escrow-orders.js";
import { Farm } from "../entities/Farm.js";
import { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { OrderFlag } from "../entities/OrderFlag.js";
import { OrderItem } from "../entities/OrderItem.js";
import { Wallet } from "../entities/Wallet.js";
import type { NotificationData } from "../../../protocol/api/notification-kinds.js";
import type { OrderFlagKind } from "../../../protocol/vocabulary/order-vocabulary.js";
import { releaseOrderStock } from "../orders/release-order-stock.js";
import { chainSourceKey } from "./chain-source-key.js";
import { correctEscrowFee } from "./correct-escrow-fee.js";
import type { EscrowOrderLinkerDeps } from "./escrow-order-linker.js";

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

/**
 * Judges one escrow order, in its own transaction; returns what it did ("none" when another process judged it
 * meanwhile: the second must neither record it again nor take the order's own payment for a late one).
 */
export async function linkEscrowOrder(
  deps: Pick<EscrowOrderLinkerDeps, "chainId" | "tokenAddress" | "notifications">,
  em: EntityManager,
  escrow: UnjudgedEscrowOrderRow,
): Promise<"paid" | "late" | "flagged" | "ignored" | "none"> {
  const { chainId, notifications } = deps;
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
    correctEscrowFee(tx, order, escrow, createdAt);
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
