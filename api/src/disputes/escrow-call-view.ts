import { encodeFunctionData } from "viem";
import type { Hex } from "viem";

import { marketplaceEscrowAbi } from "../../../protocol/generated/contracts.js";

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
  const data =
    functionName === "openDispute"
      ? encodeFunctionData({ abi: marketplaceEscrowAbi, functionName, args: [BigInt(escrowOrderId)] })
      : encodeFunctionData({ abi: marketplaceEscrowAbi, functionName, args: [BigInt(escrowOrderId), buyerBps!] });
  return {
    chainId: escrow.chainId,
    to: escrow.address,
    data,
    value: "0",
    from,
    functionName,
    args: buyerBps === undefined ? { orderId: escrowOrderId } : { orderId: escrowOrderId, buyerBps },
  };
}
