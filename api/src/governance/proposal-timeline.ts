import type { z } from "zod";

import type { proposalDetail } from "../../../protocol/api/governance.js";
import type { ProposalSummary } from "./proposal-summary.js";

export type ProposalTimelineEntry = z.input<typeof proposalDetail>["timeline"][number];

/** A proposal's life in time order: its governor events, and the vote opening and closing the clock has passed. */
export function proposalTimeline(
  events: { event_name: string; block_timestamp: string; tx_hash: string }[],
  summary: ProposalSummary,
  now: bigint,
): ProposalTimelineEntry[] {
  const kinds: Record<string, ProposalTimelineEntry["kind"]> = {
    ProposalCreated: "created",
    ProposalExtended: "voting_extended",
    ProposalQueued: "queued",
    ProposalExecuted: "executed",
    ProposalCanceled: "canceled",
  };
  const entries: ProposalTimelineEntry[] = events.map((event) => ({
    kind: kinds[event.event_name],
    at: event.block_timestamp,
    txHash: event.tx_hash,
  }));
  // The clock opens a vote the moment after its start and closes it the moment after its end (see proposalState).
  const canceledAt = entries.find((entry) => entry.kind === "canceled")?.at;
  const clock = (kind: ProposalTimelineEntry["kind"], at: string) => {
    if (BigInt(at) < now && (canceledAt === undefined || BigInt(at) < BigInt(canceledAt))) {
      entries.push({ kind, at, txHash: null });
    }
  };
  clock("voting_started", summary.voteStart);
  clock("voting_ended", summary.voteEnd);
  const order = (entry: ProposalTimelineEntry) => BigInt(entry.at);
  return entries.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}
