import type { AuthUser } from "../../auth/access-tokens.js";
import type { CartOwner, CartService } from "../../cart/cart-service.js";
import { ValidationError } from "../../errors.js";
import type { ApiContext } from "../../http/api-context.js";
import { defineRoute } from "../../http/define-route.js";
import {
  CART_COOKIE,
  CART_TOKEN_HEADER,
  clearCartTokenHeaders,
  issueCartTokenHeaders,
  readCartToken,
} from "./cart-token-transport.js";
import { cartItemParams, cartView, mergeResponse, setQuantityBody } from "../../../../protocol/api/cart.js";

// A cart is personal: no shared cache may keep it.
const NO_STORE = { "Cache-Control": "no-store" };

const ANONYMOUS = `Signed in, the caller's own cart; otherwise the anonymous cart named by the ${CART_TOKEN_HEADER} header or the ${CART_COOKIE} cookie.`;

/**
 * The caller's cart. The routes are public so anonymous shoppers can use them, but a bearer token that fails
 * verification is refused rather than quietly served the anonymous cart.
 */
function cartOwner(user: AuthUser | undefined, ctx: ApiContext): CartOwner {
  if (ctx.state.authError !== undefined) throw ctx.state.authError;
  return user === undefined ? { token: readCartToken(ctx) } : { userId: user.id };
}

/** The cart: view, set and remove lines, empty it, and merge an anonymous cart into the user's on sign-in. */
export function createCartRoutes({ cartService }: { cartService: CartService }) {
  return [
    defineRoute({
      method: "get",
      path: "/api/cart",
      auth: "public",
      summary: "The caller's cart, grouped by farm, with the platform fee and the total",
      description: `${ANONYMOUS} Without a cart, an empty one.`,
      tags: ["cart"],
      responses: { 200: cartView },
    }).handle(async ({ user, em, ctx }) => ({
      status: 200,
      body: await cartService.view(em, cartOwner(user, ctx)),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "put",
      path: "/api/cart/items/:productId",
      auth: "public",
      summary: "Set how many of a product the cart holds",
      description:
        `${ANONYMOUS} An anonymous caller without a cart gets a new one, its token in ${CART_TOKEN_HEADER} and the ` +
        `${CART_COOKIE} cookie. 404: no such product; 409: not on sale (product_not_on_sale), more than the ` +
        "stock (insufficient_stock, details.available), another currency than the cart (currency_mismatch), " +
        "or too many lines (cart_full).",
      tags: ["cart"],
      request: { params: cartItemParams, body: setQuantityBody },
      responses: { 200: cartView },
    }).handle(async ({ params, body, user, em, ctx }) => {
      const { view, issuedToken } = await cartService.setQuantity(
        em,
        cartOwner(user, ctx),
        params.productId,
        body.quantity,
      );
      return {
        status: 200,
        body: view,
        headers: issuedToken === undefined ? NO_STORE : { ...NO_STORE, ...issueCartTokenHeaders(issuedToken) },
      };
    }),

    defineRoute({
      method: "delete",
      path: "/api/cart/items/:productId",
      auth: "public",
      summary: "Remove a product from the cart",
      description: `${ANONYMOUS} 404 when the product is not in the cart.`,
      tags: ["cart"],
      request: { params: cartItemParams },
      responses: { 200: cartView },
    }).handle(async ({ params, user, em, ctx }) => ({
      status: 200,
      body: await cartService.removeItem(em, cartOwner(user, ctx), params.productId),
      headers: NO_STORE,
    })),

    defineRoute({
      method: "delete",
      path: "/api/cart",
      auth: "public",
      summary: "Empty the cart",
      description: `${ANONYMOUS} Deleting a cart that does not exist succeeds too.`,
      tags: ["cart"],
      responses: { 204: null },
    }).handle(async ({ user, em, ctx }) => {
      const owner = cartOwner(user, ctx);
      await cartService.clear(em, owner);
      return { status: 204, body: undefined, headers: "userId" in owner ? NO_STORE : clearCartTokenHeaders() };
    }),

    defineRoute({
      method: "post",
      path: "/api/cart/merge",
      auth: "user",
      summary: "Merge the anonymous cart into the signed-in user's cart",
      description:
        `The anonymous cart is named by the ${CART_TOKEN_HEADER} header or the ${CART_COOKIE} cookie. Quantities ` +
        "add up, capped at the stock; lines that cannot be bought are left out and reported; the anonymous cart is " +
        "deleted. Merging again, or with a token of no cart, changes nothing.",
      tags: ["cart"],
      responses: { 200: mergeResponse },
    }).handle(async ({ user, em, ctx }) => {
      const token = readCartToken(ctx);
      if (token === undefined) {
        throw new ValidationError("No anonymous cart to merge", [
          {
            path: `headers.${CART_TOKEN_HEADER.toLowerCase()}`,
            message: `Send the ${CART_TOKEN_HEADER} header or the ${CART_COOKIE} cookie`,
          },
        ]);
      }
      const { view, merge } = await cartService.merge(em, user.id, token);
      return { status: 200, body: { cart: view, merge }, headers: { ...NO_STORE, ...clearCartTokenHeaders() } };
    }),
  ];
}
