import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";

import type { Farm } from "../../../protocol/api/farms";
import { formText } from "../components/form-text";
import { useSaveFarm } from "./use-my-farm";

/** The farm's profile: created here the first time, changed afterwards (the slug stays). */
export function FarmProfileForm({ farm }: { farm: Farm | null }) {
  const { t } = useTranslation();
  const save = useSaveFarm(farm?.slug);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const payoutWallet = formText(form, "payoutWallet").trim();
    save.mutate({
      name: formText(form, "name"),
      region: formText(form, "region"),
      description: formText(form, "description"),
      payoutWallet: payoutWallet === "" ? null : payoutWallet,
    });
  };
  return (
    <form className="stack-form" onSubmit={submit}>
      <label>
        {t("farmer.farmName")}
        <input name="name" required maxLength={120} defaultValue={farm?.name} />
      </label>
      <label>
        {t("farmer.region")}
        <input name="region" required maxLength={80} defaultValue={farm?.region} />
      </label>
      <label>
        {t("farmer.description")}
        <textarea name="description" rows={3} maxLength={5000} defaultValue={farm?.description} />
      </label>
      <label>
        {t("farmer.payoutWallet")}
        <input name="payoutWallet" pattern="0x[0-9a-fA-F]{40}" defaultValue={farm?.payoutWallet ?? ""} />
      </label>
      <button type="submit" className="button" disabled={save.isPending}>
        {farm === null ? t("farmer.createFarm") : t("farmer.saveFarm")}
      </button>
      {save.isSuccess && (
        <p className="status" role="status">
          {t("farmer.saved")}
        </p>
      )}
      {save.isError && (
        <p className="error" role="alert">
          {t("farmer.saveFailed")}
        </p>
      )}
    </form>
  );
}
