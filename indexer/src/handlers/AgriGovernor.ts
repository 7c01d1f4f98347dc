import type { ClientBase } from "pg";

import { MissingEntityError } from "../errors.js";
import type { StoredEvent } from "../stored-event.js";

/** GovernorCountingSimple's `support` values, as the tally columns they add to. */
const TALLY_COLUMNS = ["against_votes", "for_votes", "abstain_votes"] as const;

/** Applies one AgriGovernor event to `proposals` and `votes`, inside the caller's transaction. */
export async function applyAgriGovernorEvent(client: ClientBase, event: StoredEvent<"AgriGovernor">): Promise<void> {
  const { chainId } = event;
  switch (event.eventName) {
    case "ProposalCreated": {
      const { args } = event;
      await client.query(
        `INSERT INTO indexer.proposals (chain_id, proposal_id, proposer, targets, "values", signatures, calldatas,
           description, vote_start, vote_end, created_block, created_tx)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          chainId,
          args.proposalId,
          args.proposer.toLowerCase(),
          args.targets.map((target) => target.toLowerCase()),
          args.values,
          args.signatures,
          args.calldatas,
          args.description,
          args.voteStart,
          args.voteEnd,
          event.blockNumber.toString(),
          event.transactionHash,
        ],
      );
      return;
    }
    case "VoteCast":
    case "VoteCastWithParams": {
      const { args } = event;
      const params = "params" in args ? args.params : null;
      await client.query(
        `INSERT INTO indexer.votes (chain_id, proposal_id, voter, support, weight, reason, params, block_number,
           tx_hash, log_index)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          chainId,
          args.proposalId,
          args.voter.toLowerCase(),
          args.support,
          args.weight,
          args.reason,
          params,
          event.blockNumber.toString(),
          event.transactionHash,
          event.logIndex,
        ],
      );
      const column = TALLY_COLUMNS[args.support];
      await updateProposal(client, event, args.proposalId, `${column} = ${column} + $3`, [args.weight]);
      return;
    }
    case "ProposalQueued":
      await updateProposal(client, event, event.args.proposalId, "queued = true, eta = $3", [event.args.etaSeconds]);
      return;
    case "ProposalExecuted":
      await updateProposal(client, event, event.args.proposalId, "executed = true", []);
      return;
    case "ProposalCanceled":
      await updateProposal(client, event, event.args.proposalId, "canceled = true", []);
      return;
    case "ProposalExtended":
      await updateProposal(client, event, event.args.proposalId, "extended_deadline = $3", [
        event.args.extendedDeadline,
      ]);
      return;
    default:
      // Settings changes (voting delay, period, quorum, timelock) are kept in `events` only.
      return;
  }
}

/** Updates one proposal; `$1, $2` are the chain and the proposal, the caller's values follow from `$3`. */
async function updateProposal(
  client: ClientBase,
  event: StoredEvent<"AgriGovernor">,
  proposalId: string,
  assignments: string,
  values: unknown[],
) {
  const { rowCount } = await client.query(
    `UPDATE indexer.proposals SET ${assignments} WHERE chain_id = $1 AND proposal_id = $2`,
    [event.chainId, proposalId, ...values],
  );
  if (rowCount !== 1) {
    throw new MissingEntityError(`${event.eventName} for proposal ${proposalId}, which was never created`);
  }
}
