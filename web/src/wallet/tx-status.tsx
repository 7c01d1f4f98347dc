import { useTranslation } from "react-i18next";

import { FAILURE_KEYS } from "./transaction-failure";
import type { TransactionState } from "./use-send-transaction";

/** Where a wallet transaction stands, with its hash once sent. */
export function TxStatus({ state }: { state: TransactionState }) {
  const { t } = useTranslation();
  if (state.step === "idle") return null;
  if (state.step === "failed") {
    return (
      <p className="error" role="alert">
        {t(FAILURE_KEYS[state.failure])}
        {state.hash !== undefined && <code className="hash"> {state.hash}</code>}
      </p>
    );
  }
  const key = { confirming: "tx.confirming", pending: "tx.pending", mined: "tx.mined" }[state.step];
  return (
    <p className="status" role="status">
      {t(key)}
      {"hash" in state && <code className="hash"> {state.hash}</code>}
    </p>
  );
}
