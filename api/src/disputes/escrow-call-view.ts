import type { Hex } from "viem";

import type { EscrowCallView } from "../../../protocol/api/disputes.js";
import { contractCallJson } from "../../../protocol/contract-call.js";
import { escrowCalls } from "../../../protocol/escrow/escrow-calls.js";

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
