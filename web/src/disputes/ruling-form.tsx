import { useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { ApiError } from "../api/api-error";
import { useFormat } from "../i18n/use-format";

/** What went wrong with a ruling, by the API's error code, as a translation key. */
function failureKey(error: unknown): string {
  if (error instanceof ApiError && error.code === "dispute_not_on_chain") return "arbiter.notOnChain";
  if (error instanceof ApiError && error.status === 403) return "arbiter.ownOrder";
  return "arbiter.ruleFailed";
}

/**
 * The arbiter's split of the order total: the buyer's share as a percentage, with what each side gets. Submitting
 * hands the buyer's share in minor units to `onRule`; what it does (a refund, or the escrow's rule call) is the
 * caller's.
 */
export function RulingForm({
  totalMinor,
  currency,
  onRule,
  busy,
  error,
}: {
  totalMinor: number;
  currency: string;
  onRule: (buyerShareMinor: number) => void;
  busy: boolean;
  error: unknown;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const id = useId();
  const [percent, setPercent] = useState("50");
  const value = Number(percent);
  const valid = percent !== "" && Number.isFinite(value) && value >= 0 && value <= 100;
  const buyerShareMinor = valid ? Math.floor((totalMinor * value) / 100) : 0;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (valid) onRule(buyerShareMinor);
  };
  return (
    <form className="stack-form" onSubmit={submit}>
      <label htmlFor={id}>{t("arbiter.buyerPercent")}</label>
      <input
        id={id}
        name="buyerPercent"
        type="number"
        min="0"
        max="100"
        step="1"
        required
        value={percent}
        onChange={(event) => setPercent(event.target.value)}
      />
      {valid && (
        <p className="hint" aria-live="polite">
          {t("disputes.split", {
            buyer: format.money(buyerShareMinor, currency),
            farm: format.money(totalMinor - buyerShareMinor, currency),
          })}
        </p>
      )}
      <button type="submit" className="button" disabled={busy || !valid}>
        {t("arbiter.rule")}
      </button>
      {error != null && (
        <p className="error" role="alert">
          {t(failureKey(error))}
        </p>
      )}
    </form>
  );
}
