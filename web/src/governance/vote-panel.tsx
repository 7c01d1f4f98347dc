import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Address, Hex } from "viem";
import { usePublicClient, useSignTypedData } from "wagmi";

import type { GovernanceAccount, RelayedVote } from "../../../protocol/api/governance";
import { BALLOT_TYPES } from "../../../protocol/governance/ballot-types";
import { governorCalls } from "../../../protocol/governance/governor-calls";
import { VOTE_SUPPORT, VOTE_SUPPORTS } from "../../../protocol/governance/vote-supports";
import type { VoteSupport } from "../../../protocol/governance/vote-supports";
import { agriGovernorAbi } from "../../../protocol/generated/contracts";
import { requestJson } from "../api/request-json";
import { SUPPORT_KEYS } from "./quorum-bar";
import { TransactionStatus } from "./transaction-status";
import { useAgri } from "./use-agri";
import { useChainTransaction } from "./use-chain-transaction";
import { useSendContractCall } from "./use-send-contract-call";

/**
 * For / Against / Abstain with an optional reason, cast either as a transaction from the wallet or as an EIP-712
 * ballot that the API's relayer submits (the voter pays no gas).
 */
export function VotePanel({
  proposalId,
  governor,
  account,
}: {
  proposalId: string;
  governor: Address;
  account: GovernanceAccount;
}) {
  const { t } = useTranslation();
  const id = useId();
  const agri = useAgri();
  const client = usePublicClient();
  const sendCall = useSendContractCall(agriGovernorAbi);
  const { signTypedDataAsync } = useSignTypedData();
  const transaction = useChainTransaction();
  const [support, setSupport] = useState<VoteSupport>("for");
  const [reason, setReason] = useState("");
  const trimmed = reason.trim();

  const sendTransaction = (): Promise<Hex> => {
    const vote = { proposalId: BigInt(proposalId), support: VOTE_SUPPORT[support] };
    return sendCall(
      trimmed === ""
        ? governorCalls.castVote(governor, vote)
        : governorCalls.castVoteWithReason(governor, { ...vote, reason: trimmed }),
    );
  };

  const signAndRelay = async (): Promise<Hex> => {
    const [, name, version, chainId, verifyingContract] = await client!.readContract({
      address: governor,
      abi: agriGovernorAbi,
      functionName: "eip712Domain",
    });
    const domain = { name, version, chainId, verifyingContract };
    const ballot = {
      proposalId: BigInt(proposalId),
      support: VOTE_SUPPORT[support],
      voter: account.address,
      nonce: BigInt(account.nonce),
    };
    const signature =
      trimmed === ""
        ? await signTypedDataAsync({ domain, types: BALLOT_TYPES, primaryType: "Ballot", message: ballot })
        : await signTypedDataAsync({
            domain,
            types: BALLOT_TYPES,
            primaryType: "ExtendedBallot",
            message: { ...ballot, reason: trimmed, params: "0x" },
          });
    const relayed = await requestJson<RelayedVote>("/api/governance/votes/relay", {
      method: "POST",
      body: {
        proposalId,
        support: VOTE_SUPPORT[support],
        ...(trimmed === "" ? {} : { reason: trimmed }),
        voter: account.address,
        signature,
        nonce: account.nonce,
      },
    });
    return relayed.txHash;
  };

  return (
    <section className="gov-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("governance.vote.title")}</h2>
      <p className="hint">{t("governance.vote.power", { amount: agri(account.votingPower) })}</p>
      <fieldset>
        <legend>{t("governance.vote.choice")}</legend>
        {VOTE_SUPPORTS.map((choice) => (
          <label key={choice} className="inline-choice">
            <input
              type="radio"
              name={`${id}-support`}
              checked={support === choice}
              onChange={() => setSupport(choice)}
            />
            {t(SUPPORT_KEYS[choice])}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-reason`}>{t("governance.vote.reason")}</label>
        <textarea
          id={`${id}-reason`}
          rows={3}
          maxLength={2_000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      <div className="gov-buttons">
        <button
          type="button"
          className="button"
          disabled={transaction.busy}
          onClick={() => void transaction.run(sendTransaction)}
        >
          {t("governance.vote.submit")}
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={transaction.busy}
          onClick={() => void transaction.run(signAndRelay)}
        >
          {t("governance.vote.gasless")}
        </button>
      </div>
      <p className="hint">{t("governance.vote.gaslessExplained")}</p>
      <TransactionStatus state={transaction.state} />
    </section>
  );
}
