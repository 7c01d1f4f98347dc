import { useId, useState } from "react";
import type { FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import type { SignedIn } from "../../../protocol/api/auth";
import { ApiError } from "../api/api-error";
import { fieldProblems } from "../api/field-problems";
import { requestJson } from "../api/request-json";
import { useSession } from "../api/session-context";
import { formText } from "../components/form-text";

// The version of the terms of service the sign-up form shows and the API expects (its TERMS_VERSION, default "1").
const TERMS_VERSION: string = (import.meta.env.VITE_TERMS_VERSION as string | undefined) ?? "1";

type Mode = "signIn" | "signUp";

/** Email sign-in and sign-up; wallet sign-in lives on its own page so its code loads only there. */
export default function SignInPage() {
  const { t } = useTranslation();
  const id = useId();
  const session = useSession();
  const navigate = useNavigate();
  const [mode, setMode] = useState<Mode>("signIn");
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<{ message: string; details: string[] } | undefined>(undefined);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = formText(form, "email");
    const password = formText(form, "password");
    setPending(true);
    setFailure(undefined);
    try {
      if (mode === "signUp") {
        await requestJson("/api/auth/signup", {
          method: "POST",
          body: { email, password, acceptTerms: form.get("terms") === "on", termsVersion: TERMS_VERSION },
        });
      }
      const signedIn = await requestJson<SignedIn>("/api/auth/login", { method: "POST", body: { email, password } });
      await session.signIn(signedIn);
      await navigate("/account");
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      const message =
        status === 401
          ? t("signIn.error.wrongCredentials")
          : status === 400
            ? t("signIn.error.invalid")
            : status === 429
              ? t("signIn.error.tooMany")
              : t("signIn.error.failed");
      setFailure({ message, details: fieldProblems(error) });
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="narrow">
      <h1>{mode === "signIn" ? t("signIn.title") : t("signIn.signUpTitle")}</h1>
      <form onSubmit={(event) => void submit(event)} noValidate={false}>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t("signIn.email")}</label>
          <input id={`${id}-email`} name="email" type="email" autoComplete="email" required />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>{t("signIn.password")}</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete={mode === "signIn" ? "current-password" : "new-password"}
            minLength={mode === "signUp" ? 12 : undefined}
            aria-describedby={mode === "signUp" ? `${id}-password-rules` : undefined}
            required
          />
          {mode === "signUp" && (
            <p id={`${id}-password-rules`} className="hint">
              {t("signIn.passwordRules")}
            </p>
          )}
        </div>
        {mode === "signUp" && (
          <div className="field field-check">
            <input id={`${id}-terms`} name="terms" type="checkbox" required />
            <label htmlFor={`${id}-terms`}>{t("signIn.acceptTerms")}</label>
          </div>
        )}
        {failure !== undefined && (
          <div className="error" role="alert">
            <p>{failure.message}</p>
            {failure.details.length > 0 && (
              <ul>
                {failure.details.map((detail) => (
                  <li key={detail} lang="en">
                    {detail}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <button type="submit" className="button" disabled={pending}>
          {mode === "signIn" ? t("signIn.submit") : t("signIn.signUpSubmit")}
        </button>
      </form>
      <p>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setMode(mode === "signIn" ? "signUp" : "signIn");
            setFailure(undefined);
          }}
        >
          {mode === "signIn" ? t("signIn.switchToSignUp") : t("signIn.switchToSignIn")}
        </button>
      </p>
      <p>
        <Link to="/sign-in/wallet">{t("signIn.withWallet")}</Link>
      </p>
    </section>
  );
}
