import { randomBytes } from "node:crypto";

import type { KeyValueStore } from "../stores/store.js";

export interface IssuedSiweNonce {
  nonce: string;
  expiresAt: Date;
}

export interface SiweNonces {
  issue(): Promise<IssuedSiweNonce>;
  /** Consumes a nonce: true once for a nonce this server issued and that has not expired, false ever after. */
  consume(nonce: string): Promise<boolean>;
}

/** Single-use sign-in nonces kept in the shared store, so any replica can consume what another issued. */
export function createSiweNonces({
  keyValue,
  ttlSeconds,
  now = () => new Date(),
}: {
  keyValue: KeyValueStore;
  ttlSeconds: number;
  now?: () => Date;
}): SiweNonces {
  const key = (nonce: string) => `siwe-nonce:${nonce}`;
  return {
    async issue() {
      // Not viem's generateSiweNonce: it draws from Math.random, and a sign-in nonce must be unguessable.
      const nonce = randomBytes(16).toString("hex");
      await keyValue.set(key(nonce), "1", ttlSeconds * 1000);
      return { nonce, expiresAt: new Date(now().getTime() + ttlSeconds * 1000) };
    },
    async consume(nonce) {
      return (await keyValue.take(key(nonce))) !== undefined;
    },
  };
}
