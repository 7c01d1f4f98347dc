import type { EscrowOrderState } from "../../../protocol/escrow/order-state.js";
import { marketplaceEscrowEnums } from "../../../protocol/generated/contracts.js";
import { MissingEntityError } from "../errors.js";
import { want } from "../read-model-view.js";
import type { ReadModelView, Row, WantedRows } from "../read-model-view.js";
import type { StoredEvent } from "../stored-event.js";

/** What the escrow handler needs beyond the event: who receives the platform fees on this chain. */
export interface EscrowContext {
  treasury: string;
}

/**
 * Records the read-model rows a batch of escrow events (in order) reads: the orders they change and the credits they
 * add to or withdraw from. A ruling names neither party, so its credits are wanted once its order is loaded, unless
 * the batch itself created the order.
 */
export function wantMarketplaceEscrowRows(
  wanted: WantedRows,
  events: readonly StoredEvent<"MarketplaceEscrow">[],
  { treasury }: EscrowContext,
): void {
  const created = new Map<string, { buyer: string; seller: string }>();
  const wantCredit = (account: string, token: string) =>
    want(wanted, "escrow_credits", [account.toLowerCase(), token.toLowerCase()]);
  for (const event of events) {
    switch (event.eventName) {
      case "OrderCreated":
        created.set(event.args.orderId, {
          buyer: event.args.buyer.toLowerCase(),
          seller: event.args.seller.toLowerCase(),
        });
        break;
      case "OrderShipped":
      case "OrderDisputed":
      case "SettlementProposed":
        want(wanted, "escrow_orders", [event.args.orderId]);
        break;
      case "OrderCompleted":
        want(wanted, "escrow_orders", [event.args.orderId]);
        wantCredit(event.args.seller, event.args.token);
        wantCredit(treasury, event.args.token);
        break;
      case "OrderRefunded":
        want(wanted, "escrow_orders", [event.args.orderId]);
        wantCredit(event.args.buyer, event.args.token);
        break;
      case "OrderResolved": {
        const { orderId, token } = event.args;
        want(wanted, "escrow_orders", [orderId]);
        wantCredit(treasury, token);
        const parties = created.get(orderId);
        if (parties !== undefined) {
          wantCredit(parties.buyer, token);
          wantCredit(parties.seller, token);
        } else {
          wanted.deferred.push((loaded) => {
            const order = loaded("escrow_orders", [orderId]);
            // No order: applying the event fails with MissingEntityError.
            if (order === undefined) return;
            wantCredit(String(order.buyer), token);
            wantCredit(String(order.seller), token);
          });
        }
        break;
      }
      case "Withdrawn":
        wantCredit(event.args.account, event.args.token);
        break;
      default:
        break;
    }
  }
}

/**
 * Applies one MarketplaceEscrow event to `escrow_orders`, `escrow_order_history` and `escrow_credits` (and the
 * escrow's parameters and role holders) in `view`. Credits follow the contract's own bookkeeping, so they equal
 * `creditOf` at every block.
 */
export function applyMarketplaceEscrowEvent(
  view: ReadModelView,
  event: StoredEvent<"MarketplaceEscrow">,
  { treasury }: EscrowContext,
): void {
  const block = event.blockNumber.toString();
  switch (event.eventName) {
    case "OrderCreated": {
      const { args } = event;
      view.create("escrow_orders", {
        order_id: args.orderId,
        ref: args.ref.toLowerCase(),
        buyer: args.buyer.toLowerCase(),
        seller: args.seller.toLowerCase(),
        token: args.token.toLowerCase(),
        amount: args.amount,
        state: "Funded",
        fee_bps: args.feeBps,
        // The event carries the deadline rather than the window; the contract set it to creation time + window.
        ship_window: (BigInt(args.shipDeadline) - event.blockTimestamp).toString(),
        confirm_window: args.confirmWindow,
        arbitration_timeout: args.arbitrationTimeout,
        deadline: args.shipDeadline,
        shipped_before_dispute: false,
        disputant: null,
        settlement_proposer: null,
        settlement_buyer_bps: null,
        resolution: null,
        arbiter: null,
        buyer_amount: null,
        seller_amount: null,
        fee: null,
        by_timeout: null,
        created_block: block,
        created_tx: event.transactionHash,
        updated_block: block,
      });
      appendHistory(view, event, args.orderId, "Funded");
      return;
    }
    case "OrderShipped":
      updateOrder(view, event, event.args.orderId, "Shipped", () => ({
        state: "Shipped",
        deadline: event.args.confirmDeadline,
      }));
      return;
    case "OrderCompleted": {
      const { args } = event;
      updateOrder(view, event, args.orderId, "Completed", () => ({
        state: "Completed",
        deadline: event.blockTimestamp.toString(),
        seller_amount: args.sellerAmount,
        fee: args.fee,
        by_timeout: args.byTimeout,
      }));
      credit(view, args.seller, args.token, args.sellerAmount);
      credit(view, treasury, args.token, args.fee);
      return;
    }
    case "OrderRefunded": {
      const { args } = event;
      updateOrder(view, event, args.orderId, "Refunded", () => ({
        state: "Refunded",
        deadline: event.blockTimestamp.toString(),
        buyer_amount: args.amount,
        by_timeout: args.byTimeout,
      }));
      credit(view, args.buyer, args.token, args.amount);
      return;
    }
    case "OrderDisputed":
      // shipped_before_dispute reads the state before this update: it decides the default ruling on timeout.
      updateOrder(view, event, event.args.orderId, "Disputed", (order) => ({
        shipped_before_dispute: order.state === "Shipped",
        state: "Disputed",
        deadline: event.args.arbitrationDeadline,
        disputant: event.args.disputant.toLowerCase(),
      }));
      return;
    case "SettlementProposed":
      updateOrder(view, event, event.args.orderId, "Disputed", () => ({
        settlement_proposer: event.args.proposer.toLowerCase(),
        settlement_buyer_bps: event.args.buyerBps,
      }));
      return;
    case "OrderResolved": {
      const { args } = event;
      const order = updateOrder(view, event, args.orderId, "Resolved", () => ({
        state: "Resolved",
        deadline: event.blockTimestamp.toString(),
        resolution: marketplaceEscrowEnums.Resolution[args.resolution],
        arbiter: args.arbiter.toLowerCase(),
        buyer_amount: args.buyerAmount,
        seller_amount: args.sellerAmount,
        fee: args.fee,
      }));
      // The event names neither party: the order row does.
      credit(view, String(order.buyer), args.token, args.buyerAmount);
      credit(view, String(order.seller), args.token, args.sellerAmount);
      credit(view, treasury, args.token, args.fee);
      return;
    }
    case "Withdrawn": {
      const { args } = event;
      const key = [args.account.toLowerCase(), args.token.toLowerCase()];
      const row = view.get("escrow_credits", key);
      if (row === undefined) {
        throw new MissingEntityError(`Withdrawn by ${args.account} in ${args.token} without any credit recorded`);
      }
      view.put("escrow_credits", { ...row, amount: (BigInt(String(row.amount)) - BigInt(args.amount)).toString() });
      return;
    }
    case "TermsUpdated": {
      const { firstOrderId, terms } = event.args;
      view.put("escrow_terms", {
        first_order_id: firstOrderId,
        fee_bps: terms.feeBps,
        ship_window: terms.shipWindow,
        confirm_window: terms.confirmWindow,
        arbitration_timeout: terms.arbitrationTimeout,
        updated_block: block,
      });
      return;
    }
    case "PaymentTokenSet":
      view.put("escrow_payment_tokens", {
        token: event.args.token.toLowerCase(),
        allowed: event.args.allowed,
        updated_block: block,
      });
      return;
    case "Paused":
      view.put("escrow_status", { paused: event.args.paused, updated_block: block });
      return;
    case "RoleGranted":
    case "RoleRevoked":
      view.put("role_holders", {
        contract_name: event.contractName,
        role: event.args.role.toLowerCase(),
        account: event.args.account.toLowerCase(),
        holds: event.eventName === "RoleGranted",
        updated_block: block,
      });
      return;
    default:
      // RoleAdminChanged: every role of the escrow keeps the default admin role as its admin, so it is kept in
      // `events` only.
      return;
  }
}

/** Applies `changes` (computed from the order as it was) to one order and appends its history row; returns the order. */
function updateOrder(
  view: ReadModelView,
  event: StoredEvent<"MarketplaceEscrow">,
  orderId: string,
  historyState: EscrowOrderState,
  changes: (order: Row) => Row,
): Row {
  const order = view.get("escrow_orders", [orderId]);
  if (order === undefined) {
    throw new MissingEntityError(`${event.eventName} for order ${orderId}, which was never created`);
  }
  const updated = { ...order, ...changes(order), updated_block: event.blockNumber.toString() };
  view.put("escrow_orders", updated);
  appendHistory(view, event, orderId, historyState);
  return updated;
}

function credit(view: ReadModelView, account: string, token: string, amount: string): void {
  // A zero share (a full refund in a ruling, a zero fee) creates no credit, as in the contract.
  if (BigInt(amount) === 0n) return;
  const key = [account.toLowerCase(), token.toLowerCase()];
  const row = view.get("escrow_credits", key);
  const before = row === undefined ? 0n : BigInt(String(row.amount));
  view.put("escrow_credits", { account: key[0], token: key[1], amount: (before + BigInt(amount)).toString() });
}

function appendHistory(
  view: ReadModelView,
  event: StoredEvent<"MarketplaceEscrow">,
  orderId: string,
  state: EscrowOrderState,
): void {
  view.append("escrow_order_history", {
    order_id: orderId,
    state,
    event_name: event.eventName,
    block_number: event.blockNumber.toString(),
    block_timestamp: event.blockTimestamp.toString(),
    tx_hash: event.transactionHash,
    log_index: event.logIndex,
    details: event.args,
  });
}
