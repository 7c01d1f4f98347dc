import { MissingEntityError } from "../errors.js";
import { want } from "../read-model-view.js";
import type { ReadModelView, Row, WantedRows } from "../read-model-view.js";
import type { StoredEvent } from "../stored-event.js";

/** GovernorCountingSimple's `support` values, as the tally columns they add to. */
const TALLY_COLUMNS = ["against_votes", "for_votes", "abstain_votes"] as const;

/** Records the read-model rows a batch of AgriGovernor events reads: the proposals they change. */
export function wantAgriGovernorRows(wanted: WantedRows, events: readonly StoredEvent<"AgriGovernor">[]): void {
  for (const event of events) {
    switch (event.eventName) {
      case "VoteCast":
      case "VoteCastWithParams":
      case "ProposalQueued":
      case "ProposalExecuted":
      case "ProposalCanceled":
      case "ProposalExtended":
        want(wanted, "proposals", [event.args.proposalId]);
        break;
      default:
        break;
    }
  }
}

/** Applies one AgriGovernor event to `proposals` and `votes` in `view`. */
export function applyAgriGovernorEvent(view: ReadModelView, event: StoredEvent<"AgriGovernor">): void {
  switch (event.eventName) {
    case "ProposalCreated": {
      const { args } = event;
      view.create("proposals", {
        proposal_id: args.proposalId,
        proposer: args.proposer.toLowerCase(),
        targets: args.targets.map((target) => target.toLowerCase()),
        values: args.values,
        signatures: args.signatures,
        calldatas: args.calldatas,
        description: args.description,
        vote_start: args.voteStart,
        vote_end: args.voteEnd,
        extended_deadline: null,
        for_votes: "0",
        against_votes: "0",
        abstain_votes: "0",
        eta: null,
        queued: false,
        executed: false,
        canceled: false,
        created_block: event.blockNumber.toString(),
        created_tx: event.transactionHash,
      });
      return;
    }
    case "VoteCast":
    case "VoteCastWithParams": {
      const { args } = event;
      view.append("votes", {
        proposal_id: args.proposalId,
        voter: args.voter.toLowerCase(),
        support: args.support,
        weight: args.weight,
        reason: args.reason,
        params: "params" in args ? args.params : null,
        block_number: event.blockNumber.toString(),
        tx_hash: event.transactionHash,
        log_index: event.logIndex,
      });
      const column = TALLY_COLUMNS[args.support];
      updateProposal(view, event, args.proposalId, (proposal) => ({
        [column]: (BigInt(String(proposal[column])) + BigInt(args.weight)).toString(),
      }));
      return;
    }
    case "ProposalQueued":
      updateProposal(view, event, event.args.proposalId, () => ({ queued: true, eta: event.args.etaSeconds }));
      return;
    case "ProposalExecuted":
      updateProposal(view, event, event.args.proposalId, () => ({ executed: true }));
      return;
    case "ProposalCanceled":
      updateProposal(view, event, event.args.proposalId, () => ({ canceled: true }));
      return;
    case "ProposalExtended":
      updateProposal(view, event, event.args.proposalId, () => ({ extended_deadline: event.args.extendedDeadline }));
      return;
    default:
      // Settings changes (voting delay, period, quorum, timelock) are kept in `events` only.
      return;
  }
}

/** Applies `changes` (computed from the proposal as it was) to one proposal. */
function updateProposal(
  view: ReadModelView,
  event: StoredEvent<"AgriGovernor">,
  proposalId: string,
  changes: (proposal: Row) => Row,
): void {
  const proposal = view.get("proposals", [proposalId]);
  if (proposal === undefined) {
    throw new MissingEntityError(`${event.eventName} for proposal ${proposalId}, which was never created`);
  }
  view.put("proposals", { ...proposal, ...changes(proposal) });
}
