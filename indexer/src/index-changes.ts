import { zeroAddress } from "viem";

import type { PositionedEvent } from "./decode-log.js";

/** What a batch of events changed, for whoever keeps views of the index fresh (the API's push to browsers). */
export interface IndexChanges {
  orderIds: bigint[];
  proposalIds: bigint[];
  /** Lower-case addresses the events name directly (buyers, sellers, voters, delegates, token holders). */
  accounts: string[];
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Collects the orders, proposals and accounts a batch's events name. Read from the event arguments generically, so
 * a new event with `orderId`, `proposalId` or address arguments is covered without a change here. Address lists
 * (a proposal's call targets) are contracts called, not accounts touched, so only single addresses count.
 */
export function describeChanges(events: readonly PositionedEvent[]): IndexChanges {
  const orderIds = new Set<bigint>();
  const proposalIds = new Set<bigint>();
  const accounts = new Set<string>();
  for (const event of events) {
    for (const [name, value] of Object.entries(event.args as Record<string, unknown>)) {
      if (name === "orderId" && typeof value === "bigint") orderIds.add(value);
      else if (name === "proposalId" && typeof value === "bigint") proposalIds.add(value);
      else if (typeof value === "string" && ADDRESS.test(value) && value !== zeroAddress) {
        accounts.add(value.toLowerCase());
      }
    }
  }
  const ascending = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    orderIds: [...orderIds].sort(ascending),
    proposalIds: [...proposalIds].sort(ascending),
    accounts: [...accounts].sort(),
  };
}
