import type { EntityManager } from "@mikro-orm/postgresql";
import { createPublicClient, defineChain, http } from "viem";
import type { Hex } from "viem";

import { readCheckpointBlock } from "../chain-reads/checkpoints.js";
import { escrowOrdersIndexed, listUnjudgedPaymentsOf } from "../chain-reads/escrow-orders.js";
import type { ApiConfig } from "../config.js";
import type { Order } from "../entities/Order.js";
import type { PaymentTransactionOutcome } from "../../../protocol/vocabulary/order-vocabulary.js";

/** Why an order awaiting payment must not end now: a payment for it may still make it paid. */
export type PaymentInFlight =
  | {
      kind: "reported_transaction";
      txHash: string;
      /** Mined and sent to the escrow, waiting for the indexer; false while no receipt is known. */
      mined: boolean;
      /** When the report stops holding the order, whatever its receipt says by then. */
      holdsUntil: Date;
    }
  | { kind: "indexed_escrow_order"; escrowOrderId: string };

/**
 * The one rule cancelling (the buyer) and expiring (the reservation job) an order both obey: an escrow order awaiting
 * payment must not end while a payment for it is pending or indexed, because its stock would be released under a
 * payment on its way. Cancel refuses (409 payment_pending); the expiry job skips the order until the payment is
 * judged or the report runs out.
 */
export interface PaymentInFlightGuard {
  /** The payment in flight for each of `orders` that has one (by order id); call with the orders' rows locked. */
  check(em: EntityManager, orders: readonly Order[], at: Date): Promise<Map<string, PaymentInFlight>>;
}

/** A transaction receipt as far as the guard needs it; null while the transaction is not mined. */
export type ReadReceipt = (
  hash: Hex,
) => Promise<{ status: "success" | "reverted"; to: string | null; blockNumber: bigint } | null>;

/** Reads receipts through the chain RPC; a request that fails or takes over 5 s counts as "not known yet". */
export function readReceiptsFrom(rpcUrl: string, chainId: number): ReadReceipt {
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({ chain, transport: http(rpcUrl, { timeout: 5_000, retryCount: 0 }) });
  return async (hash) => {
    const receipt = await client.getTransactionReceipt({ hash }).catch(() => null);
    return receipt === null ? null : { status: receipt.status, to: receipt.to, blockNumber: receipt.blockNumber };
  };
}

/**
 * A payment is in flight for an escrow order awaiting payment when:
 * - an escrow order carrying its ref was indexed from one of the wallets linked to its buyer, and the linker has not
 *   judged it yet (neither linked nor flagged): it may well be the order's payment. An escrow order from any other
 *   wallet never holds an order, so nobody can keep someone else's order (and its stock) by reusing its ref.
 * - or its checkout's buyer reported a transaction (POST /api/checkouts/:id/payment-transactions) less than
 *   `pendingMs` ago, whose receipt is unknown (read through the chain RPC, and recorded once known), or which was
 *   mined into the escrow and the indexer has not reached its block yet. A reverted transaction, or one sent
 *   elsewhere than the escrow, holds nothing.
 */
export function createPaymentInFlightGuard(deps: {
  chainId: number;
  /** The escrow payments go to; undefined when escrow is not configured (no escrow order can be in flight then). */
  escrowAddress: Hex | undefined;
  readReceipt: ReadReceipt;
  /** How long a reported transaction holds its orders at most. */
  pendingMs: number;
}): PaymentInFlightGuard {
  const { chainId } = deps;

  async function indexedPayments(em: EntityManager, ids: string[]) {
    if (!(await escrowOrdersIndexed(em))) return { payments: [], checkpoint: undefined };
    const payments = await listUnjudgedPaymentsOf(em, chainId, ids);
    const checkpoint = await readCheckpointBlock(em, chainId);
    return { payments, checkpoint: checkpoint === undefined ? undefined : BigInt(checkpoint) };
  }

  async function outcomeOf(em: EntityManager, id: string, hash: Hex) {
    const receipt = await deps.readReceipt(hash);
    if (receipt === null) return undefined;
    const outcome: PaymentTransactionOutcome =
      receipt.to?.toLowerCase() !== deps.escrowAddress ? "unrelated" : receipt.status === "success" ? "paid" : "failed";
    await em.execute("UPDATE payment_transactions SET outcome = ?, mined_block = ? WHERE id = ?", [
      outcome,
      receipt.blockNumber.toString(),
      id,
    ]);
    return { outcome, minedBlock: receipt.blockNumber };
  }

  return {
    async check(em, orders, at) {
      const found = new Map<string, PaymentInFlight>();
      const ids = orders
        .filter((order) => order.paymentMethod === "escrow" && order.status === "awaiting_payment")
        .map((order) => order.id);
      if (ids.length === 0 || deps.escrowAddress === undefined) return found;
      const { payments, checkpoint } = await indexedPayments(em, ids);
      for (const payment of payments) {
        found.set(payment.id, { kind: "indexed_escrow_order", escrowOrderId: payment.escrow_order_id });
      }
      const reported = await em.execute<
        {
          order_id: string;
          id: string;
          tx_hash: Hex;
          reported_at: Date;
          outcome: string | null;
          mined_block: string | null;
        }[]
      >(
        `SELECT o.id AS order_id, t.id::text AS id, t.tx_hash, t.reported_at, t.outcome, t.mined_block::text AS mined_block
           FROM orders o JOIN payment_transactions t ON t.checkout_id = o.checkout_id
          WHERE o.id IN (?) AND t.reported_at > ? AND (t.outcome IS NULL OR t.outcome = 'paid')
          ORDER BY t.reported_at`,
        [ids, new Date(at.getTime() - deps.pendingMs)],
      );
      // One receipt read per transaction, however many of the checkout's orders it pays.
      const receipts = new Map<string, { outcome: string; minedBlock: bigint } | undefined>();
      for (const row of reported) {
        if (found.has(row.order_id)) continue;
        if (row.outcome !== null) receipts.set(row.id, { outcome: row.outcome, minedBlock: BigInt(row.mined_block!) });
        if (!receipts.has(row.id)) receipts.set(row.id, await outcomeOf(em, row.id, row.tx_hash));
        const known = receipts.get(row.id);
        const waitingForIndexer =
          known?.outcome === "paid" && (checkpoint === undefined || checkpoint < known.minedBlock);
        if (known !== undefined && !waitingForIndexer) continue;
        found.set(row.order_id, {
          kind: "reported_transaction",
          txHash: row.tx_hash,
          mined: known !== undefined,
          holdsUntil: new Date(new Date(row.reported_at).getTime() + deps.pendingMs),
        });
      }
      return found;
    },
  };
}

/** The guard as the API process runs it (cancel and the expiry job share it): receipts read through CHAIN_RPC_URL. */
export function paymentInFlightGuardFor(config: ApiConfig): PaymentInFlightGuard {
  return createPaymentInFlightGuard({
    chainId: config.chainId,
    escrowAddress: config.escrow.address,
    readReceipt: readReceiptsFrom(config.chainRpcUrl, config.chainId),
    pendingMs: config.escrow.paymentPendingMs,
  });
}
