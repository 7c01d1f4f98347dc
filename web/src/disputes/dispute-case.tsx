import { useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";

import type { DisputeDetail } from "../../../protocol/api/disputes";
import type { DisputeParty } from "../../../protocol/vocabulary/order-vocabulary";
import { formText } from "../components/form-text";
import { useFormat } from "../i18n/use-format";
import { DISPUTE_STATUS_KEYS, PARTY_KEYS } from "./dispute-keys";
import { PhotoPicker } from "./photo-picker";
import { useDisputeActions } from "./use-disputes";

function MessageForm({ disputeId }: { disputeId: string }) {
  const { t } = useTranslation();
  const id = useId();
  const { message } = useDisputeActions(disputeId);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = formText(new FormData(form), "body").trim();
    if (body === "") return;
    message.mutate(body, { onSuccess: () => form.reset() });
  };
  return (
    <form className="stack-form" onSubmit={submit}>
      <label htmlFor={id}>{t("disputes.yourMessage")}</label>
      <textarea id={id} name="body" rows={3} required maxLength={5000} />
      <button type="submit" className="button" disabled={message.isPending}>
        {t("disputes.sendMessage")}
      </button>
      {message.isError && (
        <p className="error" role="alert">
          {t("disputes.sendFailed")}
        </p>
      )}
    </form>
  );
}

function EvidenceForm({ disputeId }: { disputeId: string }) {
  const { t } = useTranslation();
  const { evidence } = useDisputeActions(disputeId);
  const [photo, setPhoto] = useState<File | undefined>();
  const [uploads, setUploads] = useState(0);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (photo === undefined) return;
    evidence.mutate(photo, {
      onSuccess: () => {
        setPhoto(undefined);
        setUploads((count) => count + 1);
      },
    });
  };
  return (
    <form className="stack-form" onSubmit={submit}>
      <PhotoPicker label={t("disputes.addPhoto")} onChange={setPhoto} resetKey={uploads} />
      <button type="submit" className="button button-secondary" disabled={photo === undefined || evidence.isPending}>
        {t("disputes.uploadPhoto")}
      </button>
      {evidence.isError && (
        <p className="error" role="alert">
          {t("disputes.uploadFailed")}
        </p>
      )}
    </form>
  );
}

/**
 * A dispute as its parties and the arbiters see it: why and by whom it was opened, the ruling or settlement once there
 * is one, the thread and the evidence; with `canWrite`, forms to post a message and add a photo while it is open.
 */
export function DisputeCase({ dispute, canWrite }: { dispute: DisputeDetail; canWrite: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const money = (minor: number) => format.money(minor, dispute.order.currency);
  const who = (party: DisputeParty | null) => t(party === null ? "disputes.party.unknown" : PARTY_KEYS[party]);
  const headingId = useId();
  return (
    <div className="dispute-case" data-testid="dispute-case">
      <dl className="totals">
        <dt>{t("disputes.statusLabel")}</dt>
        <dd data-testid="dispute-status">{t(DISPUTE_STATUS_KEYS[dispute.status])}</dd>
        <dt>{t("disputes.reason")}</dt>
        <dd>{dispute.reason}</dd>
        <dt>{t("disputes.openedBy")}</dt>
        <dd>
          {who(dispute.openedBy.party)} · <time dateTime={dispute.openedAt}>{format.date(dispute.openedAt)}</time>
        </dd>
        {dispute.timeout !== null && (
          <>
            <dt>{t("disputes.deadline")}</dt>
            <dd data-testid="dispute-deadline">
              {t("disputes.timeoutOutcome", {
                date: format.dateTime(dispute.timeout.deadline),
                buyer: money(dispute.timeout.buyerShareMinor),
              })}
            </dd>
          </>
        )}
        {dispute.ruling !== null && (
          <>
            <dt>{t(dispute.status === "settled" ? "disputes.settlement" : "disputes.ruling")}</dt>
            <dd data-testid="dispute-ruling">
              {t("disputes.split", {
                buyer: money(dispute.ruling.buyerShareMinor),
                farm: money(dispute.ruling.farmShareMinor),
              })}
              {dispute.ruling.pending && ` · ${t("disputes.rulingPending")}`}
              {dispute.ruling.chainTxHash !== null && (
                <div>
                  {t("orders.transaction")} <code className="hash">{dispute.ruling.chainTxHash}</code>
                </div>
              )}
            </dd>
          </>
        )}
      </dl>
      <h3 id={`${headingId}-messages`}>{t("disputes.messages")}</h3>
      {dispute.messages.length === 0 ? (
        <p className="hint">{t("disputes.noMessages")}</p>
      ) : (
        <ol className="dispute-messages" aria-labelledby={`${headingId}-messages`}>
          {dispute.messages.map((message) => (
            <li key={message.id}>
              <strong>{who(message.from)}</strong>{" "}
              <time dateTime={message.createdAt}>{format.date(message.createdAt)}</time>
              <p>{message.body}</p>
            </li>
          ))}
        </ol>
      )}
      <h3 id={`${headingId}-evidence`}>{t("disputes.evidence")}</h3>
      {dispute.evidence.length === 0 ? (
        <p className="hint">{t("disputes.noEvidence")}</p>
      ) : (
        <ul className="dispute-evidence" aria-labelledby={`${headingId}-evidence`}>
          {dispute.evidence.map((item) => (
            <li key={item.id}>
              {item.photo !== null ? (
                <a href={item.photo.displayUrl} target="_blank" rel="noreferrer">
                  <img
                    src={item.photo.thumbnailUrl}
                    alt={t("disputes.photoFrom", { party: who(item.from) })}
                    width={160}
                    height={120}
                  />
                </a>
              ) : item.kind === "photo" ? (
                <p className="hint">
                  {t("disputes.photoRemoved", { party: who(item.from) })}{" "}
                  {item.photoRemovedAt !== null && (
                    <time dateTime={item.photoRemovedAt}>{format.date(item.photoRemovedAt)}</time>
                  )}
                </p>
              ) : (
                <blockquote>
                  <strong>{who(item.from)}:</strong> {item.text}
                </blockquote>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && dispute.status === "open" && (
        <>
          <MessageForm disputeId={dispute.id} />
          <EvidenceForm disputeId={dispute.id} />
        </>
      )}
    </div>
  );
}
