import "./wallet-connect-button.css";

import { ConnectButton } from "@rainbow-me/rainbowkit";
import type { ComponentProps } from "react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAccount } from "wagmi";

/**
 * RainbowKit's connect button, offered only once wagmi's reconnect of the page's wallets has settled. The reconnect
 * ends by setting `disconnected` whenever the status is still `connecting`, and a connect started meanwhile from the
 * button is `connecting` too: the wallet chosen then could be dropped. A browser wallet that is slow to answer (its
 * extension waking up) holds the reconnect for seconds.
 */
export function WalletConnectButton(props: ComponentProps<typeof ConnectButton>) {
  const { t } = useTranslation();
  const { status } = useAccount();
  const reconnecting = status === "reconnecting" || status === "connecting";
  // Latched: once settled, a connect the user starts (`connecting` again) keeps its button and dialog.
  const [settled, setSettled] = useState(!reconnecting);
  if (!settled && !reconnecting) setSettled(true);
  if (!settled) {
    return (
      <span className="hint wallet-reconnecting" role="status">
        {t("wallet.reconnecting")}
      </span>
    );
  }
  return <ConnectButton {...props} />;
}
