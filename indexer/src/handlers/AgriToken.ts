import { zeroAddress } from "viem";

import { MissingEntityError } from "../errors.js";
import type { StoredEvent } from "../stored-event.js";
import type { WriteQueue } from "../write-queue.js";

/** Queues the writes of one AgriToken event to `token_balances` and `delegates`, inside the caller's transaction. */
export function applyAgriTokenEvent(writes: WriteQueue, event: StoredEvent<"AgriToken">): void {
  const { chainId } = event;
  switch (event.eventName) {
    case "Transfer": {
      const from = event.args.from.toLowerCase();
      const to = event.args.to.toLowerCase();
      const { value } = event.args;
      // Mints come from and burns go to address(0), whose balance the token does not track.
      if (from !== zeroAddress) {
        writes.query(
          `UPDATE indexer.token_balances SET balance = balance - $3 WHERE chain_id = $1 AND account = $2`,
          [chainId, from, value],
          ({ rowCount }) => {
            if (rowCount !== 1) throw new MissingEntityError(`Transfer from ${from}, which never received AGRI`);
          },
        );
      }
      if (to !== zeroAddress) {
        writes.query(
          `INSERT INTO indexer.token_balances (chain_id, account, balance) VALUES ($1, $2, $3)
           ON CONFLICT (chain_id, account) DO UPDATE SET balance = token_balances.balance + EXCLUDED.balance`,
          [chainId, to, value],
        );
      }
      return;
    }
    case "DelegateChanged":
      writes.query(
        `INSERT INTO indexer.delegates (chain_id, account, delegate) VALUES ($1, $2, $3)
         ON CONFLICT (chain_id, account) DO UPDATE SET delegate = EXCLUDED.delegate`,
        [chainId, event.args.delegator.toLowerCase(), event.args.toDelegate.toLowerCase()],
      );
      return;
    case "DelegateVotesChanged":
      // The event carries the new total, so the read model never accumulates rounding or ordering errors.
      writes.query(
        `INSERT INTO indexer.delegates (chain_id, account, voting_power) VALUES ($1, $2, $3)
         ON CONFLICT (chain_id, account) DO UPDATE SET voting_power = EXCLUDED.voting_power`,
        [chainId, event.args.delegate.toLowerCase(), event.args.newVotes],
      );
      return;
    default:
      // Approvals and EIP-712 domain changes feed no read model.
      return;
  }
}
