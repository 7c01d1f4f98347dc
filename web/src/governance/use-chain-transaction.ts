import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Hex } from "viem";
import { usePublicClient } from "wagmi";

import { GOVERNANCE_KEY } from "./use-governance-queries";

export type TransactionState =
  | { status: "idle" }
  | { status: "signing" }
  | { status: "pending"; hash: Hex }
  | { status: "done"; hash: Hex }
  | { status: "failed"; message: string };

/**
 * Runs one wallet action (a transaction or a signature that the API relays), follows it until the chain has mined
 * it, then refetches the governance queries. `state` is what the UI shows; `run` resolves true on success.
 */
export function useChainTransaction() {
  const client = usePublicClient();
  const queryClient = useQueryClient();
  const [state, setState] = useState<TransactionState>({ status: "idle" });

  async function run(send: () => Promise<Hex>): Promise<boolean> {
    setState({ status: "signing" });
    try {
      const hash = await send();
      setState({ status: "pending", hash });
      const receipt = await client!.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`Transaction ${hash} reverted`);
      setState({ status: "done", hash });
      await queryClient.invalidateQueries({ queryKey: [GOVERNANCE_KEY] });
      return true;
    } catch (error) {
      const message =
        error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : "";
      setState({ status: "failed", message });
      return false;
    }
  }

  return { state, run, busy: state.status === "signing" || state.status === "pending" };
}
