import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Suspense, lazy, useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";

import type { Account } from "../../../protocol/api/auth";
import { ApiError } from "../api/api-error";
import { fieldProblems } from "../api/field-problems";
import { useSession } from "../api/session-context";
import { formText } from "../components/form-text";
import { QueryState } from "../components/query-state";

// The wallet stack loads only when the user asks to link a wallet.
const WalletLink = lazy(() => import("../wallet/wallet-link").then((module) => ({ default: module.WalletLink })));

function unlinkFailureKey(error: unknown): string {
  if (error instanceof ApiError && error.status === 409) return "account.unlinkLast";
  return "account.unlinkFailed";
}

function addEmailFailureKey(error: unknown): string {
  if (!(error instanceof ApiError)) return "account.addEmailFailed";
  if (error.status === 400) return "account.addEmailInvalid";
  if (error.status === 409) return "account.addEmailTaken";
  if (error.status === 429) return "signIn.error.tooMany";
  return "account.addEmailFailed";
}

function AddEmail({ onSaved }: { onSaved: (account: Account) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const session = useSession();
  const save = useMutation({
    mutationFn: (credentials: { email: string; password: string }) =>
      session.request<Account>("/api/account/email", { method: "POST", body: credentials }),
    onSuccess: onSaved,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ email: formText(form, "email"), password: formText(form, "password") });
  };
  const problems = fieldProblems(save.error);
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("account.addEmailTitle")}</h3>
      <p>{t("account.addEmailExplained")}</p>
      <div className="field">
        <label htmlFor={`${id}-email`}>{t("account.newEmail")}</label>
        <input id={`${id}-email`} name="email" type="email" autoComplete="email" required />
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>{t("account.newPassword")}</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          aria-describedby={`${id}-rules`}
          required
        />
        <p id={`${id}-rules`} className="hint">
          {t("signIn.passwordRules")}
        </p>
      </div>
      {save.isError && (
        <div className="error" role="alert">
          <p>{t(addEmailFailureKey(save.error))}</p>
          {problems.length > 0 && (
            <ul>
              {problems.map((problem) => (
                <li key={problem} lang="en">
                  {problem}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <button type="submit" className="button" disabled={save.isPending}>
        {t("account.addEmail")}
      </button>
    </form>
  );
}

/**
 * The ways the account signs in: its email, its wallets (unlink one while another way remains, link another with a
 * signed message), and an email with a password for an account that has only wallets.
 */
export function SignInMethods({ account }: { account: Account }) {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const [linking, setLinking] = useState(false);
  const update = (next: Account) => queryClient.setQueryData(["account", session.user?.id], next);
  const unlink = useMutation({
    mutationFn: (address: string) => session.request<Account>(`/api/account/wallets/${address}`, { method: "DELETE" }),
    onSuccess: update,
  });
  // The API refuses to remove the last way in; the button is not offered then.
  const canUnlink = account.hasPassword || account.wallets.length > 1;

  return (
    <section aria-labelledby="sign-in-methods">
      <h2 id="sign-in-methods">{t("account.signInMethods")}</h2>
      <dl className="facts">
        <dt>{t("account.email")}</dt>
        <dd>{account.email ?? t("account.none")}</dd>
      </dl>
      <h3>{t("account.wallets")}</h3>
      {account.wallets.length === 0 ? (
        <p>{t("account.none")}</p>
      ) : (
        <ul className="linked-wallets">
          {account.wallets.map((wallet) => (
            <li key={wallet.address} className="wallet-actions">
              <code className="address">{wallet.address}</code>
              {canUnlink && (
                <button
                  type="button"
                  className="button button-secondary"
                  disabled={unlink.isPending}
                  aria-label={t("account.unlinkWallet", { address: wallet.address })}
                  onClick={() => unlink.mutate(wallet.address)}
                >
                  {t("account.unlink")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!canUnlink && account.wallets.length > 0 && <p className="hint">{t("account.onlyWayIn")}</p>}
      {unlink.isError && (
        <p className="error" role="alert">
          {t(unlinkFailureKey(unlink.error))}
        </p>
      )}
      {linking ? (
        <Suspense fallback={<QueryState error={undefined} />}>
          <WalletLink linked={account.wallets.map((wallet) => wallet.address)} onLinked={update} />
        </Suspense>
      ) : (
        <button type="button" className="button button-secondary" onClick={() => setLinking(true)}>
          {t("account.linkWallet")}
        </button>
      )}
      {account.email === null && <AddEmail onSaved={update} />}
    </section>
  );
}
