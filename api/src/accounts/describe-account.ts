import type { EntityManager } from "@mikro-orm/postgresql";

import type { User } from "../entities/User.js";
import { Wallet } from "../entities/Wallet.js";
import type { Role } from "../roles.js";

/** An account as its owner sees it (never the password hash). */
export interface AccountView {
  id: string;
  email: string | null;
  roles: Role[];
  hasPassword: boolean;
  wallets: { address: string; chainId: number; linkedAt: string }[];
  terms: { version: string; acceptedAt: string } | null;
  createdAt: string;
}

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
