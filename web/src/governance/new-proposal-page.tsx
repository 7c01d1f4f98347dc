import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { useAccount } from "wagmi";

import { agriGovernorAbi } from "../../../protocol/generated/contracts";
import { describeProposalAction } from "../../../protocol/governance/describe-proposal-action";
import { governorCalls } from "../../../protocol/governance/governor-calls";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { ActionDraftEditor } from "./action-draft-editor";
import { DraftError, buildProposalCalls, emptyDraft } from "./build-proposal-actions";
import type { ActionDraft, ActionKind, ProposalCall } from "./build-proposal-actions";
import { knownContracts } from "./known-contracts";
import { MarkdownView } from "./markdown-view";
import { TransactionStatus } from "./transaction-status";
import { useAgri } from "./use-agri";
import { useChainTransaction } from "./use-chain-transaction";
import { useSendContractCall } from "./use-send-contract-call";
import { useGovernanceAccount, useGovernanceParameters } from "./use-governance-queries";
import { useTreasury } from "./use-treasury";

const KIND_KEYS: Record<ActionKind, string> = {
  fee: "governance.builder.kinds.fee",
  windows: "governance.builder.kinds.windows",
  paymentToken: "governance.builder.kinds.paymentToken",
  arbiter: "governance.builder.kinds.arbiter",
  guardian: "governance.builder.kinds.guardian",
  transfer: "governance.builder.kinds.transfer",
  raw: "governance.builder.kinds.raw",
};
const KINDS = Object.keys(KIND_KEYS) as ActionKind[];

/** The guided proposal builder: platform actions or raw calls, a Markdown description, a decoded preview, propose. */
export function NewProposalPage() {
  const { t } = useTranslation();
  const id = useId();
  const agri = useAgri();
  const format = useFormat();
  const navigate = useNavigate();
  const parameters = useGovernanceParameters();
  const treasury = useTreasury(parameters.data);
  const { address } = useAccount();
  const account = useGovernanceAccount(address);
  const sendCall = useSendContractCall(agriGovernorAbi);
  const transaction = useChainTransaction();
  const [drafts, setDrafts] = useState<ActionDraft[]>([emptyDraft("fee")]);
  const [kind, setKind] = useState<ActionKind>("fee");
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");

  if (parameters.data === undefined || treasury.data === undefined) {
    return <QueryState error={parameters.error ?? treasury.error} />;
  }
  const params = parameters.data;
  const assets = treasury.data;
  const contracts = knownContracts(params, assets);
  const addresses = Object.fromEntries(contracts.map((contract) => [contract.name, contract.address]));

  const built = drafts.map((draft) => {
    try {
      return { calls: buildProposalCalls(draft, params, assets) };
    } catch (error) {
      return { error: error instanceof DraftError ? error : new DraftError("governance.builder.errors.encode") };
    }
  });
  const message = (error: DraftError) =>
    t(
      error.key,
      Object.fromEntries(
        Object.entries(error.values).map(([name, value]) => [
          name,
          typeof value === "number" ? format.number(value) : agri(value.units, value.symbol, value.decimals),
        ]),
      ),
    );
  const calls: ProposalCall[] = built.flatMap((entry) => entry.calls ?? []);
  const description = `# ${title.trim()}\n\n${body.trim()}`;
  const threshold = BigInt(params.governor.proposalThreshold);
  const votes = account.data === undefined ? undefined : BigInt(account.data.votingPower);

  let blocked: string | undefined;
  if (address === undefined) blocked = t("governance.builder.blocked.connect");
  else if (votes === undefined) blocked = t("common.loading");
  else if (votes < threshold) {
    blocked = t("governance.builder.blocked.threshold", { votes: agri(votes), threshold: agri(threshold) });
  } else if (title.trim() === "") blocked = t("governance.builder.blocked.title");
  else if (drafts.length === 0) blocked = t("governance.builder.blocked.noActions");
  else if (built.some((entry) => entry.error !== undefined)) blocked = t("governance.builder.blocked.invalid");

  const addDraft = () => {
    const draft = emptyDraft(kind);
    // A raw call starts on the escrow, the contract most proposals are about.
    if (draft.kind === "raw") draft.target = addresses.MarketplaceEscrow ?? "";
    setDrafts([...drafts, draft]);
  };

  const submit = async () => {
    const ok = await transaction.run(() =>
      sendCall(
        governorCalls.propose(params.governor.address, {
          targets: calls.map((call) => call.target),
          values: calls.map((call) => call.value),
          calldatas: calls.map((call) => call.calldata),
          description,
        }),
      ),
    );
    if (ok) await navigate("/governance");
  };

  return (
    <section className="gov-page">
      <h1>{t("governance.builder.title")}</h1>
      <p>{t("governance.builder.intro", { threshold: agri(threshold) })}</p>

      <div className="field">
        <label htmlFor={`${id}-title`}>{t("governance.builder.proposalTitle")}</label>
        <input id={`${id}-title`} value={title} onChange={(event) => setTitle(event.target.value)} maxLength={200} />
      </div>

      <h2>{t("governance.builder.actions")}</h2>
      <ol className="gov-drafts">
        {drafts.map((draft, index) => (
          <li key={index} className="gov-card">
            <div className="gov-heading-row">
              <h3>{t(KIND_KEYS[draft.kind])}</h3>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => setDrafts(drafts.filter((_, other) => other !== index))}
              >
                {t("governance.builder.removeAction")}
              </button>
            </div>
            <ActionDraftEditor
              draft={draft}
              assets={assets}
              addresses={addresses}
              onChange={(next) => setDrafts(drafts.map((current, other) => (other === index ? next : current)))}
            />
            {built[index].error !== undefined && <p className="error">{message(built[index].error)}</p>}
          </li>
        ))}
      </ol>
      <div className="gov-heading-row">
        <div className="field">
          <label htmlFor={`${id}-kind`}>{t("governance.builder.actionKind")}</label>
          <select id={`${id}-kind`} value={kind} onChange={(event) => setKind(event.target.value as ActionKind)}>
            {KINDS.map((option) => (
              <option key={option} value={option}>
                {t(KIND_KEYS[option])}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button button-secondary" onClick={addDraft}>
          {t("governance.builder.addAction")}
        </button>
      </div>

      <div className="field">
        <label htmlFor={`${id}-body`}>{t("governance.builder.description")}</label>
        <textarea id={`${id}-body`} rows={8} value={body} onChange={(event) => setBody(event.target.value)} />
      </div>

      <section className="gov-card" aria-labelledby={`${id}-preview`}>
        <h2 id={`${id}-preview`}>{t("governance.builder.preview")}</h2>
        <ol className="gov-actions" data-testid="action-preview">
          {calls.map((call, index) => (
            <li key={index}>{describeProposalAction(call, contracts).summary}</li>
          ))}
        </ol>
        <MarkdownView source={description} />
      </section>

      {blocked !== undefined && (
        <p className="hint" id={`${id}-blocked`}>
          {blocked}
        </p>
      )}
      <button
        type="button"
        className="button"
        disabled={blocked !== undefined || transaction.busy}
        aria-describedby={blocked === undefined ? undefined : `${id}-blocked`}
        onClick={() => void submit()}
      >
        {t("governance.builder.submit")}
      </button>
      <TransactionStatus state={transaction.state} />
    </section>
  );
}
