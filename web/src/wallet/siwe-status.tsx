import { useTranslation } from "react-i18next";

import type { SiweState } from "./use-siwe-proof";

const STATE_KEYS = {
  idle: undefined,
  signing: "wallet.signing",
  verifying: "wallet.verifying",
  rejected: "wallet.rejected",
  failed: "wallet.failed",
} as const;

/** What the wallet exchange is doing, or why it stopped. */
export function SiweStatus({ state }: { state: SiweState }) {
  const { t } = useTranslation();
  const key = STATE_KEYS[state];
  if (key === undefined) return null;
  return (
    <p className={state === "rejected" || state === "failed" ? "error" : "status"} role="status">
      {t(key)}
    </p>
  );
}
