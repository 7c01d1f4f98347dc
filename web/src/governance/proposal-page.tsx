import { useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { useAccount } from "wagmi";

import type { ProposalDetail } from "../../../protocol/api/governance";
import { agriGovernorAbi } from "../../../protocol/generated/contracts";
import { governorCalls } from "../../../protocol/governance/governor-calls";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { MarkdownView } from "./markdown-view";
import { QuorumBar, SUPPORT_KEYS } from "./quorum-bar";
import { StateBadge } from "./state-badge";
import { TransactionStatus } from "./transaction-status";
import { useAgri } from "./use-agri";
import { useChainTransaction } from "./use-chain-transaction";
import { useSendContractCall } from "./use-send-contract-call";
import { useGovernanceAccount, useGovernanceParameters, useProposal, useProposalVotes } from "./use-governance-queries";
import { VotePanel } from "./vote-panel";

const TIMELINE_KEYS: Record<string, string> = {
  created: "governance.timeline.created",
  voting_started: "governance.timeline.voting_started",
  voting_extended: "governance.timeline.voting_extended",
  voting_ended: "governance.timeline.voting_ended",
  queued: "governance.timeline.queued",
  executed: "governance.timeline.executed",
  canceled: "governance.timeline.canceled",
};

/** The chain's clock now, from the time the API computed the state at plus what has passed since. */
function useChainNow(asOf: string | undefined, fetchedAt: number): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return asOf === undefined ? undefined : Number(asOf) + Math.max(0, Math.floor((now - fetchedAt) / 1_000));
}

function QueueAndExecute({
  proposal,
  governor,
  chainNow,
}: {
  proposal: ProposalDetail;
  governor: `0x${string}`;
  chainNow: number;
}) {
  const { t } = useTranslation();
  const sendCall = useSendContractCall(agriGovernorAbi);
  const transaction = useChainTransaction();
  const calls = {
    targets: proposal.actions.map((action) => action.target),
    values: proposal.actions.map((action) => BigInt(action.value)),
    calldatas: proposal.actions.map((action) => action.calldata),
    description: proposal.description,
  };
  if (proposal.state === "succeeded") {
    return (
      <section className="gov-card">
        <p>{t("governance.proposal.queueExplained")}</p>
        <button
          type="button"
          className="button"
          disabled={transaction.busy}
          onClick={() => void transaction.run(() => sendCall(governorCalls.queue(governor, calls)))}
        >
          {t("governance.proposal.queue")}
        </button>
        <TransactionStatus state={transaction.state} />
      </section>
    );
  }
  if (proposal.state !== "queued" || proposal.eta === null) return null;
  const remaining = Number(proposal.eta) - chainNow;
  const ready = proposal.executable || remaining < 0;
  return (
    <section className="gov-card">
      <p role="timer" aria-live="off">
        {ready
          ? t("governance.proposal.executable")
          : t("governance.proposal.countdown", {
              time: `${Math.floor(remaining / 60)}:${String(remaining % 60).padStart(2, "0")}`,
            })}
      </p>
      <button
        type="button"
        className="button"
        disabled={!ready || transaction.busy}
        onClick={() => void transaction.run(() => sendCall(governorCalls.execute(governor, calls)))}
      >
        {t("governance.proposal.execute")}
      </button>
      <TransactionStatus state={transaction.state} />
    </section>
  );
}

/** One proposal: description, decoded actions, live tallies and quorum, voting, the votes, the timeline, queue/execute. */
export function ProposalPage() {
  const { t } = useTranslation();
  const id = useId();
  const agri = useAgri();
  const format = useFormat();
  const { id: proposalId = "" } = useParams();
  const proposal = useProposal(proposalId);
  const votes = useProposalVotes(proposalId);
  const parameters = useGovernanceParameters();
  const { address } = useAccount();
  const account = useGovernanceAccount(address);
  const chainNow = useChainNow(proposal.data?.asOf, proposal.dataUpdatedAt);

  if (proposal.data === undefined || parameters.data === undefined || chainNow === undefined) {
    return <QueryState error={proposal.error ?? parameters.error} />;
  }
  const data = proposal.data;
  const governor = parameters.data.governor.address;
  const time = (seconds: string) => new Date(Number(seconds) * 1_000).toLocaleString(format.locale);
  const voted = votes.data?.items.some((vote) => vote.voter === address?.toLowerCase()) ?? false;

  return (
    <article className="gov-page">
      <div className="gov-heading-row">
        <h1>{data.title}</h1>
        <StateBadge state={data.state} />
      </div>
      <p className="hint">
        {t("governance.proposal.by")} <code className="address">{data.proposer}</code>
      </p>

      <QuorumBar proposal={data} />
      <p className="hint">
        {t("governance.proposal.window", { start: time(data.voteStart), end: time(data.voteEnd) })}
      </p>

      {data.state === "active" &&
        (address === undefined ? (
          <p>{t("governance.home.connect")}</p>
        ) : voted ? (
          <p className="status">{t("governance.vote.already")}</p>
        ) : account.data === undefined ? (
          <QueryState error={account.error} />
        ) : (
          <VotePanel proposalId={data.id} governor={governor} account={account.data} />
        ))}
      <QueueAndExecute proposal={data} governor={governor} chainNow={chainNow} />

      <section aria-labelledby={`${id}-actions`}>
        <h2 id={`${id}-actions`}>{t("governance.proposal.actions")}</h2>
        <ol className="gov-actions">
          {data.actions.map((action, index) => (
            <li key={index}>
              <p className="gov-action-summary">{action.summary}</p>
              <details>
                <summary>{t("governance.proposal.callDetails")}</summary>
                <dl className="facts">
                  <dt>{t("governance.proposal.target")}</dt>
                  <dd>
                    <code className="address">{action.target}</code> {action.contract ?? ""}
                  </dd>
                  <dt>{t("governance.proposal.value")}</dt>
                  <dd>{agri(action.value, "ETH")}</dd>
                  <dt>{t("governance.proposal.calldata")}</dt>
                  <dd>
                    <code className="address">{action.calldata}</code>
                  </dd>
                </dl>
              </details>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby={`${id}-description`}>
        <h2 id={`${id}-description`}>{t("governance.proposal.description")}</h2>
        <MarkdownView source={data.description} />
      </section>

      <section aria-labelledby={`${id}-votes`}>
        <h2 id={`${id}-votes`}>
          {t("governance.proposal.votes", { count: data.votesCast, n: format.number(data.votesCast) })}
        </h2>
        {votes.data === undefined ? (
          <QueryState error={votes.error} />
        ) : (
          <div className="table-scroll">
            <table className="gov-votes">
              <thead>
                <tr>
                  <th scope="col">{t("governance.proposal.voter")}</th>
                  <th scope="col">{t("governance.proposal.support")}</th>
                  <th scope="col">{t("governance.proposal.weight")}</th>
                  <th scope="col">{t("governance.proposal.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {votes.data.items.map((vote) => (
                  <tr key={vote.voter}>
                    <td>
                      <code className="address">{vote.voter}</code>
                    </td>
                    <td>{t(SUPPORT_KEYS[vote.support])}</td>
                    <td>{agri(vote.weight)}</td>
                    <td>{vote.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby={`${id}-timeline`}>
        <h2 id={`${id}-timeline`}>{t("governance.proposal.timeline")}</h2>
        <ol className="gov-timeline">
          {data.timeline.map((entry) => (
            <li key={`${entry.kind}-${entry.at}`}>
              <strong>{t(TIMELINE_KEYS[entry.kind] ?? entry.kind)}</strong> · {time(entry.at)}
              {entry.txHash !== null && <code className="address"> {entry.txHash}</code>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
