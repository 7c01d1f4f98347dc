import { Migrator } from "@mikro-orm/migrations";
import { defineConfig } from "@mikro-orm/postgresql";
import type { Options } from "@mikro-orm/postgresql";
import type pg from "pg";

import type { DatabaseTimeouts } from "../config.js";

import { Cart } from "../entities/Cart.js";
import { CartItem } from "../entities/CartItem.js";
import { Checkout } from "../entities/Checkout.js";
import { Dispute } from "../entities/Dispute.js";
import { DisputeEvidence } from "../entities/DisputeEvidence.js";
import { DisputeMessage } from "../entities/DisputeMessage.js";
import { Farm } from "../entities/Farm.js";
import { FarmDebt } from "../entities/FarmDebt.js";
import { FarmPayable } from "../entities/FarmPayable.js";
import { FarmStripeAccount } from "../entities/FarmStripeAccount.js";
import { Notification } from "../entities/Notification.js";
import { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { OrderFlag } from "../entities/OrderFlag.js";
import { OrderItem } from "../entities/OrderItem.js";
import { PaymentTransaction } from "../entities/PaymentTransaction.js";
import { Product } from "../entities/Product.js";
import { ProductPhoto } from "../entities/ProductPhoto.js";
import { ReconciliationRun } from "../entities/ReconciliationRun.js";
import { RefreshToken } from "../entities/RefreshToken.js";
import { Refund } from "../entities/Refund.js";
import { StockChange } from "../entities/StockChange.js";
import { StripeEvent } from "../entities/StripeEvent.js";
import { User } from "../entities/User.js";
import { Wallet } from "../entities/Wallet.js";
import { Migration20261122000000_users_wallets } from "../migrations/Migration20261122000000_users_wallets.js";
import { Migration20261122010000_catalog } from "../migrations/Migration20261122010000_catalog.js";
import { Migration20261122020000_refresh_tokens } from "../migrations/Migration20261122020000_refresh_tokens.js";
import { Migration20261122030000_carts } from "../migrations/Migration20261122030000_carts.js";
import { Migration20261204010000_orders } from "../migrations/Migration20261204010000_orders.js";
import { Migration20261204020000_notifications } from "../migrations/Migration20261204020000_notifications.js";
import { Migration20261204030000_card_payments } from "../migrations/Migration20261204030000_card_payments.js";
import { Migration20261204040000_order_links } from "../migrations/Migration20261204040000_order_links.js";
import { Migration20261204050000_disputes } from "../migrations/Migration20261204050000_disputes.js";
import { Migration20261204060000_eth_quotes } from "../migrations/Migration20261204060000_eth_quotes.js";
import { Migration20261204070000_refund_failures } from "../migrations/Migration20261204070000_refund_failures.js";
import { Migration20261207010000_card_money_safety } from "../migrations/Migration20261207010000_card_money_safety.js";
import { Migration20261207020000_escrow_payment_safety } from "../migrations/Migration20261207020000_escrow_payment_safety.js";
import { Migration20261207050000_private_evidence_stock_on_hand } from "../migrations/Migration20261207050000_private_evidence_stock_on_hand.js";
import { endSilentPoolClients } from "./end-silent-pool-clients.js";
import { releaseClientsOrphanedByEnd } from "./release-clients-orphaned-by-end.js";
import { releaseDeadPoolClients } from "./release-dead-pool-clients.js";

/** Where `npm run api:migration:create` writes new migrations. */
export const MIGRATIONS_DIR = new URL("../migrations/", import.meta.url).pathname;

/**
 * The ORM's options. Entities and migrations are listed here, in order, rather than discovered from disk, so the
 * same list works under tsx, mocha and a bundler. The schema only ever changes through these migrations.
 *
 * `timeouts` bound every wait on PostgreSQL (see DatabaseTimeouts); without them (migrations, which may rightly run
 * a statement for long) nothing is bounded.
 */
export function createOrmConfig(options: {
  databaseUrl: string;
  poolMax?: number;
  timeouts?: DatabaseTimeouts;
}): Options {
  return defineConfig({
    clientUrl: options.databaseUrl,
    entities: [
      User,
      Wallet,
      RefreshToken,
      Farm,
      Product,
      ProductPhoto,
      StockChange,
      Cart,
      CartItem,
      Checkout,
      Order,
      OrderItem,
      OrderEvent,
      OrderFlag,
      Notification,
      Dispute,
      DisputeMessage,
      DisputeEvidence,
      StripeEvent,
      Refund,
      FarmStripeAccount,
      FarmPayable,
      FarmDebt,
      ReconciliationRun,
      PaymentTransaction,
    ],
    pool: { max: options.poolMax ?? 10 },
    // Without them a database restart in the middle of transactions leaves the pool full of dead clients (the API never
    // recovers and orm.close() hangs: see releaseDeadPoolClients), and closing while a connection is being made hangs
    // (see releaseClientsOrphanedByEnd).
    driverOptions: {
      onPoolCreated: (pool: pg.Pool) => {
        releaseDeadPoolClients(pool);
        releaseClientsOrphanedByEnd(pool);
        if (options.timeouts !== undefined) endSilentPoolClients(pool);
      },
      ...(options.timeouts === undefined ? {} : poolTimeoutOptions(options.timeouts)),
    },
    extensions: [Migrator],
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      migrationsList: [
        Migration20261122000000_users_wallets,
        Migration20261122010000_catalog,
        Migration20261122020000_refresh_tokens,
        Migration20261122030000_carts,
        Migration20261204010000_orders,
        Migration20261204020000_notifications,
        Migration20261204030000_card_payments,
        Migration20261204040000_order_links,
        Migration20261204050000_disputes,
        Migration20261204060000_eth_quotes,
        Migration20261204070000_refund_failures,
        Migration20261207010000_card_money_safety,
        Migration20261207020000_escrow_payment_safety,
        Migration20261207050000_private_evidence_stock_on_hand,
      ],
      snapshot: false,
      silent: true,
      emit: "ts",
    },
    allowGlobalContext: false,
  });
}

/** The pg-pool and pg client options, and the server's session settings, that bound the waits `timeouts` name. */
function poolTimeoutOptions(timeouts: DatabaseTimeouts): pg.PoolConfig {
  return {
    connectionTimeoutMillis: timeouts.connectMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveMs,
    // Sent in the startup message, so they hold for the whole session (RESET ALL goes back to them).
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    query_timeout: timeouts.silenceMs,
  };
}
