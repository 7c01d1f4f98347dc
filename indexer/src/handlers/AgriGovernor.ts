import { MissingEntityError } from "../errors.js";
import type { StoredEvent } from "../stored-event.js";
import type { WriteQueue } from "../write-queue.js";

/** GovernorCountingSimple's `support` values, as the tally columns they add to. */
const TALLY_COLUMNS = ["against_votes", "for_votes", "abstain_votes"] as const;

/** Queues the writes of one AgriGovernor event to `proposals` and `votes`, inside the caller's transaction. */
export function applyAgriGovernorEvent(writes: WriteQueue, event: StoredEvent<"AgriGovernor">): void {
  const { chainId } = event;
  switch (event.eventName) {
    case "ProposalCreated": {
      const { args } = event;
      writes.query(
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
      writes.query(
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
      updateProposal(writes, event, args.proposalId, `${column} = ${column} + $3`, [args.weight]);
      return;
    }
    case "ProposalQueued":
      updateProposal(writes, event, event.args.proposalId, "queued = true, eta = $3", [event.args.etaSeconds]);
      return;
    case "ProposalExecuted":
      updateProposal(writes, event, event.args.proposalId, "executed = true", []);
      return;
    case "ProposalCanceled":
      updateProposal(writes, event, event.args.proposalId, "canceled = true", []);
      return;
    case "ProposalExtended":
      updateProposal(writes, event, event.args.proposalId, "extended_deadline = $3", [event.args.extendedDeadline]);
      return;
    default:
      // Settings changes (voting delay, period, quorum, timelock) are kept in `events` only.
      return;
  }
}

/** Updates one proposal; `$1, $2` are the chain and the proposal, the caller's values follow from `$3`. */
function updateProposal(
  writes: WriteQueue,
  event: StoredEvent<"AgriGovernor">,
  proposalId: string,
  assignments: string,
  values: unknown[],
): void {
  writes.query(
    `UPDATE indexer.proposals SET ${assignments} WHERE chain_id = $1 AND proposal_id = $2`,
    [event.chainId, proposalId, ...values],
    ({ rowCount }) => {
      if (rowCount !== 1) {
        throw new MissingEntityError(`${event.eventName} for proposal ${proposalId}, which was never created`);
      }
    },
  );
}
