import { UniqueConstraintViolationException } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import { User } from "../entities/User.js";
import { Wallet } from "../entities/Wallet.js";
import type { VerifiedWallet } from "./siwe-message-verifier.js";

/**
 * The account a verified wallet signs into: the one it is linked to, or, on its first sign-in, a new buyer account
 * that owns it. Two concurrent first sign-ins of one wallet end in the same account.
 */
export async function signInWithWallet(em: EntityManager, wallet: VerifiedWallet): Promise<User> {
  const linked = await em.findOne(Wallet, { address: wallet.address }, { populate: ["user"] });
  if (linked !== null) return linked.user;
  try {
    return await em.transactional(async (tx) => {
      const user = tx.create(User, { id: crypto.randomUUID(), email: null });
      tx.create(Wallet, { address: wallet.address, user, chainId: wallet.chainId });
      await tx.flush();
      return user;
    });
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    em.clear();
    const winner = await em.findOneOrFail(Wallet, { address: wallet.address }, { populate: ["user"] });
    return winner.user;
  }
}
