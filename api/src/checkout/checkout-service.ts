import { createHash, randomBytes } from "node:crypto";

import type { EntityManager } from "@mikro-orm/postgresql";
import type { Hex } from "viem";

import { CartCurrencyMismatchError, ProductNotOnSaleError } from "../cart/cart-errors.js";
import { Cart } from "../entities/Cart.js";
import { CartItem } from "../entities/CartItem.js";
import { Checkout } from "../entities/Checkout.js";
import { Order } from "../entities/Order.js";
import { OrderEvent } from "../entities/OrderEvent.js";
import { OrderItem } from "../entities/OrderItem.js";
import { User } from "../entities/User.js";
import { ServiceUnavailableError, UnauthorizedError } from "../errors.js";
import { UNPAID_ORDER_STATUSES } from "../../../protocol/vocabulary/order-vocabulary.js";
import type { PaymentMethod } from "../../../protocol/vocabulary/order-vocabulary.js";
import {
  EmptyCartError,
  FarmPayoutWalletMissingError,
  IdempotencyKeyReusedError,
  PaymentMethodUnavailableError,
  TooManyOpenCheckoutsError,
} from "./checkout-errors.js";
import type { OrderViews } from "../orders/order-views.js";
import { checkoutResultOf } from "./checkout-result.js";
import type { CheckoutResult } from "./checkout-result.js";
import { computePlatformFee } from "../../../protocol/escrow/compute-platform-fee.js";
import type { EthPrice, EthPriceFeed } from "./eth-price-feed.js";
import { minorToTokenUnits } from "./minor-to-token-units.js";
import { minorToWei } from "./minor-to-wei.js";
import type { PaymentStarters } from "./payment-starters.js";
import { readPlatformFee } from "./read-platform-fee.js";
import { reserveCheckoutStock } from "./reserve-checkout-stock.js";

/**
 * What a buyer may ask to pay with. `eth` is paid into the same escrow as the stablecoin: its checkout and orders are
 * stored as `escrow`, with a price quote on each order (which is what marks them as paid in ETH).
 */
export type RequestedPaymentMethod = PaymentMethod | "eth";

export interface CheckoutRequest {
  buyerId: string;
  paymentMethod: RequestedPaymentMethod;
  /** The client's Idempotency-Key header, already validated. */
  idempotencyKey: string;
}

export interface CheckoutService {
  /** Turns the buyer's cart into orders (one per farm), reserving their stock, or replays an earlier checkout. */
  checkout(em: EntityManager, request: CheckoutRequest): Promise<{ replayed: boolean; result: CheckoutResult }>;
}

export interface CheckoutServiceDeps {
  chainId: number;
  reservationMs: number;
  /** The stablecoin escrow orders are paid in; undefined when the escrow is not configured for this chain. */
  escrowToken: { address: Hex; decimals: number } | undefined;
  paymentStarters: PaymentStarters;
  /** How the answer shows the checkout's orders (with what the buyer may do with each). */
  views: OrderViews;
  /** Why card checkout is refused (no Stripe key configured); undefined when card payments are on. */
  cardUnavailable?: string;
  /** The ETH price feed and how long a quote from it is honoured; undefined turns ETH checkout off. */
  eth?: { feed: EthPriceFeed; quoteTtlMs: number };
  /** Why ETH checkout is refused when `eth` is undefined, if not for want of a price feed. */
  ethUnavailable?: string;
  /** Called after stock changed, so cached product pages show it. */
  onStockChanged: () => Promise<void>;
  /** What one buyer may hold unpaid: checkouts with an order awaiting payment, and a share of each product's units. */
  limits: { maxOpenPerBuyer: number; maxStockSharePercent: number };
  now?: () => Date;
}

/** Stable JSON of what the request asked for: the same key with another fingerprint is refused. */
function fingerprintOf(request: CheckoutRequest): string {
  return createHash("sha256")
    .update(JSON.stringify({ paymentMethod: request.paymentMethod }))
    .digest("hex");
}

/**
 * Checkout. In one transaction, serialized per buyer by an advisory lock (so concurrent repeats of one key find the
 * first's checkout rather than racing it): the cart's lines are priced as they are now, grouped by farm, their stock
 * reserved with conditional UPDATEs (`stock >= n`, so no product is ever oversold), orders and items written, and the
 * cart emptied. Any line short of stock fails the whole checkout with every shortage listed, and nothing is kept.
 * So that one account cannot hold a farm's stock hostage without paying, a buyer may hold at most
 * `limits.maxOpenPerBuyer` checkouts awaiting payment, and of each product at most `limits.maxStockSharePercent` of
 * its units unpaid (see allowedHolding); the lock makes both counts exact, and the share is checked in the same
 * UPDATE that reserves, against the stock as it is then.
 */
export function createCheckoutService(deps: CheckoutServiceDeps): CheckoutService {
  const now = deps.now ?? (() => new Date());

  return {
    async checkout(em, request) {
      const { buyerId, paymentMethod } = request;
      const keyHash = createHash("sha256").update(request.idempotencyKey).digest("hex");
      if (paymentMethod === "eth" && deps.eth === undefined) {
        // A repeat of a key whose ETH checkout was made before ETH was switched off: its orders stay reserved (and
        // payable at their quote) until they expire or are cancelled, but this API can no longer build the call.
        const earlier = await em.findOne(
          Checkout,
          { buyer: buyerId, idempotencyKeyHash: keyHash },
          { fields: ["id", "expiresAt"] },
        );
        const reason =
          deps.ethUnavailable ??
          "ETH needs a price feed to fix the amount, and none is configured (ETH_PRICE_FEED_ADDRESS); " +
            "pay in the stablecoin (escrow) or by card";
        throw new PaymentMethodUnavailableError(
          "eth",
          earlier === null
            ? reason
            : `${reason}. The checkout this key made earlier keeps its orders until ` +
                `${earlier.expiresAt.toISOString()}; cancel them to check out again another way`,
          earlier?.id,
        );
      }
      const eth = paymentMethod === "eth" ? deps.eth : undefined;
      const storedMethod: PaymentMethod = paymentMethod === "eth" ? "escrow" : paymentMethod;
      if (paymentMethod === "escrow" && deps.escrowToken === undefined) {
        throw new PaymentMethodUnavailableError(
          "escrow",
          `no escrow or payment token is configured for chain ${deps.chainId} (ESCROW_ADDRESS, ESCROW_TOKEN_ADDRESS)`,
        );
      }
      if (paymentMethod === "card" && deps.cardUnavailable !== undefined) {
        throw new PaymentMethodUnavailableError("card", deps.cardUnavailable);
      }
      const fingerprint = fingerprintOf(request);
      // The fee in force as the buyer checks out, read before the transaction takes the buyer's lock.
      const fee = await readPlatformFee(em, deps.chainId);

      let reserved = false;
      const outcome = await em.transactional(async (tx) => {
        await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [`checkout:${buyerId}`]);
        const existing = await tx.findOne(Checkout, { buyer: buyerId, idempotencyKeyHash: keyHash });
        if (existing !== null) {
          if (existing.requestFingerprint !== fingerprint) throw new IdempotencyKeyReusedError(existing.id);
          return { replayed: true, checkout: existing };
        }
        const buyer = await tx.findOne(User, { id: buyerId, deletedAt: null });
        if (buyer === null) throw new UnauthorizedError("The signed-in account no longer exists");
        const cart = await tx.findOne(Cart, { user: buyerId });
        const lines =
          cart === null
            ? []
            : await tx.find(
                CartItem,
                { cart },
                { populate: ["product.farm"], orderBy: [{ addedAt: "asc" }, { id: "asc" }] },
              );
        if (lines.length === 0) throw new EmptyCartError();
        if (fee.status !== "known") {
          throw new ServiceUnavailableError(`Checkout is unavailable until the platform fee is known: ${fee.reason}`);
        }
        const currency = lines[0].product.currency;
        for (const { product } of lines) {
          if (product.status !== "active") throw new ProductNotOnSaleError(product.id, product.status);
          if (product.currency !== currency)
            throw new CartCurrencyMismatchError(product.id, product.currency, currency);
        }
        const unpaid = UNPAID_ORDER_STATUSES.map(() => "?").join(", ");
        const open = await tx.execute<{ checkout_id: string }[]>(
          `SELECT DISTINCT checkout_id FROM orders WHERE buyer_id = ? AND status IN (${unpaid}) ORDER BY checkout_id`,
          [buyerId, ...UNPAID_ORDER_STATUSES],
        );
        if (open.length >= deps.limits.maxOpenPerBuyer) {
          throw new TooManyOpenCheckoutsError(
            deps.limits.maxOpenPerBuyer,
            open.map((row) => row.checkout_id),
          );
        }
        const heldRows = await tx.execute<{ product_id: string; held: number }[]>(
          `SELECT i.product_id, sum(i.quantity)::int AS held FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE o.buyer_id = ? AND o.status IN (${unpaid}) AND i.product_id IN (${lines.map(() => "?").join(", ")})
            GROUP BY i.product_id`,
          [buyerId, ...UNPAID_ORDER_STATUSES, ...lines.map((line) => line.product.id)],
        );
        const held = new Map(heldRows.map((row) => [row.product_id, row.held]));
        const farms = new Map<string, CartItem[]>();
        for (const line of lines) farms.set(line.product.farm.id, [...(farms.get(line.product.farm.id) ?? []), line]);
        if (storedMethod === "escrow") {
          for (const [first] of farms.values()) {
            const { farm } = first.product;
            if (farm.payoutWallet === null) throw new FarmPayoutWalletMissingError(farm.id, farm.name);
          }
        }

        // Read only once the checkout is known to go ahead; a feed that cannot price ETH fails it with nothing kept.
        const price: EthPrice | undefined = eth === undefined ? undefined : await eth.feed.latestPrice();
        const createdAt = now();
        const checkout = tx.create(Checkout, {
          buyer,
          paymentMethod: storedMethod,
          idempotencyKeyHash: keyHash,
          requestFingerprint: fingerprint,
          createdAt,
          expiresAt: new Date(createdAt.getTime() + deps.reservationMs),
        });

        await reserveCheckoutStock(tx, {
          checkoutId: checkout.id,
          buyer,
          lines,
          held,
          maxStockSharePercent: deps.limits.maxStockSharePercent,
        });

        // A millisecond apart, so the orders list in the order their farms were first added to the cart.
        for (const [position, farmLines] of [...farms.values()].entries()) {
          const { farm } = farmLines[0].product;
          const subtotal = farmLines.reduce(
            (sum, line) => sum + BigInt(line.product.priceMinor) * BigInt(line.quantity),
            0n,
          );
          const feeMinor = computePlatformFee(subtotal, fee.feeBps);
          const escrowAmount =
            price !== undefined
              ? minorToWei(subtotal, currency, price.answer, price.decimals)
              : paymentMethod === "escrow" && deps.escrowToken !== undefined
                ? minorToTokenUnits(subtotal, currency, deps.escrowToken.decimals)
                : undefined;
          const escrow =
            escrowAmount === undefined
              ? { escrowRef: null, escrowSeller: null, escrowAmount: null }
              : {
                  escrowRef: `0x${randomBytes(32).toString("hex")}`,
                  escrowSeller: farm.payoutWallet,
                  escrowAmount: escrowAmount.toString(),
                };
          // The quote lasts its TTL, but never past the reservation: an order unpaid by then expires anyway.
          const quote =
            price === undefined || eth === undefined
              ? { quotePrice: null, quotePriceDecimals: null, quoteRoundId: null, quoteExpiresAt: null }
              : {
                  quotePrice: price.answer.toString(),
                  quotePriceDecimals: price.decimals,
                  quoteRoundId: price.roundId.toString(),
                  quoteExpiresAt: new Date(
                    Math.min(createdAt.getTime() + eth.quoteTtlMs, checkout.expiresAt.getTime()),
                  ),
                };
          const order = tx.create(Order, {
            checkout,
            farm,
            buyer,
            status: "awaiting_payment",
            currency,
            subtotalMinor: Number(subtotal),
            feeBps: fee.feeBps,
            feeMinor: Number(feeMinor),
            totalMinor: Number(subtotal),
            paymentMethod: storedMethod,
            ...escrow,
            ...quote,
            escrowOrderId: null,
            expiresAt: checkout.expiresAt,
            paidAt: null,
            createdAt: new Date(createdAt.getTime() + position),
            deletedAt: null,
          });
          for (const line of farmLines) {
            tx.create(OrderItem, {
              order,
              product: line.product,
              name: line.product.name,
              unit: line.product.unit,
              unitPriceMinor: line.product.priceMinor,
              quantity: line.quantity,
              lineTotalMinor: line.product.priceMinor * line.quantity,
            });
          }
          tx.create(OrderEvent, {
            order,
            kind: "created",
            occurredAt: createdAt,
            actor: buyer,
            data: {
              checkoutId: checkout.id,
              paymentMethod: storedMethod,
              ...(price === undefined ? {} : { paidIn: "eth" }),
            },
            sourceKey: `api:order:${order.id}:created`,
          });
        }
        await tx.flush();
        await tx.nativeDelete(CartItem, { cart: cart! });
        reserved = true;
        return { replayed: false, checkout };
      });
      if (reserved) await deps.onStockChanged();
      return { replayed: outcome.replayed, result: await checkoutResultOf(deps, em, outcome.checkout) };
    },
  };
}
