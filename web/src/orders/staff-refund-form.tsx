import { useId, useRef, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";

import type { OrderDetail } from "../../../protocol/api/orders";
import { ApiError } from "../api/api-error";
import { formText } from "../components/form-text";
import { minorPerMajor } from "../i18n/minor-units";
import { useFormat } from "../i18n/use-format";
import { actionOf } from "./order-action";
import { useRefundOrder } from "./use-orders";

/** Bengali digits as ASCII ones: a Bengali phone keyboard types ২.৬০. */
const asciiDigits = (text: string) => text.replace(/[০-৯]/g, (digit) => String(digit.charCodeAt(0) - 0x09e6));

/** The amount typed in major units ("2.60", "2,60", "৩" or "3") as minor units; undefined when it is not one. */
function parseAmount(text: string, currency: string): number | undefined {
  const perMajor = minorPerMajor(currency);
  const digits = Math.round(Math.log10(perMajor));
  const match = new RegExp(`^(\\d+)(?:[.,](\\d{1,${Math.max(digits, 1)}}))?$`).exec(asciiDigits(text.trim()));
  if (match === null || (digits === 0 && match[2] !== undefined)) return undefined;
  const fraction = (match[2] ?? "").padEnd(digits, "0");
  return Number(match[1]) * perMajor + (digits === 0 ? 0 : Number(fraction));
}

/**
 * Admins and arbiters refund part or all of a paid card order to the buyer's card, e.g. again after the bank failed
 * an earlier refund. The API decides what is left to refund and says so when asked for more.
 */
export function StaffRefundForm({ order }: { order: OrderDetail }) {
  const { t } = useTranslation();
  const format = useFormat();
  const id = useId();
  const refund = useRefundOrder(order.id);
  const [problem, setProblem] = useState<string | undefined>();
  const [done, setDone] = useState<number | undefined>();
  // One key per refund the staff member means: a retry of the same amount and reason is the same refund.
  const attempt = useRef<{ amountMinor: number; reason: string; key: string } | undefined>(undefined);
  if (actionOf(order, "refund") === undefined) return null;
  const money = (minor: number) => format.money(minor, order.currency);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const amountMinor = parseAmount(formText(data, "amount"), order.currency);
    const reason = formText(data, "reason").trim();
    setDone(undefined);
    if (amountMinor === undefined || amountMinor <= 0 || amountMinor > order.totalMinor) {
      setProblem(t("orders.refund.badAmount", { max: money(order.totalMinor) }));
      return;
    }
    if (reason === "") {
      setProblem(t("orders.refund.noReason"));
      return;
    }
    setProblem(undefined);
    const same = attempt.current?.amountMinor === amountMinor && attempt.current.reason === reason;
    if (!same) attempt.current = { amountMinor, reason, key: crypto.randomUUID() };
    refund.mutate(
      { amountMinor, reason, key: attempt.current!.key },
      {
        onSuccess: () => {
          attempt.current = undefined;
          form.reset();
          setDone(amountMinor);
        },
      },
    );
  };

  const failure = (error: unknown): string => {
    if (!(error instanceof ApiError)) return t("orders.refund.failedNetwork");
    const details = (error.details ?? {}) as { remainingMinor?: unknown };
    if (error.code === "refund_exceeds_remaining" && typeof details.remainingMinor === "number") {
      return t("orders.refund.exceeds", { left: money(details.remainingMinor) });
    }
    if (error.code === "order_state_conflict") return t("orders.refund.failedState");
    if (error.code === "stripe_error") return t("orders.refund.failedStripe");
    if (error.code === "refund_pending") return t("orders.refund.pending");
    if (error.status === 403) return t("orders.refund.failedNotAllowed");
    if (error.status === 503) return t("orders.refund.failedUnavailable");
    return t("orders.refund.failed");
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("orders.refund.title")}</h2>
      <form className="stack-form" onSubmit={submit} noValidate>
        <p className="hint" id={`${id}-hint`}>
          {t("orders.refund.hint")}
        </p>
        <label htmlFor={`${id}-amount`}>{t("orders.refund.amount", { currency: order.currency })}</label>
        <input
          id={`${id}-amount`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          required
          aria-describedby={`${id}-hint`}
          aria-invalid={problem !== undefined}
        />
        <label htmlFor={`${id}-reason`}>{t("orders.refund.reason")}</label>
        <textarea id={`${id}-reason`} name="reason" rows={2} required maxLength={500} />
        <button type="submit" className="button button-danger" disabled={refund.isPending}>
          {t("orders.refund.submit")}
        </button>
        {problem !== undefined && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        {refund.isError && problem === undefined && (
          <p className="error" role="alert">
            {failure(refund.error)}
          </p>
        )}
        {done !== undefined && <p role="status">{t("orders.refund.done", { amount: money(done) })}</p>}
      </form>
    </section>
  );
}
