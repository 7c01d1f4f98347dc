import { useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { formText } from "../components/form-text";
import { PhotoPicker } from "./photo-picker";
import type { OpenDisputeInput } from "./use-disputes";

/**
 * The reason for a dispute and an optional photo as its first evidence. What submitting does (the API alone for a
 * card order; the API, then the wallet's openDispute for an escrow order) is the caller's.
 */
export function OpenDisputeForm({
  onSubmit,
  busy,
  failed,
}: {
  onSubmit: (input: OpenDisputeInput) => void;
  busy: boolean;
  failed: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [photo, setPhoto] = useState<File | undefined>();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reason = formText(new FormData(event.currentTarget), "reason").trim();
    if (reason !== "") onSubmit({ reason, photo });
  };
  return (
    <form className="stack-form" onSubmit={submit}>
      <p className="hint">{t("disputes.openHint")}</p>
      <label htmlFor={id}>{t("disputes.reasonLabel")}</label>
      <textarea id={id} name="reason" rows={3} required maxLength={500} />
      <PhotoPicker label={t("disputes.photoOptional")} onChange={setPhoto} resetKey={0} />
      <button type="submit" className="button button-danger" disabled={busy}>
        {t("escrow.openDispute")}
      </button>
      {failed && (
        <p className="error" role="alert">
          {t("disputes.openFailed")}
        </p>
      )}
    </form>
  );
}
