import { useTranslation } from "react-i18next";

import { ApiError } from "../api/api-error";

/** What a page shows while its data loads or after loading failed. */
export function QueryState({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) {
    return (
      <p className="status" role="status">
        {t("common.loading")}
      </p>
    );
  }
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <p className="error" role="alert">
      {notFound ? t("common.notFound") : t("common.loadFailed")}
    </p>
  );
}
