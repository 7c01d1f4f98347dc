import type { DisputeParty, DisputeStatus } from "../../../protocol/vocabulary/order-vocabulary";

/** The translation key of each dispute status. */
export const DISPUTE_STATUS_KEYS: Readonly<Record<DisputeStatus, string>> = {
  open: "disputes.status.open",
  ruled: "disputes.status.ruled",
  settled: "disputes.status.settled",
  withdrawn: "disputes.status.withdrawn",
};

/** The translation key naming each side of a dispute. */
export const PARTY_KEYS: Readonly<Record<DisputeParty, string>> = {
  buyer: "disputes.party.buyer",
  farmer: "disputes.party.farmer",
  arbiter: "disputes.party.arbiter",
};
