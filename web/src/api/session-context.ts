import { createContext, useContext } from "react";

import type { Account, SignedIn } from "../../../protocol/api/auth";
import type { RequestOptions } from "./request-json";

export interface Session {
  /** False until the first attempt to resume an earlier sign-in (from the refresh cookie) has finished. */
  ready: boolean;
  user: Account | undefined;
  /** Calls the API as the signed-in user (or anonymously), renewing an expired access token once. */
  request<T>(path: string, options?: Omit<RequestOptions, "token">): Promise<T>;
  /** Takes a fresh sign-in, then merges the anonymous cart of this browser into the user's. */
  signIn(signedIn: SignedIn): Promise<void>;
  signOut(): Promise<void>;
  /** Call after changing an anonymous cart, so the next sign-in knows to merge it. */
  noteAnonymousCart(): void;
  /** Call after the account has been deleted: forgets the user without asking the API. */
  forget(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

/** The current session; components must sit inside <SessionProvider>. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession needs <SessionProvider> above it");
  return session;
}
