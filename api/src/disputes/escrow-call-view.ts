import type { Hex } from "viem";

import { contractCallJson } from "../../../protocol/contract-call.js";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls.js";

/** A transaction for a wallet to send to the escrow, encoded, with what it means. */
export interface EscrowCallView {
  chainId: number;
  to: Hex;
  data: Hex;
  value: "0";
  /** The wallet that must send it, when the API knows it (the order's buyer or seller); null for the arbiter's. */
  from: Hex | null;
  functionName: "openDispute" | "rule";
  args: { orderId: string; buyerBps?: number };
}

/** The escrow's `openDispute` or `rule` call over one escrow order, for the party's or the arbiter's wallet. */
export function escrowCallView(
  escrow: { chainId: number; address: Hex } | undefined,
  functionName: "openDispute" | "rule",
  escrowOrderId: string,
  from: Hex | null,
  buyerBps?: number,
): EscrowCallView {
  if (escrow === undefined) throw new Error("an escrow order without a configured escrow");
  const orderId = BigInt(escrowOrderId);
  const call =
    functionName === "openDispute"
      ? escrowCalls.openDispute(escrow.address, orderId)
      : escrowCalls.rule(escrow.address, orderId, buyerBps!);
  return { chainId: escrow.chainId, ...contractCallJson(call), from };
}
