import type { ChainContext } from "./chain-context.js";
import { applyAgriGovernorEvent } from "./handlers/AgriGovernor.js";
import { applyAgriTokenEvent } from "./handlers/AgriToken.js";
import { applyMarketplaceEscrowEvent } from "./handlers/MarketplaceEscrow.js";
import type { StoredEvent } from "./stored-event.js";
import type { WriteQueue } from "./write-queue.js";

/**
 * Routes one stored event to its contract's handler, which queues its writes on `writes`: they run in order inside
 * the caller's transaction, and are done (or have failed) once the queue is flushed.
 */
export function applyStoredEvent(writes: WriteQueue, event: StoredEvent, context: ChainContext): void {
  switch (event.contractName) {
    case "MarketplaceEscrow":
      return applyMarketplaceEscrowEvent(writes, event, context);
    case "AgriGovernor":
      return applyAgriGovernorEvent(writes, event);
    case "AgriToken":
      return applyAgriTokenEvent(writes, event);
  }
}
