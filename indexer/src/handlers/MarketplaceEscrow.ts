import { MissingEntityError } from "../errors.js";
import type { StoredEvent } from "../stored-event.js";
import type { WriteQueue } from "../write-queue.js";

/** IMarketplaceEscrow.Resolution by its ABI value. */
const RESOLUTIONS = ["Settlement", "Ruling", "Timeout"] as const;

/** What the escrow handler needs beyond the event: who receives the platform fees on this chain. */
export interface EscrowContext {
  treasury: string;
}

/**
 * Queues the writes of one MarketplaceEscrow event to `escrow_orders`, `escrow_order_history` and `escrow_credits`,
 * inside the caller's transaction. Credits follow the contract's own bookkeeping, so they equal `creditOf` at every
 * block.
 */
export function applyMarketplaceEscrowEvent(
  writes: WriteQueue,
  event: StoredEvent<"MarketplaceEscrow">,
  { treasury }: EscrowContext,
): void {
  const { chainId } = event;
  switch (event.eventName) {
    case "OrderCreated": {
      const { args } = event;
      writes.query(
        `WITH created AS (
           INSERT INTO indexer.escrow_orders (chain_id, order_id, ref, buyer, seller, token, amount, state, fee_bps,
             ship_window, confirm_window, arbitration_timeout, deadline, created_block, created_tx, updated_block)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'Funded', $8, $9, $10, $11, $12, $13, $14, $13)
           RETURNING order_id
         )
         ${historyFrom("created", "$13", 15)}`,
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
          ...historyValues(event, "Funded"),
        ],
      );
      return;
    }
    case "OrderShipped":
      updateOrder(writes, event, event.args.orderId, "Shipped", "state = 'Shipped', deadline = $4", [
        event.args.confirmDeadline,
      ]);
      return;
    case "OrderCompleted": {
      const { args } = event;
      updateOrder(
        writes,
        event,
        args.orderId,
        "Completed",
        "state = 'Completed', deadline = $4, seller_amount = $5, fee = $6, by_timeout = $7",
        [event.blockTimestamp.toString(), args.sellerAmount, args.fee, args.byTimeout],
      );
      credit(writes, chainId, args.seller, args.token, args.sellerAmount);
      credit(writes, chainId, treasury, args.token, args.fee);
      return;
    }
    case "OrderRefunded": {
      const { args } = event;
      updateOrder(
        writes,
        event,
        args.orderId,
        "Refunded",
        "state = 'Refunded', deadline = $4, buyer_amount = $5, by_timeout = $6",
        [event.blockTimestamp.toString(), args.amount, args.byTimeout],
      );
      credit(writes, chainId, args.buyer, args.token, args.amount);
      return;
    }
    case "OrderDisputed":
      // shipped_before_dispute reads the state before this update: it decides the default ruling on timeout.
      updateOrder(
        writes,
        event,
        event.args.orderId,
        "Disputed",
        "shipped_before_dispute = (state = 'Shipped'), state = 'Disputed', deadline = $4, disputant = $5",
        [event.args.arbitrationDeadline, event.args.disputant.toLowerCase()],
      );
      return;
    case "SettlementProposed":
      updateOrder(
        writes,
        event,
        event.args.orderId,
        "Disputed",
        "settlement_proposer = $4, settlement_buyer_bps = $5",
        [event.args.proposer.toLowerCase(), event.args.buyerBps],
      );
      return;
    case "OrderResolved": {
      const { args } = event;
      updateOrder(
        writes,
        event,
        args.orderId,
        "Resolved",
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
      // The event names neither party: the credits read them from the order row, so no answer is awaited here.
      creditParty(writes, event, args.orderId, "buyer", args.token, args.buyerAmount);
      creditParty(writes, event, args.orderId, "seller", args.token, args.sellerAmount);
      credit(writes, chainId, treasury, args.token, args.fee);
      return;
    }
    case "Withdrawn": {
      const { args } = event;
      writes.query(
        `UPDATE indexer.escrow_credits SET amount = amount - $4
         WHERE chain_id = $1 AND account = $2 AND token = $3`,
        [chainId, args.account.toLowerCase(), args.token.toLowerCase(), args.amount],
        ({ rowCount }) => {
          if (rowCount !== 1) {
            throw new MissingEntityError(`Withdrawn by ${args.account} in ${args.token} without any credit recorded`);
          }
        },
      );
      return;
    }
    case "TermsUpdated": {
      const { firstOrderId, terms } = event.args;
      writes.query(
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
      writes.query(
        `INSERT INTO indexer.escrow_payment_tokens (chain_id, token, allowed, updated_block) VALUES ($1, $2, $3, $4)
         ON CONFLICT (chain_id, token) DO UPDATE SET allowed = EXCLUDED.allowed, updated_block = EXCLUDED.updated_block`,
        [chainId, event.args.token.toLowerCase(), event.args.allowed, event.blockNumber.toString()],
      );
      return;
    case "Paused":
      writes.query(
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

/**
 * Updates one order and appends its history row, in one statement; `$1..$3` are the chain, the order and the block,
 * the caller's values follow from `$4`. One statement rather than two: statements, not rows, are what a backfill
 * waits on.
 */
function updateOrder(
  writes: WriteQueue,
  event: StoredEvent<"MarketplaceEscrow">,
  orderId: string,
  historyState: string,
  assignments: string,
  values: unknown[],
): void {
  writes.query(
    `WITH updated AS (
       UPDATE indexer.escrow_orders SET ${assignments}, updated_block = $3 WHERE chain_id = $1 AND order_id = $2
       RETURNING order_id
     )
     ${historyFrom("updated", "$3", 4 + values.length)}`,
    [event.chainId, orderId, event.blockNumber.toString(), ...values, ...historyValues(event, historyState)],
    ({ rowCount }) => {
      if (rowCount !== 1) {
        throw new MissingEntityError(`${event.eventName} for order ${orderId}, which was never created`);
      }
    },
  );
}

function credit(writes: WriteQueue, chainId: number, account: string, token: string, amount: string): void {
  // A zero share (a full refund in a ruling, a zero fee) creates no credit, as in the contract.
  if (BigInt(amount) === 0n) return;
  writes.query(
    `INSERT INTO indexer.escrow_credits (chain_id, account, token, amount) VALUES ($1, $2, $3, $4)
     ON CONFLICT (chain_id, account, token) DO UPDATE SET amount = escrow_credits.amount + EXCLUDED.amount`,
    [chainId, account.toLowerCase(), token.toLowerCase(), amount],
  );
}

/** Credits the order's buyer or seller, as the order row names them. */
function creditParty(
  writes: WriteQueue,
  event: StoredEvent<"MarketplaceEscrow">,
  orderId: string,
  party: "buyer" | "seller",
  token: string,
  amount: string,
): void {
  if (BigInt(amount) === 0n) return;
  writes.query(
    `INSERT INTO indexer.escrow_credits (chain_id, account, token, amount)
     SELECT chain_id, ${party}, $3, $4 FROM indexer.escrow_orders WHERE chain_id = $1 AND order_id = $2
     ON CONFLICT (chain_id, account, token) DO UPDATE SET amount = escrow_credits.amount + EXCLUDED.amount`,
    [event.chainId, orderId, token.toLowerCase(), amount],
  );
}

/**
 * The history row of the order `source` (a CTE returning `order_id`) names, as the tail of a statement whose `$1`
 * is the chain and `block` the block's parameter; its own values (`historyValues`) start at `$first`.
 */
function historyFrom(source: string, block: string, first: number): string {
  const [state, eventName, timestamp, txHash, logIndex, details] = [0, 1, 2, 3, 4, 5].map((i) => `$${first + i}`);
  return `INSERT INTO indexer.escrow_order_history
       (chain_id, order_id, state, event_name, block_number, block_timestamp, tx_hash, log_index, details)
     SELECT $1, order_id, ${state}::text, ${eventName}::text, ${block}::bigint, ${timestamp}::bigint, ${txHash}::text,
       ${logIndex}::integer, ${details}::jsonb
     FROM ${source}`;
}

function historyValues(event: StoredEvent<"MarketplaceEscrow">, state: string): unknown[] {
  return [
    state,
    event.eventName,
    event.blockTimestamp.toString(),
    event.transactionHash,
    event.logIndex,
    JSON.stringify(event.args),
  ];
}
