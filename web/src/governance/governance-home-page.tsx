import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useAccount } from "wagmi";

import type { ProposalState } from "../../../protocol/governance/proposal-states";
import { QueryState } from "../components/query-state";
import { DelegatePanel } from "./delegate-panel";
import { QuorumBar } from "./quorum-bar";
import { STATE_KEYS, StateBadge } from "./state-badge";
import { useAgri } from "./use-agri";
import { useDuration } from "./use-duration";
import { useGovernanceAccount, useGovernanceParameters, useProposals } from "./use-governance-queries";
import { useTreasury } from "./use-treasury";

const FILTERS: readonly ProposalState[] = [
  "pending",
  "active",
  "succeeded",
  "queued",
  "executed",
  "defeated",
  "canceled",
];

/** Governance home: parameters in force, the treasury, the visitor's voting power and delegate, and the proposals. */
export function GovernanceHomePage() {
  const { t } = useTranslation();
  const id = useId();
  const agri = useAgri();
  const duration = useDuration();
  const [filter, setFilter] = useState<ProposalState | undefined>(undefined);
  const parameters = useGovernanceParameters();
  const proposals = useProposals(filter);
  const treasury = useTreasury(parameters.data);
  const { address } = useAccount();
  const account = useGovernanceAccount(address);

  return (
    <section className="gov-page">
      <h1>{t("governance.home.title")}</h1>
      <p>{t("governance.home.intro")}</p>

      <div className="gov-grid">
        <section className="gov-card" aria-labelledby={`${id}-params`}>
          <h2 id={`${id}-params`}>{t("governance.home.parameters")}</h2>
          {parameters.data === undefined ? (
            <QueryState error={parameters.error} />
          ) : (
            <dl className="facts">
              <dt>{t("governance.params.fee")}</dt>
              <dd data-testid="platform-fee">
                {parameters.data.platform.terms === null
                  ? t("governance.params.unknown")
                  : `${(parameters.data.platform.terms.feeBps / 100).toFixed(2)}%`}
              </dd>
              {parameters.data.platform.terms !== null && (
                <>
                  <dt>{t("governance.params.shipWindow")}</dt>
                  <dd>{duration(parameters.data.platform.terms.shipWindow)}</dd>
                  <dt>{t("governance.params.confirmWindow")}</dt>
                  <dd>{duration(parameters.data.platform.terms.confirmWindow)}</dd>
                  <dt>{t("governance.params.arbitrationTimeout")}</dt>
                  <dd>{duration(parameters.data.platform.terms.arbitrationTimeout)}</dd>
                </>
              )}
              <dt>{t("governance.params.votingDelay")}</dt>
              <dd>{duration(parameters.data.governor.votingDelay)}</dd>
              <dt>{t("governance.params.votingPeriod")}</dt>
              <dd>{duration(parameters.data.governor.votingPeriod)}</dd>
              <dt>{t("governance.params.threshold")}</dt>
              <dd>{agri(parameters.data.governor.proposalThreshold)}</dd>
              <dt>{t("governance.params.quorum")}</dt>
              <dd>{agri(parameters.data.governor.quorum)}</dd>
              <dt>{t("governance.params.timelockDelay")}</dt>
              <dd>{duration(parameters.data.governor.timelockDelay)}</dd>
              <dt>{t("governance.params.arbiters")}</dt>
              <dd>{parameters.data.platform.arbiters.length}</dd>
              <dt>{t("governance.params.paused")}</dt>
              <dd>{parameters.data.platform.paused ? t("governance.params.yes") : t("governance.params.no")}</dd>
            </dl>
          )}
        </section>

        <section className="gov-card" aria-labelledby={`${id}-treasury`}>
          <h2 id={`${id}-treasury`}>{t("governance.home.treasury")}</h2>
          {treasury.data === undefined ? (
            <QueryState error={treasury.error} />
          ) : (
            <ul className="gov-list">
              {treasury.data.map((asset) => (
                <li key={asset.token ?? "ETH"}>{agri(asset.balance, asset.symbol, asset.decimals)}</li>
              ))}
            </ul>
          )}
        </section>

        {address === undefined ? (
          <section className="gov-card">
            <h2>{t("governance.delegate.title")}</h2>
            <p>{t("governance.home.connect")}</p>
          </section>
        ) : account.data === undefined || parameters.data === undefined ? (
          <QueryState error={account.error ?? parameters.error} />
        ) : (
          <DelegatePanel account={account.data} token={parameters.data.governor.token} />
        )}
      </div>

      <div className="gov-heading-row">
        <h2>{t("governance.home.proposals")}</h2>
        <Link className="button" to="/governance/proposals/new">
          {t("governance.home.newProposal")}
        </Link>
      </div>
      <div className="field">
        <label htmlFor={`${id}-filter`}>{t("governance.home.filter")}</label>
        <select
          id={`${id}-filter`}
          value={filter ?? ""}
          onChange={(event) => setFilter(event.target.value === "" ? undefined : (event.target.value as ProposalState))}
        >
          <option value="">{t("governance.home.allStates")}</option>
          {FILTERS.map((state) => (
            <option key={state} value={state}>
              {t(STATE_KEYS[state])}
            </option>
          ))}
        </select>
      </div>
      {proposals.data === undefined ? (
        <QueryState error={proposals.error} />
      ) : proposals.data.items.length === 0 ? (
        <p>{t("governance.home.noProposals")}</p>
      ) : (
        <ul className="gov-proposals">
          {proposals.data.items.map((proposal) => (
            <li key={proposal.id} className="gov-card">
              <div className="gov-heading-row">
                <Link to={`/governance/proposals/${proposal.id}`} className="gov-proposal-title">
                  {proposal.title}
                </Link>
                <StateBadge state={proposal.state} />
              </div>
              <QuorumBar proposal={proposal} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
