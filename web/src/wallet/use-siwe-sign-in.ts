import { useState } from "react";
import { createSiweMessage } from "viem/siwe";
import { useAccount, useSignMessage } from "wagmi";

import { requestJson } from "../api/request-json";
import type { SignedIn, SiweNonce } from "../api/types";

export type SiweState = "idle" | "signing" | "verifying" | "rejected" | "failed";

/** Sign-In with Ethereum: a nonce from the API, a message the wallet signs, and the API's verdict. */
export function useSiweSignIn(statement: string) {
  const { address } = useAccount();
  const { signMessageAsync } = useSignMessage();
  const [state, setState] = useState<SiweState>("idle");

  async function signIn(): Promise<SignedIn | undefined> {
    if (address === undefined) return undefined;
    setState("signing");
    try {
      const nonce = await requestJson<SiweNonce>("/api/auth/siwe/nonce", { method: "POST" });
      const message = createSiweMessage({
        domain: nonce.domain,
        address,
        statement,
        uri: nonce.uri,
        version: "1",
        chainId: nonce.chainId,
        nonce: nonce.nonce,
        issuedAt: new Date(),
        expirationTime: new Date(nonce.expiresAt),
      });
      let signature: `0x${string}`;
      try {
        signature = await signMessageAsync({ message });
      } catch {
        setState("rejected");
        return undefined;
      }
      setState("verifying");
      const signedIn = await requestJson<SignedIn>("/api/auth/siwe/verify", {
        method: "POST",
        body: { message, signature },
      });
      setState("idle");
      return signedIn;
    } catch {
      setState("failed");
      return undefined;
    }
  }

  return { state, signIn, address };
}
