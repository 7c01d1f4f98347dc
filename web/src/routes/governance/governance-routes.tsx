import "../../components/governance/governance.css";

import { Route, Routes } from "react-router";

import { WalletBar } from "../../components/governance/wallet-bar";
import { QueryState } from "../../components/query-state";
import { useGovernanceCatalog } from "../../hooks/governance/use-governance-catalog";
import { useGovernanceLive } from "../../hooks/governance/use-governance-live";
import { WalletProviders } from "../../wallet/wallet-providers";
import { GovernanceHomePage } from "./governance-home-page";
import { NewProposalPage } from "./new-proposal-page";
import { ProposalPage } from "./proposal-page";

/** The DAO's pages under /governance, inside the wallet stack (this whole chunk loads only when someone opens them). */
export default function GovernanceRoutes() {
  useGovernanceLive();
  const translated = useGovernanceCatalog();
  if (!translated) return <QueryState error={undefined} />;
  return (
    <WalletProviders>
      <WalletBar />
      <Routes>
        <Route index element={<GovernanceHomePage />} />
        <Route path="proposals/new" element={<NewProposalPage />} />
        <Route path="proposals/:id" element={<ProposalPage />} />
      </Routes>
    </WalletProviders>
  );
}
