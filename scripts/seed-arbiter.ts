import type { MikroORM } from "@mikro-orm/postgresql";
import { mnemonicToAccount } from "viem/accounts";

import { User } from "../api/src/entities/User.js";
import { Wallet } from "../api/src/entities/Wallet.js";
import type { Role } from "../protocol/vocabulary/roles.js";
import { LOCAL_ROLES } from "../deploy/local.js";

/** Hardhat's public test mnemonic (as in scripts/dev.ts): the local accounts are derived from it, index by index. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const LOCAL_CHAIN_ID = 31337;

/** What the local arbiter's account may do: rule on disputes (arbiter) and see the platform's health (admin). */
const ARBITER_ROLES: readonly Role[] = ["buyer", "arbiter", "admin"];

/**
 * The lower-case address of the local arbiter (Hardhat's account at LOCAL_ROLES.arbiter): the LocalModule gives it the
 * escrow's ARBITER_ROLE, so its wallet can send the `rule` calls the API returns.
 */
export function localArbiterAddress(): string {
  return mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: LOCAL_ROLES.arbiter }).address.toLowerCase();
}

/**
 * Seeds the local arbiter's API account: the arbiter and admin roles, linked to the arbiter's wallet, so signing in
 * with that wallet opens the arbiter and admin pages. Idempotent: an existing account only gains missing roles.
 */
export async function seedArbiter({ orm }: { orm: MikroORM }): Promise<{ userId: string; address: string }> {
  const em = orm.em.fork();
  const address = localArbiterAddress();
  const wallet = await em.findOne(Wallet, { address }, { populate: ["user"] });
  if (wallet === null) {
    const user = em.create(User, { email: null, roles: [...ARBITER_ROLES] });
    em.create(Wallet, { address, user, chainId: LOCAL_CHAIN_ID });
    await em.flush();
    return { userId: user.id, address };
  }
  const missing = ARBITER_ROLES.filter((role) => !wallet.user.roles.includes(role));
  if (missing.length > 0) {
    wallet.user.roles = [...wallet.user.roles, ...missing];
    await em.flush();
  }
  return { userId: wallet.user.id, address };
}
