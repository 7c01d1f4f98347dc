import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { createWalletClient, encodeFunctionData, http, parseEther, publicActions } from "viem";
import { useAccount } from "wagmi";

import { mockUSDCAbi } from "../../../protocol/generated/contracts";
import { chainDeployment, walletChain } from "./wallet-chain";

// Hardhat's first dev account. The local node holds its key and signs eth_sendTransaction for it, so the browser
// needs no key at all; on any other chain the account is locked and the faucet is not shown.
const HARDHAT_DEV_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/**
 * Local chain only: sends 10 test ETH and mints 1,000 MockUSDC to the connected account, from the node's unlocked dev
 * account through the local RPC (no API route, so nothing on a server could ever hand out funds).
 */
export function LocalFaucet() {
  const { t } = useTranslation();
  const { address } = useAccount();
  const queryClient = useQueryClient();
  const [state, setState] = useState<"idle" | "sending" | "done" | "failed">("idle");
  const token = chainDeployment?.addresses.MockUSDC;
  if (address === undefined) return null;
  const fund = async () => {
    setState("sending");
    try {
      const client = createWalletClient({
        account: HARDHAT_DEV_ACCOUNT,
        chain: walletChain,
        transport: http(),
        // The local node mines each transaction at once: poll for the receipts often rather than every 4 s.
        pollingInterval: 250,
      }).extend(publicActions);
      const hashes = [await client.sendTransaction({ to: address, value: parseEther("10") })];
      if (token !== undefined) {
        hashes.push(
          await client.sendTransaction({
            to: token,
            data: encodeFunctionData({ abi: mockUSDCAbi, functionName: "mint", args: [address, 1_000_000_000n] }),
          }),
        );
      }
      await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash })));
      setState("done");
      // Balances shown anywhere refresh in the background; nothing waits on them.
      void queryClient.invalidateQueries();
    } catch {
      setState("failed");
    }
  };
  return (
    <div className="faucet">
      <button
        type="button"
        className="button button-secondary"
        disabled={state === "sending"}
        onClick={() => void fund()}
      >
        {t("tx.faucet")}
      </button>
      {state === "done" && (
        <p className="status" role="status">
          {t("tx.faucetDone")}
        </p>
      )}
      {state === "failed" && (
        <p className="error" role="alert">
          {t("tx.faucetFailed")}
        </p>
      )}
    </div>
  );
}
