import { enumValues } from "../enum-values.js";
import { marketplaceEscrowEnums } from "../generated/contracts.js";

/** IMarketplaceEscrow.OrderState's values by name, as `getOrder` returns an order's `state`: `ORDER_STATE.Funded`. */
export const ORDER_STATE = enumValues(marketplaceEscrowEnums.OrderState);

/**
 * The states an escrow order can be in, as the indexer and the API spell them: OrderState without its first member,
 * `None`, which means that no order has the id.
 */
export const [, ...ESCROW_ORDER_STATES] = marketplaceEscrowEnums.OrderState;

export type EscrowOrderState = (typeof ESCROW_ORDER_STATES)[number];
