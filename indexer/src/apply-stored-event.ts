import type { ClientBase } from "pg";

import type { ChainContext } from "./chain-context.js";
import { applyAgriGovernorEvent } from "./handlers/AgriGovernor.js";
import { applyAgriTokenEvent } from "./handlers/AgriToken.js";
import { applyMarketplaceEscrowEvent } from "./handlers/MarketplaceEscrow.js";
import type { StoredEvent } from "./stored-event.js";

/** Routes one stored event to its contract's handler, inside the caller's transaction. */
export async function applyStoredEvent(client: ClientBase, event: StoredEvent, context: ChainContext): Promise<void> {
  switch (event.contractName) {
    case "MarketplaceEscrow":
      return applyMarketplaceEscrowEvent(client, event, context);
    case "AgriGovernor":
      return applyAgriGovernorEvent(client, event);
    case "AgriToken":
      return applyAgriTokenEvent(client, event);
  }
}
