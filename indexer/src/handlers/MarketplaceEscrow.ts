import type { ClientBase } from "pg";

import { MissingEntityError } from "../errors.js";
import type { StoredEvent } from "../stored-event.js";

/** IMarketplaceEscrow.Resolution by its ABI value. */
const RESOLUTIONS = ["Settlement", "Ruling", "Timeout"] as const;

/** What the escrow handler needs beyond the event: who receives the platform fees on this chain. */
export interface EscrowContext {
  treasury: string;
}

/**
 * Applies one MarketplaceEscrow event to `escrow_orders`, `escrow_order_history` and `escrow_credits`, inside the
 * caller's transaction. Credits follow the contract's own bookkeeping, so they equal `creditOf` at every block.
 */
export async function applyMarketplaceEscrowEvent(
  client: ClientBase,
  event: StoredEvent<"MarketplaceEscrow">,
  { treasury }: EscrowContext,
): Promise<void> {
  const { chainId } = event;
  switch (event.eventName) {
    case "OrderCreated": {
      const { args } = event;
      await client.query(
        `INSERT INTO indexer.escrow_orders (chain_id, order_id, ref, buyer, seller, token, amount, state, fee_bps,
           ship_window, confirm_window, arbitration_timeout, deadline, created_block, created_tx, updated_block)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'Funded', $8, $9, $10, $11, $12, $13, $14, $13)`,
        [
          chainId,
          args.orderId,
          args.ref.toLowerCase(),
          args.buyer.toLowerCase(),
          args.seller.toLowerCase(),
          args.token.toLowerCase(),
          args.amount,
          args.feeBps,
          // The event carries the deadline rather than the window; the contract set it to creation time + window.
          (BigInt(args.shipDeadline) - event.blockTimestamp).toString(),
          args.confirmWindow,
          args.arbitrationTimeout,
          args.shipDeadline,
          event.blockNumber.toString(),
          event.transactionHash,
        ],
      );
      await appendHistory(client, event, args.orderId, "Funded");
      return;
    }
    case "OrderShipped":
      await updateOrder(client, event, event.args.orderId, "state = 'Shipped', deadline = $4", [
        event.args.confirmDeadline,
      ]);
      await appendHistory(client, event, event.args.orderId, "Shipped");
      return;
    case "OrderCompleted": {
      const { args } = event;
      await updateOrder(
        client,
        event,
        args.orderId,
        "state = 'Completed', deadline = $4, seller_amount = $5, fee = $6, by_timeout = $7",
        [event.blockTimestamp.toString(), args.sellerAmount, args.fee, args.byTimeout],
      );
      await credit(client, chainId, args.seller, args.token, args.sellerAmount);
      await credit(client, chainId, treasury, args.token, args.fee);
      await appendHistory(client, event, args.orderId, "Completed");
      return;
    }
    case "OrderRefunded": {
      const { args } = event;
      await updateOrder(
        client,
        event,
        args.orderId,
        "state = 'Refunded', deadline = $4, buyer_amount = $5, by_timeout = $6",
        [event.blockTimestamp.toString(), args.amount, args.byTimeout],
      );
      await credit(client, chainId, args.buyer, args.token, args.amount);
      await appendHistory(client, event, args.orderId, "Refunded");
      return;
    }
    case "OrderDisputed":
      // shipped_before_dispute reads the state before this update: it decides the default ruling on timeout.
      await updateOrder(
        client,
        event,
        event.args.orderId,
        "shipped_before_dispute = (state = 'Shipped'), state = 'Disputed', deadline = $4, disputant = $5",
        [event.args.arbitrationDeadline, event.args.disputant.toLowerCase()],
      );
      await appendHistory(client, event, event.args.orderId, "Disputed");
      return;
    case "SettlementProposed":
      await updateOrder(client, event, event.args.orderId, "settlement_proposer = $4, settlement_buyer_bps = $5", [
        event.args.proposer.toLowerCase(),
        event.args.buyerBps,
      ]);
      await appendHistory(client, event, event.args.orderId, "Disputed");
      return;
    case "OrderResolved": {
      const { args } = event;
      const order = await updateOrder(
        client,
        event,
        args.orderId,
        `state = 'Resolved', deadline = $4, resolution = $5, arbiter = $6, buyer_amount = $7, seller_amount = $8,
         fee = $9`,
        [
          event.blockTimestamp.toString(),
          RESOLUTIONS[args.resolution],
          args.arbiter.toLowerCase(),
          args.buyerAmount,
          args.sellerAmount,
          args.fee,
        ],
      );
      await credit(client, chainId, order.buyer, args.token, args.buyerAmount);
      await credit(client, chainId, order.seller, args.token, args.sellerAmount);
      await credit(client, chainId, treasury, args.token, args.fee);
      await appendHistory(client, event, args.orderId, "Resolved");
      return;
    }
    case "Withdrawn": {
      const { args } = event;
      const { rowCount } = await client.query(
        `UPDATE indexer.escrow_credits SET amount = amount - $4
         WHERE chain_id = $1 AND account = $2 AND token = $3`,
        [chainId, args.account.toLowerCase(), args.token.toLowerCase(), args.amount],
      );
      if (rowCount !== 1) {
        throw new MissingEntityError(`Withdrawn by ${args.account} in ${args.token} without any credit recorded`);
      }
      return;
    }
    case "TermsUpdated": {
      const { firstOrderId, terms } = event.args;
      await client.query(
        `INSERT INTO indexer.escrow_terms (chain_id, first_order_id, fee_bps, ship_window, confirm_window,
           arbitration_timeout, updated_block)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (chain_id, first_order_id) DO UPDATE SET fee_bps = EXCLUDED.fee_bps,
           ship_window = EXCLUDED.ship_window, confirm_window = EXCLUDED.confirm_window,
           arbitration_timeout = EXCLUDED.arbitration_timeout, updated_block = EXCLUDED.updated_block`,
        [
          chainId,
          firstOrderId,
          terms.feeBps,
          terms.shipWindow,
          terms.confirmWindow,
          terms.arbitrationTimeout,
          event.blockNumber.toString(),
        ],
      );
      return;
    }
    case "PaymentTokenSet":
      await client.query(
        `INSERT INTO indexer.escrow_payment_tokens (chain_id, token, allowed, updated_block) VALUES ($1, $2, $3, $4)
         ON CONFLICT (chain_id, token) DO UPDATE SET allowed = EXCLUDED.allowed, updated_block = EXCLUDED.updated_block`,
        [chainId, event.args.token.toLowerCase(), event.args.allowed, event.blockNumber.toString()],
      );
      return;
    case "Paused":
      await client.query(
        `INSERT INTO indexer.escrow_status (chain_id, paused, updated_block) VALUES ($1, $2, $3)
         ON CONFLICT (chain_id) DO UPDATE SET paused = EXCLUDED.paused, updated_block = EXCLUDED.updated_block`,
        [chainId, event.args.paused, event.blockNumber.toString()],
      );
      return;
    default:
      // Role changes (RoleGranted, RoleRevoked, RoleAdminChanged) are kept in `events` only for now.
      return;
  }
}

/** Updates one order; `$1..$3` are the chain, the order and the block, the caller's values follow from `$4`. */
async function updateOrder(
  client: ClientBase,
  event: StoredEvent<"MarketplaceEscrow">,
  orderId: string,
  assignments: string,
  values: unknown[],
): Promise<{ buyer: string; seller: string }> {
  const { rows } = await client.query<{ buyer: string; seller: string }>(
    `UPDATE indexer.escrow_orders SET ${assignments}, updated_block = $3
     WHERE chain_id = $1 AND order_id = $2 RETURNING buyer, seller`,
    [event.chainId, orderId, event.blockNumber.toString(), ...values],
  );
  if (rows.length !== 1) {
    throw new MissingEntityError(`${event.eventName} for order ${orderId}, which was never created`);
  }
  return rows[0];
}

async function credit(client: ClientBase, chainId: number, account: string, token: string, amount: string) {
  // A zero share (a full refund in a ruling, a zero fee) creates no credit, as in the contract.
  if (BigInt(amount) === 0n) return;
  await client.query(
    `INSERT INTO indexer.escrow_credits (chain_id, account, token, amount) VALUES ($1, $2, $3, $4)
     ON CONFLICT (chain_id, account, token) DO UPDATE SET amount = escrow_credits.amount + EXCLUDED.amount`,
    [chainId, account.toLowerCase(), token.toLowerCase(), amount],
  );
}

async function appendHistory(
  client: ClientBase,
  event: StoredEvent<"MarketplaceEscrow">,
  orderId: string,
  state: string,
) {
  await client.query(
    `INSERT INTO indexer.escrow_order_history
       (chain_id, order_id, state, event_name, block_number, block_timestamp, tx_hash, log_index, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      event.chainId,
      orderId,
      state,
      event.eventName,
      event.blockNumber.toString(),
      event.blockTimestamp.toString(),
      event.transactionHash,
      event.logIndex,
      JSON.stringify(event.args),
    ],
  );
}
