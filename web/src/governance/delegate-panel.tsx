import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { isAddress } from "viem";
import type { Address } from "viem";

import type { GovernanceAccount } from "../../../protocol/api/governance";
import { agriTokenAbi } from "../../../protocol/generated/contracts";
import { tokenCalls } from "../../../protocol/token-calls";
import { TransactionStatus } from "./transaction-status";
import { useAgri } from "./use-agri";
import { useChainTransaction } from "./use-chain-transaction";
import { useSendContractCall } from "./use-send-contract-call";

/**
 * The connected holder's voting power and delegate, and a one-click delegation (to self or to an address) whose
 * effect is spelled out before the wallet asks for a signature.
 */
export function DelegatePanel({ account, token }: { account: GovernanceAccount; token: Address }) {
  const { t } = useTranslation();
  const id = useId();
  const agri = useAgri();
  const sendCall = useSendContractCall(agriTokenAbi);
  const transaction = useChainTransaction();
  const [mode, setMode] = useState<"self" | "other">("self");
  const [other, setOther] = useState("");
  const delegatee = mode === "self" ? account.address : other.trim();
  const valid = isAddress(delegatee, { strict: false });
  const self = valid && delegatee.toLowerCase() === account.address;

  return (
    <section className="gov-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("governance.delegate.title")}</h2>
      <dl className="facts">
        <dt>{t("governance.delegate.balance")}</dt>
        <dd>{agri(account.balance)}</dd>
        <dt>{t("governance.delegate.votingPower")}</dt>
        <dd data-testid="voting-power">{agri(account.votingPower)}</dd>
        <dt>{t("governance.delegate.current")}</dt>
        <dd>
          {account.delegate === null ? (
            t("governance.delegate.none")
          ) : account.delegate === account.address ? (
            t("governance.delegate.yourself")
          ) : (
            <code className="address">{account.delegate}</code>
          )}
        </dd>
      </dl>
      <fieldset>
        <legend>{t("governance.delegate.to")}</legend>
        <label className="inline-choice">
          <input type="radio" name={`${id}-mode`} checked={mode === "self"} onChange={() => setMode("self")} />
          {t("governance.delegate.self")}
        </label>
        <label className="inline-choice">
          <input type="radio" name={`${id}-mode`} checked={mode === "other"} onChange={() => setMode("other")} />
          {t("governance.delegate.other")}
        </label>
        {mode === "other" && (
          <div className="field">
            <label htmlFor={`${id}-address`}>{t("governance.delegate.address")}</label>
            <input
              id={`${id}-address`}
              value={other}
              onChange={(event) => setOther(event.target.value)}
              placeholder="0x…"
              spellCheck={false}
              autoComplete="off"
            />
          </div>
        )}
      </fieldset>
      {valid && (
        <p className="hint" id={`${id}-effect`}>
          {self
            ? t("governance.delegate.effectSelf", { amount: agri(account.balance) })
            : t("governance.delegate.effectOther", { amount: agri(account.balance), address: delegatee })}{" "}
          {t("governance.delegate.effectCommon")}
        </p>
      )}
      <button
        type="button"
        className="button"
        disabled={!valid || transaction.busy}
        aria-describedby={valid ? `${id}-effect` : undefined}
        onClick={() => void transaction.run(() => sendCall(tokenCalls.delegate(token, delegatee as Address)))}
      >
        {self ? t("governance.delegate.submitSelf") : t("governance.delegate.submit")}
      </button>
      <TransactionStatus state={transaction.state} />
    </section>
  );
}
