import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useAccount, useBytecode, useSwitchChain } from "wagmi";

import { LOCAL_CHAIN_ID } from "../../../protocol/local-chain-id";
import { LocalFaucet } from "./local-faucet";
import { walletChain } from "./wallet-chain";
import { WalletConnectButton } from "./wallet-connect-button";

/**
 * Shows `children` (the buttons that send transactions) only once they can work: a wallet is connected, it is on the
 * marketplace's chain (offering to switch otherwise), and the escrow has code there. A local chain restarted after
 * the deployment file was written has no contract at that address; sending would fail in confusing ways.
 */
export function ChainGuard({
  escrowAddress,
  children,
}: {
  escrowAddress: `0x${string}` | undefined;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { address, chainId } = useAccount();
  const { switchChain, isPending, error } = useSwitchChain();
  const code = useBytecode({
    address: escrowAddress,
    chainId: walletChain.id,
    query: { enabled: escrowAddress !== undefined },
  });
  const local = walletChain.id === LOCAL_CHAIN_ID;
  if (address === undefined) {
    return (
      <div className="wallet-actions">
        <p>{t("tx.connectFirst")}</p>
        {local && <p className="hint">{t("wallet.burnerHint")}</p>}
        <WalletConnectButton showBalance={false} chainStatus="name" />
      </div>
    );
  }
  if (chainId !== walletChain.id) {
    return (
      <div className="wallet-actions" role="alert">
        <p className="error">{t("tx.wrongNetwork", { chain: walletChain.name })}</p>
        <button
          type="button"
          className="button"
          disabled={isPending}
          onClick={() => switchChain({ chainId: walletChain.id })}
        >
          {t("tx.switchNetwork", { chain: walletChain.name })}
        </button>
        {error !== null && <p className="error">{t("tx.switchFailed")}</p>}
      </div>
    );
  }
  if (escrowAddress === undefined) {
    return (
      <p className="error" role="alert">
        {t("wallet.notDeployed", { chain: walletChain.name })}
      </p>
    );
  }
  // wagmi answers null for an address without code (viem: undefined; the raw RPC: "0x").
  if (code.isSuccess && (code.data ?? "0x") === "0x") {
    return (
      <p className="error" role="alert">
        {t("tx.staleDeployment")}
      </p>
    );
  }
  return (
    <>
      <div className="wallet-actions">
        <WalletConnectButton showBalance={local} chainStatus="name" />
        {local && <LocalFaucet />}
      </div>
      {code.isSuccess ? children : null}
    </>
  );
}
