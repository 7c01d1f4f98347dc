import { useTranslation } from "react-i18next";
import { erc20Abi, formatUnits } from "viem";
import { useAccount, useReadContract } from "wagmi";

import { escrowCalls } from "../../../protocol/escrow/escrow-calls";
import { marketplaceEscrowAbi } from "../../../protocol/generated/contracts";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { walletChain } from "./wallet-chain";

/** What the escrow holds for the connected wallet (sales, refunds, dispute shares) and the button that withdraws it. */
export function EscrowCredits({ escrow, token }: { escrow: `0x${string}`; token: `0x${string}` }) {
  const { t } = useTranslation();
  const { address } = useAccount();
  const tx = useSendTransaction();
  const credit = useReadContract({
    address: escrow,
    abi: marketplaceEscrowAbi,
    functionName: "creditOf",
    args: address === undefined ? undefined : [address, token],
    chainId: walletChain.id,
    query: { enabled: address !== undefined },
  });
  // The stablecoin's own decimals, as the chain has them: the units credits are counted in.
  const decimals = useReadContract({
    address: token,
    abi: erc20Abi,
    functionName: "decimals",
    chainId: walletChain.id,
  });
  if (address === undefined || credit.data === undefined || decimals.data === undefined) return null;
  const withdraw = async () => {
    const hash = await tx.send(escrowCalls.withdraw(escrow, token, address));
    if (hash !== undefined) await credit.refetch();
  };
  return (
    <div className="credits">
      <p>{t("escrow.credit", { amount: formatUnits(credit.data, decimals.data) })}</p>
      {credit.data > 0n && (
        <button
          type="button"
          className="button"
          disabled={tx.state.step === "confirming" || tx.state.step === "pending"}
          onClick={() => void withdraw()}
        >
          {t("escrow.withdraw")}
        </button>
      )}
      <TxStatus state={tx.state} />
    </div>
  );
}
