import "./governance.css";

import { Route, Routes } from "react-router";

import { QueryState } from "../components/query-state";
import { WalletProviders } from "../wallet/wallet-providers";
import { GovernanceHomePage } from "./governance-home-page";
import { NewProposalPage } from "./new-proposal-page";
import { ProposalPage } from "./proposal-page";
import { useGovernanceCatalog } from "./use-governance-catalog";
import { useGovernanceLive } from "./use-governance-live";
import { WalletBar } from "./wallet-bar";

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
