import { LockMode } from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";

import type { User } from "../entities/User.js";
import { Wallet } from "../entities/Wallet.js";
import { ConflictError, NotFoundError } from "../errors.js";

/**
 * Removes one of the user's wallets, unless it is the account's last way to sign in (no password, no other wallet).
 * Someone else's wallet is reported as not found, so the answer does not reveal whose it is.
 */
export async function unlinkWallet(em: EntityManager, user: User, address: string): Promise<void> {
  await em.transactional(async (tx) => {
    // Lock the account's wallets so two concurrent unlinks cannot each leave the other as "the last one".
    const wallets = await tx.find(Wallet, { user: user.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!wallets.some((wallet) => wallet.address === address))
      throw new NotFoundError("No such wallet on your account");
    const hasPassword = user.passwordHash !== null && user.passwordHash !== undefined;
    if (wallets.length === 1 && !hasPassword) {
      throw new ConflictError("This wallet is your account's only way to sign in; add an email and password first");
    }
    await tx.nativeDelete(Wallet, { address, user: user.id });
  });
}
