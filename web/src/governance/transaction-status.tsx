import { useTranslation } from "react-i18next";

import type { TransactionState } from "./use-chain-transaction";

const TX_KEYS = {
  signing: "governance.tx.signing",
  pending: "governance.tx.pending",
  done: "governance.tx.done",
} as const;

/** What a wallet action is doing: waiting for the signature, mined, or why it failed. */
export function TransactionStatus({ state }: { state: TransactionState }) {
  const { t } = useTranslation();
  if (state.status === "idle") return null;
  if (state.status === "failed") {
    return (
      <p className="error" role="alert">
        {t("governance.tx.failed", { message: state.message })}
      </p>
    );
  }
  return (
    <p className="status" role="status">
      {t(TX_KEYS[state.status])}
      {state.status !== "signing" && <code className="address"> {state.hash}</code>}
    </p>
  );
}
