import { useTranslation } from "react-i18next";
import { encodeFunctionData, formatUnits } from "viem";
import { useAccount, useReadContract } from "wagmi";

import { marketplaceEscrowAbi } from "../../../protocol/generated/contracts";
import { TxStatus } from "./tx-status";
import { useSendTransaction } from "./use-send-transaction";
import { walletChain } from "./wallet-chain";

// MockUSDC's decimals. The generated deployment file names no other stablecoin yet, so credits are read in it.
const TOKEN_DECIMALS = 6;

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
  if (address === undefined || credit.data === undefined) return null;
  const withdraw = async () => {
    const hash = await tx.send({
      to: escrow,
      data: encodeFunctionData({ abi: marketplaceEscrowAbi, functionName: "withdraw", args: [token, address] }),
    });
    if (hash !== undefined) await credit.refetch();
  };
  return (
    <div className="credits">
      <p>{t("escrow.credit", { amount: formatUnits(credit.data, TOKEN_DECIMALS) })}</p>
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
