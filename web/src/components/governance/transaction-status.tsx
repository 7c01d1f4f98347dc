import { useTranslation } from "react-i18next";

import type { TransactionState } from "../../hooks/governance/use-chain-transaction";

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
      {t(`governance.tx.${state.status}`)}
      {state.status !== "signing" && <code className="address"> {state.hash}</code>}
    </p>
  );
}
