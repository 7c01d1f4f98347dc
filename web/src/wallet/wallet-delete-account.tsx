import { useTranslation } from "react-i18next";

import { SiweStatus } from "./siwe-status";
import { useSiweProof } from "./use-siwe-proof";
import type { SiweProof } from "./use-siwe-proof";
import { WalletConnectButton } from "./wallet-connect-button";
import { WalletProviders } from "./wallet-providers";

function SignAndDelete({ onProof }: { onProof: (proof: SiweProof) => Promise<void> }) {
  const { t } = useTranslation();
  const { state, prove, address } = useSiweProof(t("account.deleteStatement"));
  if (address === undefined) return null;
  return (
    <>
      <button
        type="button"
        className="button button-danger"
        disabled={state === "signing" || state === "verifying"}
        onClick={() => void prove(onProof)}
      >
        {t("account.deleteWithWallet")}
      </button>
      <SiweStatus state={state} />
    </>
  );
}

/** Confirms an account deletion with a message signed by one of the account's wallets (accounts without a password). */
export function WalletDeleteAccount({ onProof }: { onProof: (proof: SiweProof) => Promise<void> }) {
  return (
    <WalletProviders>
      <div className="wallet-actions">
        <WalletConnectButton showBalance={false} chainStatus="none" />
        <SignAndDelete onProof={onProof} />
      </div>
    </WalletProviders>
  );
}
