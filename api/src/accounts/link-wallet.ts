import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import type { VerifiedWallet } from "../auth/siwe-message-verifier.js";
import type { User } from "../entities/User.js";
import { Wallet } from "../entities/Wallet.js";
import { ConflictError } from "../errors.js";

/**
 * Links a wallet the user just proved they control. Linking one the user already has is a no-op (false); a wallet
 * linked to another account is a ConflictError, even when two accounts race for it.
 */
export async function linkWallet(em: EntityManager, user: User, wallet: VerifiedWallet): Promise<boolean> {
  const existing = await em.findOne(Wallet, { address: wallet.address });
  if (existing !== null) {
    if (existing.user.id === user.id) return false;
    throw new ConflictError("This wallet is linked to another account");
  }
  try {
    em.create(Wallet, { address: wallet.address, user, chainId: wallet.chainId });
    await em.flush();
    return true;
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new ConflictError("This wallet is linked to another account");
    }
    throw error;
  }
}
