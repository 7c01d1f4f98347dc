import { zeroAddress } from "viem";

import { MissingEntityError } from "../errors.js";
import { want } from "../read-model-view.js";
import type { ReadModelView, WantedRows } from "../read-model-view.js";
import type { StoredEvent } from "../stored-event.js";

/** Records the read-model rows a batch of AgriToken events reads: the balances and delegates they change. */
export function wantAgriTokenRows(wanted: WantedRows, events: readonly StoredEvent<"AgriToken">[]): void {
  for (const event of events) {
    switch (event.eventName) {
      case "Transfer":
        // Mints come from and burns go to address(0), whose balance the token does not track.
        for (const account of [event.args.from.toLowerCase(), event.args.to.toLowerCase()]) {
          if (account !== zeroAddress) want(wanted, "token_balances", [account]);
        }
        break;
      case "DelegateChanged":
        want(wanted, "delegates", [event.args.delegator.toLowerCase()]);
        break;
      case "DelegateVotesChanged":
        want(wanted, "delegates", [event.args.delegate.toLowerCase()]);
        break;
      default:
        break;
    }
  }
}

/** Applies one AgriToken event to `token_balances` and `delegates` in `view`. */
export function applyAgriTokenEvent(view: ReadModelView, event: StoredEvent<"AgriToken">): void {
  switch (event.eventName) {
    case "Transfer": {
      const from = event.args.from.toLowerCase();
      const to = event.args.to.toLowerCase();
      const value = BigInt(event.args.value);
      if (from !== zeroAddress) {
        const row = view.get("token_balances", [from]);
        if (row === undefined) throw new MissingEntityError(`Transfer from ${from}, which never received AGRI`);
        view.put("token_balances", { account: from, balance: (BigInt(String(row.balance)) - value).toString() });
      }
      if (to !== zeroAddress) {
        const row = view.get("token_balances", [to]);
        const before = row === undefined ? 0n : BigInt(String(row.balance));
        view.put("token_balances", { account: to, balance: (before + value).toString() });
      }
      return;
    }
    case "DelegateChanged": {
      const account = event.args.delegator.toLowerCase();
      const row = view.get("delegates", [account]);
      view.put("delegates", {
        account,
        delegate: event.args.toDelegate.toLowerCase(),
        voting_power: row?.voting_power ?? "0",
      });
      return;
    }
    case "DelegateVotesChanged": {
      // The event carries the new total, so the read model never accumulates rounding or ordering errors.
      const account = event.args.delegate.toLowerCase();
      const row = view.get("delegates", [account]);
      view.put("delegates", { account, delegate: row?.delegate ?? null, voting_power: event.args.newVotes });
      return;
    }
    default:
      // Approvals and EIP-712 domain changes feed no read model.
      return;
  }
}
