import { useState } from "react";
import { usePublicClient, useWalletClient } from "wagmi";

import { RevertedTransactionError, transactionFailure } from "./transaction-failure";
import type { TransactionFailure } from "./transaction-failure";
import { walletChain } from "./wallet-chain";

export type TransactionState =
  | { step: "idle" }
  | { step: "confirming" }
  | { step: "pending"; hash: `0x${string}` }
  | { step: "mined"; hash: `0x${string}` }
  | { step: "failed"; failure: TransactionFailure; hash?: `0x${string}` };

export interface TransactionRequest {
  to: `0x${string}`;
  data: `0x${string}`;
  value?: bigint;
}

/**
 * Sends one transaction from the connected wallet on the marketplace's chain and waits for its receipt, following it
 * through confirming (the wallet asks) → pending (sent) → mined, or failed with the reason a buyer can act on.
 */
export function useSendTransaction() {
  const { data: walletClient } = useWalletClient();
  const publicClient = usePublicClient({ chainId: walletChain.id });
  const [state, setState] = useState<TransactionState>({ step: "idle" });

  /** `onSent` hears the hash as soon as the wallet sent the transaction, before it is mined. */
  async function send(
    request: TransactionRequest,
    options: { onSent?: (hash: `0x${string}`) => void } = {},
  ): Promise<`0x${string}` | undefined> {
    if (walletClient === undefined || publicClient === undefined) return undefined;
    setState({ step: "confirming" });
    let hash: `0x${string}` | undefined;
    try {
      hash = await walletClient.sendTransaction({
        chain: walletChain,
        account: walletClient.account,
        to: request.to,
        data: request.data,
        value: request.value ?? 0n,
      });
      setState({ step: "pending", hash });
      options.onSent?.(hash);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new RevertedTransactionError(hash);
      setState({ step: "mined", hash });
      return hash;
    } catch (error) {
      setState({ step: "failed", failure: transactionFailure(error), hash });
      return undefined;
    }
  }

  return { state, send, reset: () => setState({ step: "idle" }), ready: walletClient !== undefined };
}
