import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { cartView } from "../../../protocol/api/cart.js";
import { readEscrowTermsInForce } from "../chain-reads/escrow-terms.js";

/** The escrow fee in force on a chain as the indexer last saw the DAO set it, or why it is not known. */
export type PlatformFee = z.input<typeof cartView>["platformFee"];

/**
 * The fee in force from the escrow's terms the indexer recorded: it applies to every order created from now on. No
 * terms (or no indexer schema) means the fee is not known yet; the caller must say so rather than assume one.
 */
export async function readPlatformFee(em: EntityManager, chainId: number): Promise<PlatformFee> {
  const read = await readEscrowTermsInForce(em, chainId);
  switch (read.status) {
    case "not_indexed":
      return { status: "unknown", chainId, reason: "The indexer's tables do not exist in this database yet" };
    case "none":
      return {
        status: "unknown",
        chainId,
        reason: `The indexer has not recorded the escrow's terms for chain ${chainId}`,
      };
    case "in_force":
      return { status: "known", chainId, feeBps: read.terms.fee_bps, sinceOrderId: read.terms.first_order_id };
  }
}
