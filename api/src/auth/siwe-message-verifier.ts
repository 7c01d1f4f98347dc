import { BaseError, HttpRequestError, TimeoutError } from "viem";
import type { Address, Hex, PublicClient } from "viem";
import { parseSiweMessage, validateSiweMessage } from "viem/siwe";

import type { ApiConfig } from "../config.js";
import { ServiceUnavailableError, UnauthorizedError, ValidationError } from "../errors.js";
import type { SiweNonces } from "./siwe-nonces.js";

/** How far a client's clock may run ahead of ours before its `Issued At` counts as being in the future. */
const CLOCK_SKEW_MS = 30_000;

/** A wallet that proved control of its address. The address is lower-case, as the wallets table stores it. */
export interface VerifiedWallet {
  address: Address;
  chainId: number;
}

export type VerifySiweMessage = (proof: { message: string; signature: Hex }) => Promise<VerifiedWallet>;

/**
 * Checks an EIP-4361 message against this site (domain, URI, scheme, chain, issued-at, expiry, not-before), consumes
 * its nonce, then checks the signature: locally for a key, and through the chain (ERC-1271, ERC-6492) for a smart
 * account. The nonce is consumed before the signature is checked, so a failed attempt cannot be retried with it.
 */
export function createSiweMessageVerifier({
  siwe,
  chainId,
  nonces,
  publicClient,
  now = () => new Date(),
}: {
  siwe: ApiConfig["siwe"];
  chainId: number;
  nonces: SiweNonces;
  publicClient: Pick<PublicClient, "verifyMessage" | "getCode">;
  now?: () => Date;
}): VerifySiweMessage {
  return async ({ message, signature }) => {
    const parsed = parseSiweMessage(message);
    const { address, domain, uri, version, nonce, issuedAt, expirationTime, notBefore } = parsed;
    const malformed = (why: string) =>
      new ValidationError("The sign-in message is malformed", [{ path: "body.message", message: why }]);
    if (address === undefined || domain === undefined || uri === undefined || nonce === undefined) {
      throw malformed(
        "expected an EIP-4361 message with a domain, address, URI, version, chain id, nonce and issued-at",
      );
    }
    if (version !== "1") throw malformed("expected Version: 1");
    if (parsed.chainId === undefined) throw malformed("expected a Chain ID");
    if (issuedAt === undefined || Number.isNaN(issuedAt.getTime())) throw malformed("expected an RFC 3339 Issued At");
    for (const [name, value] of [
      ["Expiration Time", expirationTime],
      ["Not Before", notBefore],
    ] as const) {
      if (value !== undefined && Number.isNaN(value.getTime())) throw malformed(`expected an RFC 3339 ${name}`);
    }
    let uriOrigin: string;
    try {
      uriOrigin = new URL(uri).origin;
    } catch {
      throw malformed("expected an absolute URI");
    }

    if (domain !== siwe.domain) throw new UnauthorizedError(`The message is for ${domain}, not ${siwe.domain}`);
    if (parsed.scheme !== undefined && parsed.scheme !== siwe.scheme) {
      throw new UnauthorizedError(`The message's scheme is not ${siwe.scheme}`);
    }
    if (uriOrigin !== siwe.uri) throw new UnauthorizedError(`The message's URI is not on ${siwe.uri}`);
    if (parsed.chainId !== chainId) {
      throw new UnauthorizedError(`The message is for chain ${parsed.chainId}; sign in on chain ${chainId}`);
    }
    const time = now();
    if (issuedAt.getTime() > time.getTime() + CLOCK_SKEW_MS) {
      throw new UnauthorizedError("The message was issued in the future");
    }
    if (issuedAt.getTime() < time.getTime() - siwe.maxAgeSeconds * 1000) {
      throw new UnauthorizedError("The message was issued too long ago; sign a new one");
    }
    if (expirationTime !== undefined && expirationTime.getTime() <= time.getTime()) {
      throw new UnauthorizedError("The message has expired");
    }
    if (notBefore !== undefined && notBefore.getTime() > time.getTime()) {
      throw new UnauthorizedError("The message is not valid yet");
    }
    // viem's own checks too (nonce alphabet, address checksum), so nothing it would refuse gets through.
    if (!validateSiweMessage({ message: parsed, domain: siwe.domain, nonce, time })) {
      throw malformed("the message fails EIP-4361 validation");
    }

    if (!(await nonces.consume(nonce))) {
      throw new UnauthorizedError("The nonce is unknown, expired or already used; request a new one");
    }

    // `eoa` recovers the signer locally first, so a key's sign-in never waits on the chain.
    const valid = await publicClient.verifyMessage({ address, message, signature, mode: "eoa" });
    if (!valid) {
      // viem reports an unreachable RPC as an invalid signature; probe the chain so that case answers 503 instead.
      await publicClient.getCode({ address }).catch((error: unknown) => {
        const unreachable =
          error instanceof BaseError &&
          error.walk((cause) => cause instanceof HttpRequestError || cause instanceof TimeoutError) !== null;
        if (!unreachable) throw error;
        throw new ServiceUnavailableError("The signature cannot be checked now: the chain RPC did not answer");
      });
      throw new UnauthorizedError("The signature does not match the message's address");
    }
    return { address: address.toLowerCase() as Address, chainId: parsed.chainId };
  };
}
