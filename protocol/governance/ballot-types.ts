/**
 * The EIP-712 types of the governor's vote signatures (Governor.BALLOT_TYPEHASH and EXTENDED_BALLOT_TYPEHASH): what
 * the web signs and the relayer verifies; a vote with a reason needs the extended one.
 */
export const BALLOT_TYPES = {
  Ballot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
  ExtendedBallot: [
    { name: "proposalId", type: "uint256" },
    { name: "support", type: "uint8" },
    { name: "voter", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "reason", type: "string" },
    { name: "params", type: "bytes" },
  ],
} as const;
