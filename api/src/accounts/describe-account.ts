import type { EntityManager } from "@mikro-orm/postgresql";
import type { z } from "zod";

import type { accountResponse } from "../../../protocol/api/auth.js";
import type { User } from "../entities/User.js";
import { Wallet } from "../entities/Wallet.js";

/** An account as its owner sees it (never the password hash). */
export type AccountView = z.input<typeof accountResponse>;

export async function describeAccount(em: EntityManager, user: User): Promise<AccountView> {
  const wallets = await em.find(Wallet, { user: user.id }, { orderBy: { linkedAt: "asc", address: "asc" } });
  return {
    id: user.id,
    email: user.email ?? null,
    roles: [...user.roles],
    hasPassword: user.passwordHash !== null && user.passwordHash !== undefined,
    wallets: wallets.map((wallet) => ({
      address: wallet.address,
      chainId: wallet.chainId,
      linkedAt: wallet.linkedAt.toISOString(),
    })),
    terms:
      user.tosVersion !== null && user.tosVersion !== undefined && user.tosAcceptedAt
        ? { version: user.tosVersion, acceptedAt: user.tosAcceptedAt.toISOString() }
        : null,
    createdAt: user.createdAt.toISOString(),
  };
}
