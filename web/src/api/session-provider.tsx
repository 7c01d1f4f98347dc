import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ReactNode } from "react";

import type { Account, SignedIn } from "../../../protocol/api/auth";
import { ApiError } from "./api-error";
import { requestJson } from "./request-json";
import type { RequestOptions } from "./request-json";
import { SessionContext } from "./session-context";
import type { Session } from "./session-context";

// Only hints, never secrets: the tokens themselves live in memory and in the API's HttpOnly cookies.
const SIGNED_IN_HINT = "agridao.signedIn";
const ANONYMOUS_CART_HINT = "agridao.anonymousCart";

function readHint(key: string): boolean {
  try {
    return localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function writeHint(key: string, on: boolean): void {
  try {
    if (on) localStorage.setItem(key, "1");
    else localStorage.removeItem(key);
  } catch {
    // Without storage the hint is lost; the worst case is one needless refresh or merge call.
  }
}

/**
 * Holds the access token in memory and resumes a sign-in from the refresh cookie on load (only when this browser
 * signed in before, so anonymous shoppers make no failing call).
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [user, setUser] = useState<Account | undefined>(undefined);
  const [ready, setReady] = useState(() => !readHint(SIGNED_IN_HINT));
  const token = useRef<string | undefined>(undefined);
  const refreshing = useRef<Promise<boolean> | undefined>(undefined);

  const adopt = useCallback((signedIn: SignedIn) => {
    token.current = signedIn.accessToken;
    setUser(signedIn.user);
    writeHint(SIGNED_IN_HINT, true);
  }, []);

  const drop = useCallback(() => {
    token.current = undefined;
    setUser(undefined);
    writeHint(SIGNED_IN_HINT, false);
  }, []);

  const refresh = useCallback((): Promise<boolean> => {
    refreshing.current ??= requestJson<SignedIn>("/api/auth/refresh", { method: "POST" })
      .then((signedIn) => {
        adopt(signedIn);
        return true;
      })
      .catch(() => {
        drop();
        return false;
      })
      .finally(() => {
        refreshing.current = undefined;
      });
    return refreshing.current;
  }, [adopt, drop]);

  useEffect(() => {
    if (!readHint(SIGNED_IN_HINT)) return;
    void refresh().finally(() => setReady(true));
  }, [refresh]);

  const request = useCallback(
    async <T,>(path: string, options: Omit<RequestOptions, "token"> = {}): Promise<T> => {
      // A request made while the sign-in is being restored waits for it: sent without its token it would act for an
      // anonymous visitor (an add to cart landed in an anonymous cart, and the account's cart stayed empty).
      if (refreshing.current !== undefined) await refreshing.current;
      const sent = token.current;
      try {
        return await requestJson<T>(path, { ...options, token: sent });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401 || sent === undefined) throw error;
        if (!(await refresh())) throw error;
        return requestJson<T>(path, { ...options, token: token.current });
      }
    },
    [refresh],
  );

  const session = useMemo<Session>(
    () => ({
      ready,
      user,
      request,
      async signIn(signedIn) {
        adopt(signedIn);
        setReady(true);
        if (readHint(ANONYMOUS_CART_HINT)) {
          try {
            await requestJson("/api/cart/merge", { method: "POST", token: signedIn.accessToken });
            writeHint(ANONYMOUS_CART_HINT, false);
          } catch (error) {
            // 400: the cookie's cart is gone already (merged elsewhere, or expired): nothing left to merge.
            if (error instanceof ApiError && error.status === 400) writeHint(ANONYMOUS_CART_HINT, false);
            else throw error;
          }
        }
        await queryClient.invalidateQueries({ queryKey: ["cart"] });
      },
      async signOut() {
        try {
          await requestJson("/api/auth/logout", { method: "POST" });
        } finally {
          drop();
          queryClient.removeQueries({ queryKey: ["cart"] });
          queryClient.removeQueries({ queryKey: ["account"] });
        }
      },
      noteAnonymousCart() {
        if (token.current === undefined) writeHint(ANONYMOUS_CART_HINT, true);
      },
      forget() {
        drop();
        queryClient.removeQueries({ queryKey: ["cart"] });
        queryClient.removeQueries({ queryKey: ["account"] });
      },
    }),
    [ready, user, request, adopt, drop, queryClient],
  );

  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
