import { useState } from "react";
import { useTranslation } from "react-i18next";

import { LOCAL_CHAIN_ID } from "../../../protocol/local-chain-id";
import type { Account } from "../../../protocol/api/auth";
import { ApiError } from "../api/api-error";
import { useSession } from "../api/session-context";
import { SiweStatus } from "./siwe-status";
import { useSiweProof } from "./use-siwe-proof";
import { walletChain } from "./wallet-chain";
import { WalletConnectButton } from "./wallet-connect-button";
import { WalletProviders } from "./wallet-providers";

type LinkOutcome = "linked" | "alreadyLinked" | "takenByAnother";

const OUTCOME_KEYS: Readonly<Record<LinkOutcome, string>> = {
  linked: "account.walletLinked",
  alreadyLinked: "account.walletAlreadyLinked",
  takenByAnother: "account.walletTaken",
};

interface WalletLinkProps {
  /** The account's wallets now (lower-case addresses). */
  linked: readonly string[];
  onLinked: (account: Account) => void;
}

/**
 * Links the connected wallet to the signed-in account (a SIWE message it signs), inside a page that already holds
 * the wallet providers; WalletLink below is the same with its own providers and connect button.
 */
export function SignAndLink({ linked, onLinked }: WalletLinkProps) {
  const { t } = useTranslation();
  const session = useSession();
  const { state, prove, address } = useSiweProof(t("account.linkStatement"));
  const [outcome, setOutcome] = useState<LinkOutcome | undefined>(undefined);
  if (address === undefined) return null;
  const link = async () => {
    setOutcome(undefined);
    const result = await prove(async (proof): Promise<LinkOutcome> => {
      try {
        const account = await session.request<Account>("/api/account/wallets", { method: "POST", body: proof });
        onLinked(account);
        return linked.includes(address.toLowerCase()) ? "alreadyLinked" : "linked";
      } catch (error) {
        // Another account holds the wallet: a plain answer, not a failed wallet step.
        if (error instanceof ApiError && error.status === 409) return "takenByAnother";
        throw error;
      }
    });
    setOutcome(result);
  };
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={state === "signing" || state === "verifying"}
        onClick={() => void link()}
      >
        {t("account.linkWithWallet")}
      </button>
      <SiweStatus state={state} />
      {outcome !== undefined && (
        <p
          className={outcome === "takenByAnother" ? "error" : "status"}
          role={outcome === "takenByAnother" ? "alert" : "status"}
        >
          {t(OUTCOME_KEYS[outcome])}
        </p>
      )}
    </>
  );
}

/** Links the connected wallet to the signed-in account, proven by a SIWE message it signs. */
export function WalletLink({ linked, onLinked }: WalletLinkProps) {
  const { t } = useTranslation();
  return (
    <WalletProviders>
      {walletChain.id === LOCAL_CHAIN_ID && <p className="hint">{t("wallet.burnerHint")}</p>}
      <div className="wallet-actions">
        <WalletConnectButton showBalance={false} chainStatus="none" />
        <SignAndLink linked={linked} onLinked={onLinked} />
      </div>
    </WalletProviders>
  );
}
