import type { ClientBase } from "pg";

import type { ChainContext } from "./chain-context.js";
import { applyAgriGovernorEvent, wantAgriGovernorRows } from "./handlers/AgriGovernor.js";
import { applyAgriTokenEvent, wantAgriTokenRows } from "./handlers/AgriToken.js";
import { applyMarketplaceEscrowEvent, wantMarketplaceEscrowRows } from "./handlers/MarketplaceEscrow.js";
import { createWantedRows, loadReadModelView } from "./read-model-view.js";
import type { StoredEvent } from "./stored-event.js";

/**
 * Applies stored events (in block, log-index order) to the read models, inside the caller's transaction: the rows
 * they touch are loaded with a few bulk SELECTs, each event's handler changes them in memory, in order, and the
 * changed rows are written back with a few bulk statements. Both new logs and a rebuild's replay come through here.
 */
export async function applyStoredEvents(
  client: ClientBase,
  events: readonly StoredEvent[],
  context: ChainContext,
): Promise<void> {
  if (events.length === 0) return;
  const escrow: StoredEvent<"MarketplaceEscrow">[] = [];
  const governor: StoredEvent<"AgriGovernor">[] = [];
  const token: StoredEvent<"AgriToken">[] = [];
  for (const event of events) {
    switch (event.contractName) {
      case "MarketplaceEscrow":
        escrow.push(event);
        break;
      case "AgriGovernor":
        governor.push(event);
        break;
      case "AgriToken":
        token.push(event);
        break;
    }
  }
  const wanted = createWantedRows();
  wantMarketplaceEscrowRows(wanted, escrow, context);
  wantAgriGovernorRows(wanted, governor);
  wantAgriTokenRows(wanted, token);
  const view = await loadReadModelView(client, context.chainId, wanted);
  for (const event of events) {
    switch (event.contractName) {
      case "MarketplaceEscrow":
        applyMarketplaceEscrowEvent(view, event, context);
        break;
      case "AgriGovernor":
        applyAgriGovernorEvent(view, event);
        break;
      case "AgriToken":
        applyAgriTokenEvent(view, event);
        break;
    }
  }
  await view.save();
}
