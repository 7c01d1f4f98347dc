import { ApiError } from "../errors.js";

/** The order cannot be disputed now: unpaid or ended, past the dispute window, or not yet linked on-chain. */
export class OrderNotDisputableError extends ApiError {
  readonly status = 409;
  readonly code = "order_not_disputable";

  constructor(orderId: string, why: string) {
    super(`This order cannot be disputed: ${why}`, { orderId });
  }
}

/** The order has an open dispute already: continue that one. */
export class DisputeAlreadyOpenError extends ApiError {
  readonly status = 409;
  readonly code = "dispute_already_open";

  constructor(orderId: string, disputeId: string | null) {
    super("This order has an open dispute already", { orderId, disputeId });
  }
}

/** The dispute is settled, ruled or withdrawn: nothing more can be added to it, and it cannot be ruled again. */
export class DisputeClosedError extends ApiError {
  readonly status = 409;
  readonly code = "dispute_closed";

  constructor(disputeId: string, status: string) {
    super(`The dispute is ${status}`, { disputeId, status });
  }
}

/**
 * An escrow dispute the chain has not seen yet: the arbiter's `rule` would revert until the party's `openDispute`
 * transaction is mined and indexed.
 */
export class DisputeNotOnChainError extends ApiError {
  readonly status = 409;
  readonly code = "dispute_not_on_chain";

  constructor(disputeId: string) {
    super("The escrow has not recorded this dispute yet: the party must send the openDispute transaction first", {
      disputeId,
    });
  }
}
