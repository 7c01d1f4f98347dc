import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { WalletConnectButton } from "../wallet/wallet-connect-button";

/** The governance section's sub-navigation and wallet connection. */
export function WalletBar() {
  const { t } = useTranslation();
  return (
    <div className="gov-bar">
      <nav aria-label={t("governance.nav")}>
        <Link to="/governance">{t("governance.home.title")}</Link> ·{" "}
        <Link to="/governance/proposals/new">{t("governance.builder.title")}</Link>
      </nav>
      <WalletConnectButton showBalance={false} chainStatus="none" />
    </div>
  );
}
