import { useQuery } from "@tanstack/react-query";
import { Suspense, lazy, useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import type { Account } from "../../../protocol/api/auth";
import { useSession } from "../api/session-context";
import { formText } from "../components/form-text";
import { LanguageSwitch } from "../components/language-switch";
import { QueryState } from "../components/query-state";
import { useFormat } from "../i18n/use-format";
import { SignInMethods } from "./sign-in-methods";

// A wallet account confirms its deletion with a signature: the wallet stack loads only for those accounts.
const WalletDeleteAccount = lazy(() =>
  import("../wallet/wallet-delete-account").then((module) => ({ default: module.WalletDeleteAccount })),
);

/** The signed-in account: who it is, how it signs in, language, data export, sign-out and deletion. */
export default function AccountPage() {
  const { t } = useTranslation();
  const id = useId();
  const session = useSession();
  const navigate = useNavigate();
  const format = useFormat();
  const account = useQuery({
    queryKey: ["account", session.user?.id],
    queryFn: ({ signal }) => session.request<Account>("/api/account", { signal }),
    enabled: session.user !== undefined,
  });
  const [deleteFailed, setDeleteFailed] = useState(false);
  const [exportFailed, setExportFailed] = useState(false);

  if (!session.ready) return <QueryState error={undefined} />;
  if (session.user === undefined) {
    return (
      <section className="narrow">
        <h1>{t("account.title")}</h1>
        <p>
          <Link to="/sign-in">{t("account.signInFirst")}</Link>
        </p>
      </section>
    );
  }
  if (account.data === undefined) return <QueryState error={account.error} />;
  const user = account.data;

  const exportData = async () => {
    setExportFailed(false);
    try {
      const data = await session.request<unknown>("/api/account/export");
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `agridao-account-${new Date().toISOString().slice(0, 10)}.json`;
      link.click();
      URL.revokeObjectURL(url);
    } catch {
      setExportFailed(true);
    }
  };

  const deleteAccount = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const password = formText(new FormData(event.currentTarget), "password");
    setDeleteFailed(false);
    try {
      await session.request("/api/account", { method: "DELETE", body: { password } });
      session.forget();
      await navigate("/");
    } catch {
      setDeleteFailed(true);
    }
  };

  return (
    <section className="narrow">
      <h1>{t("account.title")}</h1>
      <dl className="facts">
        <dt>{t("account.memberSince")}</dt>
        <dd>{format.date(user.createdAt)}</dd>
      </dl>

      <SignInMethods account={user} />

      <h2>{t("account.language")}</h2>
      <LanguageSwitch id="language-account" />

      <h2>{t("account.yourData")}</h2>
      <button type="button" className="button button-secondary" onClick={() => void exportData()}>
        {t("account.export")}
      </button>
      {exportFailed && (
        <p className="error" role="alert">
          {t("account.exportFailed")}
        </p>
      )}

      <h2>{t("account.signOutTitle")}</h2>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => void session.signOut().then(() => navigate("/"))}
      >
        {t("account.signOut")}
      </button>

      <h2>{t("account.deleteTitle")}</h2>
      <p>{t("account.deleteExplained")}</p>
      {user.hasPassword ? (
        <form onSubmit={(event) => void deleteAccount(event)}>
          <div className="field">
            <label htmlFor={`${id}-delete-password`}>{t("account.confirmPassword")}</label>
            <input
              id={`${id}-delete-password`}
              name="password"
              type="password"
              autoComplete="current-password"
              required
            />
          </div>
          <button type="submit" className="button button-danger">
            {t("account.delete")}
          </button>
          {deleteFailed && (
            <p className="error" role="alert">
              {t("account.deleteFailed")}
            </p>
          )}
        </form>
      ) : (
        <>
          <p>{t("account.deleteWalletExplained")}</p>
          <Suspense fallback={<QueryState error={undefined} />}>
            <WalletDeleteAccount
              onProof={async (siwe) => {
                await session.request("/api/account", { method: "DELETE", body: { siwe } });
                session.forget();
                await navigate("/");
              }}
            />
          </Suspense>
        </>
      )}
    </section>
  );
}
