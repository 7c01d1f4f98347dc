import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { LOCAL_CHAIN_ID } from "../../../protocol/local-chain-id";
import type { SignedIn } from "../../../protocol/api/auth";
import { requestJson } from "../api/request-json";
import { useSession } from "../api/session-context";
import { SiweStatus } from "./siwe-status";
import { useSiweProof } from "./use-siwe-proof";
import { chainDeployment, walletChain } from "./wallet-chain";
import { WalletConnectButton } from "./wallet-connect-button";
import { WalletProviders } from "./wallet-providers";

function SiweButton() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const { state, prove, address } = useSiweProof(t("wallet.statement"));
  if (address === undefined) return null;
  const signIn = async () => {
    const signedIn = await prove((proof) =>
      requestJson<SignedIn>("/api/auth/siwe/verify", { method: "POST", body: proof }),
    );
    if (signedIn === undefined) return;
    await session.signIn(signedIn);
    await navigate("/account");
  };
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={state === "signing" || state === "verifying"}
        onClick={() => void signIn()}
      >
        {t("wallet.signIn")}
      </button>
      <SiweStatus state={state} />
    </>
  );
}

/** The wallet stack (wagmi, RainbowKit) and SIWE sign-in; only lazily loaded modules import them. */
export function WalletSignIn() {
  const { t } = useTranslation();
  return (
    <WalletProviders>
      <section className="narrow">
        <h1>{t("wallet.title")}</h1>
        <p>{t("wallet.intro")}</p>
        {walletChain.id === LOCAL_CHAIN_ID && <p className="hint">{t("wallet.burnerHint")}</p>}
        <div className="wallet-actions">
          <WalletConnectButton showBalance={false} chainStatus="name" />
          <SiweButton />
        </div>
        <p className="hint">
          {chainDeployment?.addresses.MarketplaceEscrow === undefined
            ? t("wallet.notDeployed", { chain: walletChain.name })
            : t("wallet.deployed", { chain: walletChain.name, address: chainDeployment.addresses.MarketplaceEscrow })}
        </p>
      </section>
    </WalletProviders>
  );
}
