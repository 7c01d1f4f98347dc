import { useState } from "react";
import { createSiweMessage } from "viem/siwe";
import { useAccount, useSignMessage } from "wagmi";

import type { SiweNonce } from "../../../protocol/api/auth";
import { requestJson } from "../api/request-json";

export type SiweState = "idle" | "signing" | "verifying" | "rejected" | "failed";

export interface SiweProof {
  message: string;
  signature: `0x${string}`;
}

/**
 * Sign-In with Ethereum proof of the connected wallet: a fresh nonce from the API and a message the wallet signs.
 * `use` sends the proof where it is needed (sign-in, account deletion); `state` follows the whole exchange.
 */
export function useSiweProof(statement: string) {
  const { address } = useAccount();
  const { signMessageAsync } = useSignMessage();
  const [state, setState] = useState<SiweState>("idle");

  async function prove<T>(use: (proof: SiweProof) => Promise<T>): Promise<T | undefined> {
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
      const result = await use({ message, signature });
      setState("idle");
      return result;
    } catch {
      setState("failed");
      return undefined;
    }
  }

  return { state, prove, address };
}
