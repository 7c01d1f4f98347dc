import { defineEntity, p } from "@mikro-orm/core";
import type { InferEntity } from "@mikro-orm/core";

import { User } from "./User.js";

/** An EVM address proven (by a SIWE signature) to belong to a user. Addresses are stored lower-case. */
export const Wallet = defineEntity({
  name: "Wallet",
  tableName: "wallets",
  properties: {
    address: p.text().primary(),
    user: () => p.manyToOne(User).index("wallets_user_id_index"),
    chainId: p.integer(),
    linkedAt: p
      .datetime()
      .defaultRaw("now()")
      .onCreate(() => new Date()),
  },
  checks: [{ name: "wallets_address_check", expression: "address ~ '^0x[0-9a-f]{40}$'" }],
});

export type Wallet = InferEntity<typeof Wallet>;
