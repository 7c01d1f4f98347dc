import "@rainbow-me/rainbowkit/styles.css";

import { ConnectButton, RainbowKitProvider } from "@rainbow-me/rainbowkit";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { WagmiProvider } from "wagmi";

import { useSession } from "../hooks/session-context";
import { useSiweSignIn } from "./use-siwe-sign-in";
import { wagmiConfig } from "./wagmi-config";
import { LOCAL_CHAIN_ID, chainDeployment, walletChain } from "./wallet-chain";

const STATE_KEYS = {
  idle: undefined,
  signing: "wallet.signing",
  verifying: "wallet.verifying",
  rejected: "wallet.rejected",
  failed: "wallet.failed",
} as const;

function SiweButton() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const { state, signIn, address } = useSiweSignIn(t("wallet.statement"));
  if (address === undefined) return null;
  const message = STATE_KEYS[state];
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={state === "signing" || state === "verifying"}
        onClick={() =>
          void signIn().then(async (signedIn) => {
            if (signedIn === undefined) return;
            await session.signIn(signedIn);
            await navigate("/account");
          })
        }
      >
        {t("wallet.signIn")}
      </button>
      {message !== undefined && (
        <p className={state === "rejected" || state === "failed" ? "error" : "status"} role="status">
          {t(message)}
        </p>
      )}
    </>
  );
}

/** The wallet stack (wagmi, RainbowKit) and SIWE sign-in; only this lazily loaded module imports them. */
export function WalletSignIn() {
  const { t } = useTranslation();
  return (
    <WagmiProvider config={wagmiConfig}>
      <RainbowKitProvider locale="en-US" initialChain={walletChain}>
        <section className="narrow">
          <h1>{t("wallet.title")}</h1>
          <p>{t("wallet.intro")}</p>
          {walletChain.id === LOCAL_CHAIN_ID && <p className="hint">{t("wallet.burnerHint")}</p>}
          <div className="wallet-actions">
            <ConnectButton showBalance={false} chainStatus="name" />
            <SiweButton />
          </div>
          <p className="hint">
            {chainDeployment?.addresses.MarketplaceEscrow === undefined
              ? t("wallet.notDeployed", { chain: walletChain.name })
              : t("wallet.deployed", { chain: walletChain.name, address: chainDeployment.addresses.MarketplaceEscrow })}
          </p>
        </section>
      </RainbowKitProvider>
    </WagmiProvider>
  );
}
